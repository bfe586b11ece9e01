"""Use cases of topic submissions: proposing a topic for an event's agenda and deciding on it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from knotenpunkt.services.events.domain import submissions as domain
from knotenpunkt.shared.usecase import Context, emit


@dataclass(frozen=True)
class SubmitTopic:
    event_id: UUID
    title: str
    submitted_by: str
    description: str | None = None
    partner_id: str | None = None


@dataclass(frozen=True)
class DecideTopic:
    event_id: UUID
    submission_id: UUID
    accepted: bool
    reason: str | None = None


def submissions(conn, ctx: Context, event_id) -> list[dict]:
    """An event's topic submissions, oldest first; raises NotFound (event)."""
    ctx.store.meetings.get_event(conn, event_id)
    return ctx.store.submissions.list_submissions(conn, event_id)


def network_submissions(
    conn, ctx: Context, *, status=None, page=1, page_size=50
) -> tuple[list[dict], int]:
    """A page of the network's topic submissions to events not cancelled (of one status), oldest
    first, with their event, and how many there are; raises nothing."""
    return ctx.store.submissions.submissions_page(
        conn, status=status, limit=page_size, offset=(page - 1) * page_size
    )


def submit_topic(cmd: SubmitTopic, conn, ctx: Context) -> dict:
    """Propose a topic for the agenda (events.topic_submission.submitted); raises NotFound (event), Conflict (cancelled or begun)."""
    event = ctx.store.meetings.get_event(conn, cmd.event_id)
    domain.ensure_topics_accepted(event, ctx.now)
    row = ctx.store.submissions.add_submission(
        conn,
        ctx.tenant.key,
        cmd.event_id,
        cmd.title,
        cmd.description,
        cmd.submitted_by,
        cmd.partner_id,
    )
    emit(conn, ctx, "topic_submission", "submitted", row, row["id"])
    return row


def decide_topic(cmd: DecideTopic, conn, ctx: Context) -> dict:
    """Accept a topic onto the agenda or decline it with a reason (events.topic_submission.decided); raises NotFound, Conflict (decided already), RuleViolation (declined without reason)."""
    sub = ctx.store.submissions.get_submission(conn, cmd.event_id, cmd.submission_id)
    status = domain.decision_status(sub, cmd.accepted, cmd.reason)
    row = ctx.store.submissions.set_submission_status(conn, cmd.submission_id, status, cmd.reason)
    if cmd.accepted:
        ctx.store.agendas.add_agenda_item(
            conn, ctx.tenant.key, cmd.event_id, domain.submission_item(sub)
        )
    emit(conn, ctx, "topic_submission", "decided", row, row["id"])
    return row
