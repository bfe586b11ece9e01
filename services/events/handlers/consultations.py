"""Use cases of consultations: windows for ideas, submitting, moderating, counting, exporting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from knotenpunkt.services.events.domain import consultations as domain
from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.outputs import csv_document
from knotenpunkt.shared.usecase import Context, emit

# --- Commands -------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateConsultation:
    title: str
    opens: date
    closes: date
    topics: tuple | None = None
    anonymous: bool = True


@dataclass(frozen=True)
class SubmitIdea:
    consultation_id: UUID
    topic: str
    text: str
    author: str | None = None
    signed_in_as: str | None = None


@dataclass(frozen=True)
class ModerateIdea:
    consultation_id: UUID
    idea_id: UUID
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class AnnounceConsultationWindows:
    """Tell the coordinators once when a window opens and once when it has closed."""


# --- Use cases --------------------------------------------------------------------------


def consultations(conn, ctx: Context) -> list[dict]:
    """Every consultation, latest opening first; raises nothing."""
    return ctx.store.consultations.list_consultations(conn)


def create_consultation(cmd: CreateConsultation, conn, ctx: Context) -> dict:
    """Create a consultation; its topics default to the network's policy fields (events.consultation.created); raises nothing."""
    topics = list(cmd.topics) if cmd.topics is not None else ctx.rules["policy_fields"]
    row = ctx.store.consultations.create_consultation(
        conn,
        ctx.tenant.key,
        {
            "title": cmd.title,
            "opens": cmd.opens,
            "closes": cmd.closes,
            "topics": topics,
            "anonymous": cmd.anonymous,
        },
    )
    emit(conn, ctx, "consultation", "created", row, row["id"])
    return row


def ideas(
    conn, ctx: Context, consultation_id, *, caller: Principal, page=1, page_size=50
) -> tuple[list[dict], int]:
    """A page of a consultation's ideas (all for the Koordinierungsstelle, else the published ones) and how many; raises NotFound."""
    ctx.store.consultations.get_consultation(conn, consultation_id)
    return ctx.store.consultations.ideas_page(
        conn,
        consultation_id,
        published_only=not may(caller, "manage"),
        limit=page_size,
        offset=(page - 1) * page_size,
    )


def submit_idea(cmd: SubmitIdea, conn, ctx: Context) -> dict:
    """Submit an idea, anonymously where allowed, inside the window; raises NotFound, Conflict (outside the window), RuleViolation (topic, signing in needed)."""
    found = ctx.store.consultations.get_consultation(conn, cmd.consultation_id)
    domain.ensure_window(found["opens"], found["closes"], ctx.now, ctx.tz)
    domain.ensure_topic(found["topics"], cmd.topic)
    domain.ensure_may_submit(found, cmd.signed_in_as is None)
    return ctx.store.consultations.add_idea(
        conn,
        ctx.tenant.key,
        cmd.consultation_id,
        cmd.topic,
        cmd.text,
        cmd.author or cmd.signed_in_as,
    )


def moderate_idea(cmd: ModerateIdea, conn, ctx: Context) -> dict:
    """Publish an idea or hide it with a reason; raises RuleViolation (no reason), NotFound."""
    domain.ensure_moderation(cmd.status, cmd.reason)
    row = ctx.store.consultations.set_idea_status(
        conn,
        cmd.consultation_id,
        cmd.idea_id,
        cmd.status,
        cmd.reason if cmd.status == "hidden" else None,
    )
    if row is None:
        raise NotFound(f"Eine Idee {cmd.idea_id} gibt es nicht.")
    return row


def idea_counts(conn, ctx: Context, consultation_id) -> list[dict]:
    """Per topic the numbers of ideas, published and hidden; raises NotFound."""
    ctx.store.consultations.get_consultation(conn, consultation_id)
    return ctx.store.consultations.idea_counts(conn, consultation_id)


def ideas_csv(conn, ctx: Context, consultation_id) -> str:
    """Every idea of a consultation as CSV (semicolons, formula cells neutralised); raises NotFound."""
    ctx.store.consultations.get_consultation(conn, consultation_id)
    return csv_document(
        ["Thema", "Idee", "Status", "Eingereicht"],
        (
            [r["topic"], r["text"], r["status"], r["created_at"].isoformat()]
            for r in ctx.store.consultations.ideas(conn, consultation_id, published_only=False)
        ),
    )


def announce_consultation_windows(cmd: AnnounceConsultationWindows, conn, ctx: Context) -> int:
    """Publish events.consultation.opened / closed once per consultation; returns how many; raises nothing."""
    today = ctx.now.astimezone(ctx.tz).date()
    announced = 0
    for c in ctx.store.consultations.list_consultations(conn):
        state = domain.window_state(c["opens"], c["closes"], today)
        if state is None:
            continue
        data = {
            "consultation_id": c["id"],
            "title": c["title"],
            "opens": c["opens"],
            "closes": c["closes"],
        }
        if state == "closed":
            counts = ctx.store.consultations.idea_counts(conn, c["id"])
            data = {**data, "ideas": sum(x["ideas"] for x in counts), "topics": counts}
        rule = f"consultation:{c['id']}"
        day = c["opens"] if state == "opened" else c["closes"]
        if ctx.store.planning.note_once(conn, ctx.tenant.key, rule, day, state):
            emit(conn, ctx, "consultation", state, data, rule)
            announced += 1
    return announced
