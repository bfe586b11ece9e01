"""Use cases of an event's agenda: reading, setting and publishing it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from knotenpunkt.services.events.domain import meetings as meetings_rules
from knotenpunkt.services.events.handlers.meetings import event_with_agenda
from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.usecase import Context, emit


@dataclass(frozen=True)
class SetAgenda:
    event_id: UUID
    items: tuple = ()


@dataclass(frozen=True)
class PublishAgenda:
    event_id: UUID


def agenda(conn, ctx: Context, event_id, *, caller: Principal) -> list[dict]:
    """An event's agenda; raises NotFound (also for a private event asked by an outsider)."""
    meetings_rules.ensure_visible(
        ctx.store.meetings.get_event(conn, event_id), may(caller, "internal")
    )
    return ctx.store.agendas.items(conn, event_id)


def set_agenda(cmd: SetAgenda, conn, ctx: Context) -> list[dict]:
    """Replace the agenda by the items in their order; raises NotFound (event)."""
    ctx.store.meetings.get_event(conn, cmd.event_id, lock=True)
    ctx.store.agendas.clear_agenda(conn, cmd.event_id)
    for item in cmd.items:
        ctx.store.agendas.add_agenda_item(conn, ctx.tenant.key, cmd.event_id, item)
    return ctx.store.agendas.items(conn, cmd.event_id)


def publish_agenda(cmd: PublishAgenda, conn, ctx: Context) -> dict:
    """Publish the agenda to the invitees (events.agenda.published); raises NotFound (event)."""
    ctx.store.meetings.get_event(conn, cmd.event_id, lock=True)
    row = ctx.store.agendas.mark_agenda_published(conn, cmd.event_id, ctx.now)
    emit(
        conn,
        ctx,
        "agenda",
        "published",
        {
            **meetings_rules.summary(row),
            "agenda": ctx.store.agendas.items(conn, cmd.event_id),
            "recipients": ctx.store.invitations.invitees(conn, cmd.event_id),
        },
        cmd.event_id,
    )
    return event_with_agenda(conn, ctx, row)
