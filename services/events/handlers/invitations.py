"""Use cases of invitations: inviting a body, a working group, all partners or named guests to
an event, and the invitees' answers (signed in, or with the reply link of the invitation mail).

Each invitation names its invitee (a body's or working group's member by person id, a partner by
partner id, a guest by e-mail address): inviting someone again adds nothing, an invitee without an
e-mail address is invited but not reachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from knotenpunkt.services.events.domain import invitations as domain
from knotenpunkt.services.events.domain import meetings as meetings_rules
from knotenpunkt.services.events.handlers.meetings import event_with_agenda
from knotenpunkt.shared.collation import german_key
from knotenpunkt.shared.errors import Forbidden, NotFound, RuleViolation
from knotenpunkt.shared.links import REPLY_TO_INVITATION, invitation_subject, link_token_matches
from knotenpunkt.shared.usecase import Context, emit


@dataclass(frozen=True)
class InviteBody:
    event_id: UUID
    body: str


@dataclass(frozen=True)
class InviteWorkingGroup:
    event_id: UUID
    working_group_id: UUID


@dataclass(frozen=True)
class InvitePartners:
    event_id: UUID


@dataclass(frozen=True)
class InviteGuests:
    event_id: UUID
    guests: tuple = ()


@dataclass(frozen=True)
class Invite:
    """Invite any of a body, a working group, all partners and named guests (in this order)."""

    event_id: UUID
    body: str | None = None
    working_group_id: UUID | None = None
    all_partners: bool = False
    guests: tuple = ()


@dataclass(frozen=True)
class ReplyToInvitation:
    event_id: UUID
    answer: str
    sub: str | None
    partner_id: str | None = None


@dataclass(frozen=True)
class ReplyByLink:
    """Answer an invitation with the reply link of its mail, without logging in."""

    event_id: UUID
    email: str
    token: str
    answer: str


def _invite_and_announce(conn, ctx: Context, event_id, people: list[dict], via: str) -> int:
    """Invite the people and announce it (events.event.invited); returns how many were new."""
    new = sum(
        ctx.store.invitations.add_invitation(conn, ctx.tenant.key, event_id, p, via) for p in people
    )
    event = ctx.store.meetings.get_event(conn, event_id, lock=True)
    status = domain.status_after_invitation(event["status"])
    if status != event["status"]:
        event = ctx.store.meetings.set_event_status(conn, event_id, status)
    emit(
        conn,
        ctx,
        "event",
        "invited",
        {
            **meetings_rules.summary(event),
            "agenda": ctx.store.agendas.items(conn, event_id),
            "recipients": people,
        },
        event_id,
    )
    return new


def invite_body(cmd: InviteBody, conn, ctx: Context) -> int:
    """Invite every member of a body; returns how many were new; raises NotFound (event, body)."""
    ctx.tenant.body_or_404(cmd.body)
    people = [
        {"invitee": m["person_id"], "name": m["name"], "email": m["email"]}
        for m in ctx.store.copies.body_members(conn, cmd.body)
    ]
    return _invite_and_announce(conn, ctx, cmd.event_id, people, f"body:{cmd.body}")


def invite_working_group(cmd: InviteWorkingGroup, conn, ctx: Context) -> int:
    """Invite every member of a working group; returns how many were new; raises NotFound (event), RuleViolation (a group without members)."""
    people = [
        {"invitee": m["person_id"], "name": m["name"], "email": m["email"]}
        for m in ctx.store.copies.group_members(conn, cmd.working_group_id)
    ]
    if not people:
        raise RuleViolation(
            "Diese Arbeitsgruppe hat (noch) keine Mitglieder.", field="working_group_id"
        )
    return _invite_and_announce(
        conn, ctx, cmd.event_id, people, f"working_group:{cmd.working_group_id}"
    )


def invite_partners(cmd: InvitePartners, conn, ctx: Context) -> int:
    """Invite every active partner; returns how many were new; raises NotFound (event)."""
    people = [
        {"invitee": str(p["partner_id"]), "name": p["name"], "email": p["email"]}
        for p in ctx.store.copies.active_partners(conn)
    ]
    return _invite_and_announce(conn, ctx, cmd.event_id, people, "partners")


def invite_guests(cmd: InviteGuests, conn, ctx: Context) -> int:
    """Invite named guests (name, email); returns how many were new; raises NotFound (event)."""
    people = [
        {"invitee": g["email"].lower(), "name": g["name"], "email": g["email"]} for g in cmd.guests
    ]
    return _invite_and_announce(conn, ctx, cmd.event_id, people, "guests")


def invite(cmd: Invite, conn, ctx: Context) -> list[dict]:
    """Invite a body, a working group, all partners and/or guests; returns the invitees; raises NotFound (event, body), RuleViolation (a working group without members)."""
    ctx.store.meetings.get_event(conn, cmd.event_id, lock=True)
    if cmd.body:
        invite_body(InviteBody(cmd.event_id, cmd.body), conn, ctx)
    if cmd.working_group_id:
        invite_working_group(InviteWorkingGroup(cmd.event_id, cmd.working_group_id), conn, ctx)
    if cmd.all_partners:
        invite_partners(InvitePartners(cmd.event_id), conn, ctx)
    if cmd.guests:
        invite_guests(InviteGuests(cmd.event_id, tuple(cmd.guests)), conn, ctx)
    return [domain.reachable(i) for i in ctx.store.invitations.invitees(conn, cmd.event_id)]


def invitations(conn, ctx: Context, event_id) -> list[dict]:
    """An event's invitees with their answers and whether the invitation reaches them (an
    e-mail address); raises NotFound (event)."""
    ctx.store.meetings.get_event(conn, event_id)
    return [domain.reachable(i) for i in ctx.store.invitations.invitees(conn, event_id)]


ANSWER_WORDS = {"yes": "Zusage", "no": "Absage", "maybe": "Vielleicht", None: "noch keine Antwort"}
INVITEE_HEADER = ["Name", "E-Mail", "Eingeladen als", "Antwort", "Geantwortet am", "Erreichbar"]


def invitation_sheet(conn, ctx: Context, event_id) -> tuple[str, list[str], list[list]]:
    """The invitees with their answers as one sheet, in German order; raises NotFound."""
    rows = sorted(invitations(conn, ctx, event_id), key=lambda i: german_key(i["name"]))
    return (
        "Eingeladene",
        INVITEE_HEADER,
        [
            [
                i["name"],
                i["email"],
                i["via"],
                ANSWER_WORDS.get(i["answer"], i["answer"]),
                i["answered_at"].astimezone(ctx.tz).strftime("%d.%m.%Y %H:%M")
                if i["answered_at"]
                else None,
                i["reachable"],
            ]
            for i in rows
        ],
    )


def replies(conn, ctx: Context, event_id) -> list[dict]:
    """The invitees who answered; raises NotFound (event)."""
    return [i for i in invitations(conn, ctx, event_id) if i["answer"]]


def reply_to_invitation(cmd: ReplyToInvitation, conn, ctx: Context) -> dict:
    """Answer an invitation (as the invited person or partner); raises Forbidden (not invited)."""
    invited = {i["invitee"] for i in ctx.store.invitations.invitees(conn, cmd.event_id)}
    who = domain.invitee_of(invited, cmd.sub, cmd.partner_id)
    row = ctx.store.invitations.set_answer(conn, cmd.event_id, who, cmd.answer, ctx.now)
    if row is None:
        raise Forbidden("Antworten können nur Eingeladene.")
    return row


def _linked_invitations(conn, ctx: Context, event_id, email: str, token: str, lock=False):
    """The invitations a reply link is for; raises Forbidden (a wrong token), NotFound (event;
    an address not invited)."""
    subject = invitation_subject(event_id, email)
    if not link_token_matches(
        ctx.settings.link_secret, token, REPLY_TO_INVITATION, ctx.tenant.key, subject
    ):
        raise Forbidden("Der Antwortlink ist ungültig.")
    event = ctx.store.meetings.get_event(conn, event_id)
    found = ctx.store.invitations.invitations_by_email(conn, event_id, email, lock=lock)
    if not found:
        raise NotFound("Zu diesem Termin ist diese Adresse nicht (mehr) eingeladen.")
    return event, found


def linked_invitation(conn, ctx: Context, event_id, *, email: str, token: str) -> dict:
    """What the reply link of an invitation mail answers (the event, the invitee's name and
    answer), changing nothing; raises Forbidden (wrong token), NotFound (event, not invited)."""
    event, found = _linked_invitations(conn, ctx, event_id, email, token)
    return {"event": event_with_agenda(conn, ctx, event), **domain.linked_answer(found)}


def reply_by_link(cmd: ReplyByLink, conn, ctx: Context) -> dict:
    """Answer with the reply link of the invitation mail (every invitation to that address);
    raises Forbidden (wrong token), NotFound (event, not invited), Conflict (cancelled)."""
    event, found = _linked_invitations(conn, ctx, cmd.event_id, cmd.email, cmd.token, lock=True)
    domain.ensure_answerable(event)
    for i in found:
        ctx.store.invitations.set_answer(conn, cmd.event_id, i["invitee"], cmd.answer, ctx.now)
    found = ctx.store.invitations.invitations_by_email(conn, cmd.event_id, cmd.email)
    return {"event": event_with_agenda(conn, ctx, event), **domain.linked_answer(found)}
