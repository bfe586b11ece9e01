"""Use cases of meetings: events, agendas, topic submissions, invitations, minutes, introductions, calendars."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from uuid import UUID

from knotenpunkt.services.events import copies
from knotenpunkt.services.events.domain import meetings as domain
from knotenpunkt.services.events.handlers import emit, jsonable, meeting_rules
from knotenpunkt.services.events.store import meetings as store
from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import Forbidden, NotFound, RuleViolation, Unauthorized
from knotenpunkt.shared.ical import ics
from knotenpunkt.shared.links import (
    REPLY_TO_INVITATION,
    SUBSCRIBE_BODY_CALENDAR,
    calendar_subject,
    invitation_subject,
    link_token,
    link_token_matches,
)
from knotenpunkt.shared.usecase import Context

# --- Commands -------------------------------------------------------------------------


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


@dataclass(frozen=True)
class SetAgenda:
    event_id: UUID
    items: tuple = ()


@dataclass(frozen=True)
class PublishAgenda:
    event_id: UUID


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


@dataclass(frozen=True)
class WriteMinutes:
    event_id: UUID
    attendees: tuple = ()
    notes: tuple = ()
    ballot_ids: tuple = ()


@dataclass(frozen=True)
class ApproveMinutes:
    event_id: UUID
    by: str | None


@dataclass(frozen=True)
class PublishMinutes:
    event_id: UUID
    by: str | None


@dataclass(frozen=True)
class ScheduleIntroduction:
    partner_id: str
    name: str
    email: str | None = None


# --- Events and agendas ---------------------------------------------------------------


def _full(conn, event: dict, warnings=()) -> dict:
    return {**event, "agenda": store.agenda(conn, event["id"]), "warnings": list(warnings)}


def record_event(conn, ctx: Context, data: dict) -> dict:
    """Insert an event and announce it (events.event.planned); returns the row, raises nothing."""
    event = store.create_event(conn, ctx.tenant.key, data)
    emit(conn, ctx, "event", "planned", domain.summary(event), event["id"])
    return event


def plan_event(cmd: PlanEvent, conn, ctx: Context) -> dict:
    """Plan an event under its body's rules and place pending introductions at it; raises NotFound (body), RuleViolation (a hard rule of the body)."""
    warnings = domain.check_meeting(
        meeting_rules(ctx, cmd.body), cmd.starts_at, cmd.ends_at, ctx.tz
    )
    event = record_event(conn, ctx, asdict(cmd))
    if cmd.kind == ctx.rules["membership"]["introduction"]["event_kind"]:
        for intro in store.pending_introductions(conn):
            _place_introduction(conn, ctx, intro["partner_id"], intro["name"], intro["email"])
    return _full(conn, event, warnings)


def change_event(cmd: ChangeEvent, conn, ctx: Context) -> dict:
    """Change or cancel an event and tell the invitees (events.event.changed / cancelled); raises NotFound (event, body), RuleViolation (a hard rule of the body)."""
    old = store.get_event(conn, cmd.event_id, lock=True)
    merged = {**old, **cmd.changes}
    warnings = domain.check_meeting(
        meeting_rules(ctx, merged["body"]), merged["starts_at"], merged["ends_at"], ctx.tz
    )
    if not cmd.changes:
        return _full(conn, old, warnings)
    row = store.update_event(conn, cmd.event_id, cmd.changes)
    emit(
        conn,
        ctx,
        "event",
        domain.change_kind(old["status"], cmd.changes),
        {**domain.summary(row), "recipients": store.invitees(conn, cmd.event_id)},
        cmd.event_id,
    )
    return _full(conn, row, warnings)


def _with_own_answers(conn, events: list[dict], caller: Principal) -> list[dict]:
    """The events with `invited` and `my_answer` of a signed-in caller (unchanged for anyone else)."""
    mine = domain.caller_invitees(caller.person, caller.partner_id)
    if caller.anonymous or not mine or not events:
        return events
    found = store.answers_of(conn, [e["id"] for e in events], mine)
    out = []
    for e in events:
        invited, answer = domain.own_answer(
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
        invitees = domain.caller_invitees(caller.person, caller.partner_id)
        if caller.anonymous or not invitees:
            raise Unauthorized("Welche Einladungen Ihre sind, sehen Sie nach der Anmeldung.")
    rows, total = store.events_page(
        conn,
        public_only=not may(caller, "internal"),
        body=body,
        kind=kind,
        invitees=invitees,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return _with_own_answers(conn, rows, caller), total


def show_event(conn, ctx: Context, event_id, *, caller: Principal) -> dict:
    """An event with its agenda (for the network's people with the warnings of the body's
    rules; for a signed-in caller whether they are invited and their answer); raises NotFound
    (also for a private event asked by an outsider)."""
    event = store.get_event(conn, event_id)
    internal = may(caller, "internal")
    domain.ensure_visible(event, internal)
    warnings = (
        domain.meeting_warnings(
            meeting_rules(ctx, event["body"]), event["starts_at"], event["ends_at"], ctx.tz
        )
        if internal
        else ()
    )
    return _with_own_answers(conn, [_full(conn, event, warnings)], caller)[0]


def agenda(conn, ctx: Context, event_id, *, caller: Principal) -> list[dict]:
    """An event's agenda; raises NotFound (also for a private event asked by an outsider)."""
    domain.ensure_visible(store.get_event(conn, event_id), may(caller, "internal"))
    return store.agenda(conn, event_id)


def set_agenda(cmd: SetAgenda, conn, ctx: Context) -> list[dict]:
    """Replace the agenda by the items in their order; raises NotFound (event)."""
    store.get_event(conn, cmd.event_id, lock=True)
    store.clear_agenda(conn, cmd.event_id)
    for item in cmd.items:
        store.add_agenda_item(conn, ctx.tenant.key, cmd.event_id, item)
    return store.agenda(conn, cmd.event_id)


def publish_agenda(cmd: PublishAgenda, conn, ctx: Context) -> dict:
    """Publish the agenda to the invitees (events.agenda.published); raises NotFound (event)."""
    store.get_event(conn, cmd.event_id, lock=True)
    row = store.mark_agenda_published(conn, cmd.event_id, ctx.now)
    emit(
        conn,
        ctx,
        "agenda",
        "published",
        {
            **domain.summary(row),
            "agenda": store.agenda(conn, cmd.event_id),
            "recipients": store.invitees(conn, cmd.event_id),
        },
        cmd.event_id,
    )
    return _full(conn, row)


# --- Calendars ---------------------------------------------------------------------------


def event_calendar(conn, ctx: Context, event_id, *, caller: Principal) -> str:
    """One event as an iCalendar document; raises NotFound (also for a private event asked by an outsider)."""
    event = store.get_event(conn, event_id)
    domain.ensure_visible(event, may(caller, "internal"))
    return ics([event], event["title"], now=ctx.now, tz=ctx.tz)


def public_calendar(conn, ctx: Context) -> str:
    """The network's public events as an iCalendar document; raises nothing."""
    events = store.list_events(conn, public_only=True)
    return ics(events, ctx.tenant.name, now=ctx.now, tz=ctx.tz)


def body_calendar(
    conn, ctx: Context, key: str, *, caller: Principal, person=None, token=None
) -> str:
    """A body's meetings as an iCalendar document, for a caller whose token has a role of the
    bodies' business (access "body") or else for the personal subscription link of a person who
    is a member of the body (events' copy; calendar apps send no token); raises NotFound
    (body), Forbidden (no or a wrong link, a person no longer a member)."""
    body = ctx.tenant.body_or_404(key)
    if not may(caller, "body"):
        _ensure_subscription(conn, ctx, key, person, token)
    events = store.list_events(conn, public_only=False, body=key)
    return ics(events, body["name"], now=ctx.now, tz=ctx.tz)


def _ensure_subscription(conn, ctx: Context, key: str, person, token) -> None:
    """Raises Forbidden unless `token` is the subscription link token of `person` for the body
    and the person is (still) a member of it."""
    if not person or not token:
        raise Forbidden(
            "Den Kalender des Gremiums öffnet ohne Anmeldung als Mitglied nur der persönliche "
            "Abonnement-Link (person und token in der Adresse)."
        )
    subject = calendar_subject(person, key)
    if not link_token_matches(
        ctx.settings.link_secret, token, SUBSCRIBE_BODY_CALENDAR, ctx.tenant.key, subject
    ):
        raise Forbidden("Der Abonnement-Link (token) ist ungültig.")
    if not copies.is_body_member(conn, key, person):
        raise Forbidden(
            "Der Abonnement-Link gilt nur, solange die Person Mitglied des Gremiums ist."
        )


def calendar_link(conn, ctx: Context, key: str, *, caller: Principal) -> dict:
    """The caller's personal subscription link of a body's calendar (https and webcal), for
    calendar apps that send no token; raises NotFound (body), Forbidden (not a member)."""
    body = ctx.tenant.body_or_404(key)
    person = caller.person
    if not person or not copies.is_body_member(conn, key, person):
        raise Forbidden("Einen Abonnement-Link erhalten nur Mitglieder des Gremiums.")
    token = link_token(
        ctx.settings.link_secret,
        SUBSCRIBE_BODY_CALENDAR,
        ctx.tenant.key,
        calendar_subject(person, key),
    )
    return domain.subscription_link(
        ctx.settings.public_url, ctx.tenant.key, key, body["name"], person, token
    )


# --- Topic submissions -------------------------------------------------------------------


def submissions(conn, ctx: Context, event_id) -> list[dict]:
    """An event's topic submissions, oldest first; raises NotFound (event)."""
    store.get_event(conn, event_id)
    return store.list_submissions(conn, event_id)


def network_submissions(
    conn, ctx: Context, *, status=None, page=1, page_size=50
) -> tuple[list[dict], int]:
    """A page of the network's topic submissions to events not cancelled (of one status), oldest
    first, with their event, and how many there are; raises nothing."""
    return store.submissions_page(
        conn, status=status, limit=page_size, offset=(page - 1) * page_size
    )


def submit_topic(cmd: SubmitTopic, conn, ctx: Context) -> dict:
    """Propose a topic for the agenda (events.topic_submission.submitted); raises NotFound (event), Conflict (cancelled or begun)."""
    event = store.get_event(conn, cmd.event_id)
    domain.ensure_topics_accepted(event, ctx.now)
    row = store.add_submission(
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
    sub = store.get_submission(conn, cmd.event_id, cmd.submission_id)
    status = domain.decision_status(sub, cmd.accepted, cmd.reason)
    row = store.set_submission_status(conn, cmd.submission_id, status, cmd.reason)
    if cmd.accepted:
        store.add_agenda_item(conn, ctx.tenant.key, cmd.event_id, domain.submission_item(sub))
    emit(conn, ctx, "topic_submission", "decided", row, row["id"])
    return row


# --- Invitations and replies ---------------------------------------------------------------


def _send(conn, ctx: Context, event_id, people: list[dict], via: str) -> int:
    """Invite the people and announce it (events.event.invited); returns how many were new."""
    new = sum(store.add_invitation(conn, ctx.tenant.key, event_id, p, via) for p in people)
    event = store.get_event(conn, event_id, lock=True)
    status = domain.status_after_invitation(event["status"])
    if status != event["status"]:
        event = store.set_event_status(conn, event_id, status)
    emit(
        conn,
        ctx,
        "event",
        "invited",
        {**domain.summary(event), "agenda": store.agenda(conn, event_id), "recipients": people},
        event_id,
    )
    return new


def invite_body(cmd: InviteBody, conn, ctx: Context) -> int:
    """Invite every member of a body; returns how many were new; raises NotFound (event, body)."""
    ctx.tenant.body_or_404(cmd.body)
    people = [
        {"invitee": m["person_id"], "name": m["name"], "email": m["email"]}
        for m in copies.body_members(conn, cmd.body)
    ]
    return _send(conn, ctx, cmd.event_id, people, f"body:{cmd.body}")


def invite_working_group(cmd: InviteWorkingGroup, conn, ctx: Context) -> int:
    """Invite every member of a working group; returns how many were new; raises NotFound (event), RuleViolation (a group without members)."""
    people = [
        {"invitee": m["person_id"], "name": m["name"], "email": m["email"]}
        for m in copies.group_members(conn, cmd.working_group_id)
    ]
    if not people:
        raise RuleViolation(
            "Diese Arbeitsgruppe hat (noch) keine Mitglieder.", field="working_group_id"
        )
    return _send(conn, ctx, cmd.event_id, people, f"working_group:{cmd.working_group_id}")


def invite_partners(cmd: InvitePartners, conn, ctx: Context) -> int:
    """Invite every active partner; returns how many were new; raises NotFound (event)."""
    people = [
        {"invitee": str(p["partner_id"]), "name": p["name"], "email": p["email"]}
        for p in copies.active_partners(conn)
    ]
    return _send(conn, ctx, cmd.event_id, people, "partners")


def invite_guests(cmd: InviteGuests, conn, ctx: Context) -> int:
    """Invite named guests (name, email); returns how many were new; raises NotFound (event)."""
    people = [
        {"invitee": g["email"].lower(), "name": g["name"], "email": g["email"]} for g in cmd.guests
    ]
    return _send(conn, ctx, cmd.event_id, people, "guests")


def invite(cmd: Invite, conn, ctx: Context) -> list[dict]:
    """Invite a body, a working group, all partners and/or guests; returns the invitees; raises NotFound (event, body), RuleViolation (a working group without members)."""
    store.get_event(conn, cmd.event_id, lock=True)
    if cmd.body:
        invite_body(InviteBody(cmd.event_id, cmd.body), conn, ctx)
    if cmd.working_group_id:
        invite_working_group(InviteWorkingGroup(cmd.event_id, cmd.working_group_id), conn, ctx)
    if cmd.all_partners:
        invite_partners(InvitePartners(cmd.event_id), conn, ctx)
    if cmd.guests:
        invite_guests(InviteGuests(cmd.event_id, tuple(cmd.guests)), conn, ctx)
    return [domain.reachable(i) for i in store.invitees(conn, cmd.event_id)]


def invitations(conn, ctx: Context, event_id) -> list[dict]:
    """An event's invitees with their answers and whether the invitation reaches them (an
    e-mail address); raises NotFound (event)."""
    store.get_event(conn, event_id)
    return [domain.reachable(i) for i in store.invitees(conn, event_id)]


def replies(conn, ctx: Context, event_id) -> list[dict]:
    """The invitees who answered; raises NotFound (event)."""
    return [i for i in invitations(conn, ctx, event_id) if i["answer"]]


def reply_to_invitation(cmd: ReplyToInvitation, conn, ctx: Context) -> dict:
    """Answer an invitation (as the invited person or partner); raises Forbidden (not invited)."""
    invited = {i["invitee"] for i in store.invitees(conn, cmd.event_id)}
    who = domain.invitee_of(invited, cmd.sub, cmd.partner_id)
    row = store.set_answer(conn, cmd.event_id, who, cmd.answer, ctx.now)
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
    event = store.get_event(conn, event_id)
    found = store.invitations_by_email(conn, event_id, email, lock=lock)
    if not found:
        raise NotFound("Zu diesem Termin ist diese Adresse nicht (mehr) eingeladen.")
    return event, found


def linked_invitation(conn, ctx: Context, event_id, *, email: str, token: str) -> dict:
    """What the reply link of an invitation mail answers (the event, the invitee's name and
    answer), changing nothing; raises Forbidden (wrong token), NotFound (event, not invited)."""
    event, found = _linked_invitations(conn, ctx, event_id, email, token)
    return {"event": _full(conn, event), **domain.linked_answer(found)}


def reply_by_link(cmd: ReplyByLink, conn, ctx: Context) -> dict:
    """Answer with the reply link of the invitation mail (every invitation to that address);
    raises Forbidden (wrong token), NotFound (event, not invited), Conflict (cancelled)."""
    event, found = _linked_invitations(conn, ctx, cmd.event_id, cmd.email, cmd.token, lock=True)
    domain.ensure_answerable(event)
    for i in found:
        store.set_answer(conn, cmd.event_id, i["invitee"], cmd.answer, ctx.now)
    found = store.invitations_by_email(conn, cmd.event_id, cmd.email)
    return {"event": _full(conn, event), **domain.linked_answer(found)}


# --- Minutes ----------------------------------------------------------------------------------


def _minutes(conn, event_id) -> dict:
    return store.find_minutes(conn, event_id) or domain.blank_minutes(event_id)


def _visible_minutes(conn, event_id, caller: Principal) -> tuple[dict, dict]:
    internal = may(caller, "internal")
    event = store.get_event(conn, event_id)
    found = _minutes(conn, event_id)
    domain.ensure_minutes_visible(found, internal)
    domain.ensure_visible(event, internal)
    return event, found


def minutes(conn, ctx: Context, event_id, *, caller: Principal) -> dict:
    """An event's minutes (a blank draft before any were written); raises NotFound (event; unpublished minutes or a private event asked by an outsider)."""
    return _visible_minutes(conn, event_id, caller)[1]


def minutes_document(conn, ctx: Context, event_id, *, caller: Principal) -> str:
    """The minutes as Markdown, with dissenting opinions; raises NotFound as `minutes` does."""
    event, found = _visible_minutes(conn, event_id, caller)
    return domain.minutes_markdown(event, found, store.agenda(conn, event_id), ctx.tz)


def write_minutes(cmd: WriteMinutes, conn, ctx: Context) -> dict:
    """Write the draft: attendees, notes per item, decisions from closed ballots; raises NotFound (event), Conflict (no longer a draft), RuleViolation (a ballot without result)."""
    store.get_event(conn, cmd.event_id)
    domain.ensure_minutes_editable(_minutes(conn, cmd.event_id))
    decisions = []
    for ballot_id in cmd.ballot_ids:
        result = copies.ballot_result(conn, ballot_id)
        if result is None:
            raise RuleViolation(
                f"Zur Abstimmung {ballot_id} liegt noch kein Ergebnis vor.", field="ballot_ids"
            )
        decisions.append(result)
    return store.save_minutes(
        conn,
        ctx.tenant.key,
        cmd.event_id,
        list(cmd.attendees),
        jsonable(list(cmd.notes)),
        decisions,
        ctx.now,
    )


def _advance(conn, ctx: Context, event_id, to: str, by: str | None) -> dict:
    store.get_event(conn, event_id, lock=True)
    current = domain.ensure_minutes_written(store.find_minutes(conn, event_id), event_id)
    domain.ensure_next_minutes_status(current["status"], to)
    published_at = ctx.now if to == "published" else None
    return store.set_minutes_status(conn, event_id, to, by, published_at, ctx.now)


def approve_minutes(cmd: ApproveMinutes, conn, ctx: Context) -> dict:
    """Approve the draft; raises NotFound (event), Conflict (none written, not a draft)."""
    return _advance(conn, ctx, cmd.event_id, "approved", cmd.by)


def publish_minutes(cmd: PublishMinutes, conn, ctx: Context) -> dict:
    """Publish the approved minutes to the invitees (events.minutes.published); raises NotFound (event), Conflict (none written, not approved)."""
    row = _advance(conn, ctx, cmd.event_id, "published", cmd.by)
    event = store.get_event(conn, cmd.event_id)
    emit(
        conn,
        ctx,
        "minutes",
        "published",
        {
            **domain.summary(event),
            "decisions": row["decisions"],
            "recipients": store.invitees(conn, cmd.event_id),
        },
        cmd.event_id,
    )
    return row


# --- Introductions ------------------------------------------------------------------------------


def _place_introduction(conn, ctx: Context, partner_id: str, name: str, email) -> dict:
    intro = ctx.rules["membership"]["introduction"]
    row = store.add_pending_introduction(conn, ctx.tenant.key, partner_id, name, email)
    if row["status"] == "scheduled":
        return row
    candidates = store.list_events(conn, public_only=False, kind=intro["event_kind"], since=ctx.now)
    event = domain.introduction_event(candidates, intro["event_kind"], intro["lead_days"], ctx.now)
    if event is None:
        return row
    item = store.add_agenda_item(
        conn, ctx.tenant.key, event["id"], domain.introduction_item(row, intro["minutes"])
    )
    row = store.mark_introduction_scheduled(conn, row["partner_id"], event["id"], item["id"])
    emit(
        conn,
        ctx,
        "introduction",
        "scheduled",
        {
            "partner_id": row["partner_id"],
            "name": row["name"],
            "email": row["email"],
            "event": domain.summary(event),
            "minutes": intro["minutes"],
        },
        row["partner_id"],
    )
    return row


def schedule_introduction(cmd: ScheduleIntroduction, conn, ctx: Context) -> dict | None:
    """Give an admitted partner an agenda slot at the next suitable event, or a pending slot (events.introduction.scheduled); None where the network has no introductions; raises nothing."""
    if not ctx.rules["membership"]["introduction"]["enabled"]:
        return None
    return _place_introduction(conn, ctx, cmd.partner_id, cmd.name, cmd.email)
