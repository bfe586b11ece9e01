"""Use cases of events (meetings): planning, changing, listing and showing them.

An event's body (if any) sets its meeting rules: a hard rule refuses a plan, a missed preference
is a warning in the answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from uuid import UUID

from knotenpunkt.services.events.domain import invitations as invitations_rules
from knotenpunkt.services.events.domain import meetings as domain
from knotenpunkt.services.events.handlers.introductions import place_introduction
from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import Unauthorized
from knotenpunkt.shared.usecase import Context, emit


def meeting_rules(ctx: Context, body_key: str | None) -> dict:
    """The meeting rules of the body (none without a body); raises NotFound for an unknown body."""
    return ctx.tenant.body_or_404(body_key)["meeting"] if body_key is not None else {}


@dataclass(frozen=True)
class PlanEvent:
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    body: str | None = None
    working_group_id: UUID | None = None
    description: str | None = None
    place: str | None = None
    online_url: str | None = None
    public: bool = False


@dataclass(frozen=True)
class ChangeEvent:
    event_id: UUID
    changes: dict = field(default_factory=dict)


def event_with_agenda(conn, ctx: Context, event: dict, warnings=()) -> dict:
    """The event with its agenda and the warnings of its body's rules; raises nothing."""
    return {
        **event,
        "agenda": ctx.store.agendas.items(conn, event["id"]),
        "warnings": list(warnings),
    }


def record_event(conn, ctx: Context, data: dict) -> dict:
    """Insert an event and announce it (events.event.planned); returns the row, raises nothing."""
    event = ctx.store.meetings.create_event(conn, ctx.tenant.key, data)
    emit(conn, ctx, "event", "planned", domain.summary(event), event["id"])
    return event


def plan_event(cmd: PlanEvent, conn, ctx: Context) -> dict:
    """Plan an event under its body's rules and place pending introductions at it; raises NotFound (body), RuleViolation (a hard rule of the body)."""
    warnings = domain.check_meeting(
        meeting_rules(ctx, cmd.body), cmd.starts_at, cmd.ends_at, ctx.tz
    )
    event = record_event(conn, ctx, asdict(cmd))
    if cmd.kind == ctx.rules["membership"]["introduction"]["event_kind"]:
        for intro in ctx.store.introductions.pending_introductions(conn):
            place_introduction(conn, ctx, intro["partner_id"], intro["name"], intro["email"])
    return event_with_agenda(conn, ctx, event, warnings)


def change_event(cmd: ChangeEvent, conn, ctx: Context) -> dict:
    """Change or cancel an event and tell the invitees (events.event.changed / cancelled); raises NotFound (event, body), RuleViolation (a hard rule of the body)."""
    old = ctx.store.meetings.get_event(conn, cmd.event_id, lock=True)
    merged = {**old, **cmd.changes}
    warnings = domain.check_meeting(
        meeting_rules(ctx, merged["body"]), merged["starts_at"], merged["ends_at"], ctx.tz
    )
    if not cmd.changes:
        return event_with_agenda(conn, ctx, old, warnings)
    row = ctx.store.meetings.update_event(conn, cmd.event_id, cmd.changes)
    emit(
        conn,
        ctx,
        "event",
        domain.change_kind(old["status"], cmd.changes),
        {**domain.summary(row), "recipients": ctx.store.invitations.invitees(conn, cmd.event_id)},
        cmd.event_id,
    )
    return event_with_agenda(conn, ctx, row, warnings)


def _with_own_answers(conn, ctx: Context, events: list[dict], caller: Principal) -> list[dict]:
    """The events with `invited` and `my_answer` of a signed-in caller (unchanged for anyone else)."""
    mine = invitations_rules.caller_invitees(caller.person, caller.partner_id)
    if caller.anonymous or not mine or not events:
        return events
    found = ctx.store.invitations.answers_of(conn, [e["id"] for e in events], mine)
    out = []
    for e in events:
        invited, answer = invitations_rules.own_answer(
            found.get(e["id"], {}), caller.person, caller.partner_id
        )
        out.append({**e, "invited": invited, "my_answer": answer})
    return out


def list_events(
    conn,
    ctx: Context,
    *,
    caller: Principal,
    body=None,
    kind=None,
    invited=None,
    page=1,
    page_size=50,
) -> tuple[list[dict], int]:
    """A page of events by start (only the public ones for who may not read internal data; with
    invited="me" only those the caller is invited to, with their answer) and how many there are;
    raises Unauthorized (invited="me" without a login)."""
    invitees = None
    if invited == "me":
        invitees = invitations_rules.caller_invitees(caller.person, caller.partner_id)
        if caller.anonymous or not invitees:
            raise Unauthorized("Welche Einladungen Ihre sind, sehen Sie nach der Anmeldung.")
    rows, total = ctx.store.meetings.events_page(
        conn,
        public_only=not may(caller, "internal"),
        body=body,
        kind=kind,
        invitees=invitees,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return _with_own_answers(conn, ctx, rows, caller), total


def show_event(conn, ctx: Context, event_id, *, caller: Principal) -> dict:
    """An event with its agenda (for the network's people with the warnings of the body's
    rules; for a signed-in caller whether they are invited and their answer); raises NotFound
    (also for a private event asked by an outsider)."""
    event = ctx.store.meetings.get_event(conn, event_id)
    internal = may(caller, "internal")
    domain.ensure_visible(event, internal)
    warnings = (
        domain.meeting_warnings(
            meeting_rules(ctx, event["body"]), event["starts_at"], event["ends_at"], ctx.tz
        )
        if internal
        else ()
    )
    return _with_own_answers(conn, ctx, [event_with_agenda(conn, ctx, event, warnings)], caller)[0]
