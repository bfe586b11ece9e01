"""Use cases of minutes: reading them (as data and as a document), writing the draft, approving
and publishing it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from knotenpunkt.services.events.domain import meetings as meetings_rules
from knotenpunkt.services.events.domain import minutes as domain
from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import RuleViolation
from knotenpunkt.shared.usecase import Context, emit, plain


@dataclass(frozen=True)
class WriteMinutes:
    event_id: UUID
    attendees: tuple = ()
    notes: tuple = ()
    ballot_ids: tuple = ()
    taken_by: str | None = None
    decisions_by_hand: tuple = ()


@dataclass(frozen=True)
class ApproveMinutes:
    event_id: UUID
    by: str | None


@dataclass(frozen=True)
class PublishMinutes:
    event_id: UUID
    by: str | None


def _minutes(conn, ctx: Context, event_id) -> dict:
    return ctx.store.minutes.find_minutes(conn, event_id) or domain.blank_minutes(event_id)


def _visible_minutes(conn, ctx: Context, event_id, caller: Principal) -> tuple[dict, dict]:
    internal = may(caller, "internal")
    event = ctx.store.meetings.get_event(conn, event_id)
    found = _minutes(conn, ctx, event_id)
    domain.ensure_minutes_visible(found, internal)
    meetings_rules.ensure_visible(event, internal)
    return event, found


def minutes(conn, ctx: Context, event_id, *, caller: Principal) -> dict:
    """An event's minutes (a blank draft before any were written); raises NotFound (event; unpublished minutes or a private event asked by an outsider)."""
    return _visible_minutes(conn, ctx, event_id, caller)[1]


def minutes_document(conn, ctx: Context, event_id, *, caller: Principal) -> str:
    """The minutes as Markdown, with dissenting opinions; raises NotFound as `minutes` does."""
    event, found = _visible_minutes(conn, ctx, event_id, caller)
    return domain.minutes_markdown(event, found, ctx.store.agendas.items(conn, event_id), ctx.tz)


def write_minutes(cmd: WriteMinutes, conn, ctx: Context) -> dict:
    """Write the draft: who takes it, attendees, notes per item, decisions from closed ballots
    and taken by show of hands (with dissenting opinions); raises NotFound (event), Conflict (no
    longer a draft), RuleViolation (a ballot without result, hand counts that do not add up)."""
    event = ctx.store.meetings.get_event(conn, cmd.event_id)
    domain.ensure_minutes_editable(_minutes(conn, ctx, cmd.event_id))
    decisions = []
    for ballot_id in cmd.ballot_ids:
        result = ctx.store.copies.ballot_result(conn, ballot_id)
        if result is None:
            raise RuleViolation(
                f"Zur Abstimmung {ballot_id} liegt noch kein Ergebnis vor.", field="ballot_ids"
            )
        decisions.append(result)
    body = next((b for b in ctx.rules.get("bodies", []) if b["key"] == event.get("body")), {})
    for n, given in enumerate(cmd.decisions_by_hand):
        decisions.append(
            domain.decision_by_hand(given, n, list(cmd.attendees), body.get("binding", True))
        )
    return ctx.store.minutes.save_minutes(
        conn,
        ctx.tenant.key,
        cmd.event_id,
        list(cmd.attendees),
        plain(list(cmd.notes)),
        decisions,
        ctx.now,
        cmd.taken_by,
    )


def _advance(conn, ctx: Context, event_id, to: str, by: str | None) -> dict:
    event = ctx.store.meetings.get_event(conn, event_id, lock=True)
    current = domain.ensure_minutes_written(
        ctx.store.minutes.find_minutes(conn, event_id), event_id
    )
    domain.ensure_next_minutes_status(current["status"], to)
    if to == "approved":
        domain.ensure_meeting_held(event, ctx.now)
    published_at = ctx.now if to == "published" else None
    return ctx.store.minutes.set_minutes_status(conn, event_id, to, by, published_at, ctx.now)


def approve_minutes(cmd: ApproveMinutes, conn, ctx: Context) -> dict:
    """Approve the draft; raises NotFound (event), Conflict (none written, not a draft, the
    meeting not over yet)."""
    return _advance(conn, ctx, cmd.event_id, "approved", cmd.by)


def publish_minutes(cmd: PublishMinutes, conn, ctx: Context) -> dict:
    """Publish the approved minutes to the invitees (events.minutes.published); raises NotFound (event), Conflict (none written, not approved)."""
    row = _advance(conn, ctx, cmd.event_id, "published", cmd.by)
    event = ctx.store.meetings.get_event(conn, cmd.event_id)
    emit(
        conn,
        ctx,
        "minutes",
        "published",
        {
            **meetings_rules.summary(event),
            "decisions": row["decisions"],
            "recipients": ctx.store.invitations.invitees(conn, cmd.event_id),
        },
        cmd.event_id,
    )
    return row
