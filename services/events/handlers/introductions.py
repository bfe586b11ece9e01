"""Use cases of introductions: an admitted partner introduces itself at the next network event
far enough ahead (the tenant's membership.introduction rules), or waits for one to be planned."""

from __future__ import annotations

from dataclasses import dataclass

from knotenpunkt.services.events.domain import introductions as domain
from knotenpunkt.services.events.domain import meetings as meetings_rules
from knotenpunkt.shared.usecase import Context, emit


@dataclass(frozen=True)
class ScheduleIntroduction:
    partner_id: str
    name: str
    email: str | None = None


def place_introduction(conn, ctx: Context, partner_id: str, name: str, email) -> dict:
    """The partner's introduction: kept pending, or placed on the agenda of the next event of the
    introduction kind at least lead_days ahead (events.introduction.scheduled); raises nothing."""
    intro = ctx.rules["membership"]["introduction"]
    row = ctx.store.introductions.add_pending_introduction(
        conn, ctx.tenant.key, partner_id, name, email
    )
    if row["status"] == "scheduled":
        return row
    candidates = ctx.store.meetings.list_events(
        conn, public_only=False, kind=intro["event_kind"], since=ctx.now
    )
    event = domain.introduction_event(candidates, intro["event_kind"], intro["lead_days"], ctx.now)
    if event is None:
        return row
    item = ctx.store.agendas.add_agenda_item(
        conn, ctx.tenant.key, event["id"], domain.introduction_item(row, intro["minutes"])
    )
    row = ctx.store.introductions.mark_introduction_scheduled(
        conn, row["partner_id"], event["id"], item["id"]
    )
    emit(
        conn,
        ctx,
        "introduction",
        "scheduled",
        {
            "partner_id": row["partner_id"],
            "name": row["name"],
            "email": row["email"],
            "event": meetings_rules.summary(event),
            "minutes": intro["minutes"],
        },
        row["partner_id"],
    )
    return row


def schedule_introduction(cmd: ScheduleIntroduction, conn, ctx: Context) -> dict | None:
    """Give an admitted partner an agenda slot at the next suitable event, or a pending slot (events.introduction.scheduled); None where the network has no introductions; raises nothing."""
    if not ctx.rules["membership"]["introduction"]["enabled"]:
        return None
    return place_introduction(conn, ctx, cmd.partner_id, cmd.name, cmd.email)
