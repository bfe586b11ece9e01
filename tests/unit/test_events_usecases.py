"""Events' invitation use cases over a fake store and outbox: who is invited, who cannot be
reached, what events.event.invited carries, and the invitees' answers (RSVP).

Magdeburg's Projektgruppe is the body (deploy/tenants/magdeburg.yaml); the meeting lies a week
after the fixed clock (tests.fakes.NOW).
"""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from knotenpunkt.services.events.handlers import invitations
from knotenpunkt.shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from knotenpunkt.shared.links import REPLY_TO_INVITATION, invitation_subject, link_token
from tests.fakes import NO_CONNECTION, NOW, FakeOutbox, context
from tests.fakes.events import FakeEventsStore

TENANT = "magdeburg"
BODY = "projektgruppe"


@pytest.fixture
def store():
    s = FakeEventsStore()
    s.add_body_member(BODY, "p-anna", "Anna Amsel", "anna@example.org")
    s.add_body_member(BODY, "p-bert", "Bert Buche", None)  # no address: invited, not reached
    return s


@pytest.fixture
def outbox():
    return FakeOutbox()


@pytest.fixture
def ctx(store, outbox):
    return context("events", TENANT, store, outbox=outbox)


def meeting(store, **values) -> dict:
    return store.add_event(TENANT, NOW + timedelta(days=7), body=BODY, **values)


def invite(ctx, event, **who) -> list[dict]:
    return invitations.invite(invitations.Invite(event["id"], **who), NO_CONNECTION, ctx)


def test_inviting_a_body_invites_its_members_and_says_who_cannot_be_reached(store, ctx, outbox):
    event = meeting(store)

    found = invite(ctx, event, body=BODY)

    assert [(i["invitee"], i["via"], i["reachable"]) for i in found] == [
        ("p-anna", f"body:{BODY}", True),
        ("p-bert", f"body:{BODY}", False),
    ]
    assert outbox.names() == ["events.event.invited"]
    (sent,) = outbox.events
    assert sent["tenant"] == TENANT and sent["subject"] == str(event["id"])
    (data,) = outbox.of("events.event.invited")
    assert data["recipients"] == [
        {"invitee": "p-anna", "name": "Anna Amsel", "email": "anna@example.org"},
        {"invitee": "p-bert", "name": "Bert Buche", "email": None},
    ]
    assert data["id"] == str(event["id"]) and data["body"] == BODY
    assert data["status"] == "invited" and data["sequence"] == 0
    assert data["starts_at"] == str(event["starts_at"])
    assert [a["title"] for a in data["agenda"]] == ["Begrüßung"]
    # a planned meeting becomes invited
    assert store.meetings.get_event(NO_CONNECTION, event["id"])["status"] == "invited"


def test_inviting_all_partners_invites_the_active_ones_by_partner_id(store, ctx, outbox):
    event = meeting(store)
    active = store.add_partner("Verein Brücke", "bruecke@example.org")
    store.add_partner("Verein Gestern", "gestern@example.org", status="left")
    silent = store.add_partner("Verein Still", None)

    found = invite(ctx, event, all_partners=True)

    assert [(i["invitee"], i["via"], i["reachable"]) for i in found] == [
        (str(active), "partners", True),
        (str(silent), "partners", False),
    ]
    (data,) = outbox.of("events.event.invited")
    assert [r["invitee"] for r in data["recipients"]] == [str(active), str(silent)]


def test_named_guests_are_invited_by_their_address_in_lower_case(store, ctx, outbox):
    event = meeting(store)

    found = invite(ctx, event, guests=({"name": "Gast e. V.", "email": "Gast@Example.org"},))

    assert [(i["invitee"], i["email"], i["via"]) for i in found] == [
        ("gast@example.org", "Gast@Example.org", "guests")
    ]
    (data,) = outbox.of("events.event.invited")
    assert data["recipients"] == [
        {"invitee": "gast@example.org", "name": "Gast e. V.", "email": "Gast@Example.org"}
    ]


def test_a_body_partners_and_guests_at_once_announce_one_invitation_each(store, ctx, outbox):
    event = meeting(store)
    store.add_partner("Verein Brücke", "bruecke@example.org")

    found = invite(
        ctx,
        event,
        body=BODY,
        all_partners=True,
        guests=({"name": "Gast", "email": "gast@example.org"},),
    )

    assert [i["via"] for i in found] == [f"body:{BODY}", f"body:{BODY}", "guests", "partners"]
    assert outbox.names() == ["events.event.invited"] * 3


def test_a_repeated_invitation_is_not_doubled(store, ctx, outbox):
    event = meeting(store)
    invite(ctx, event, body=BODY)
    store.add_body_member(BODY, "p-cleo", "Cleo Christ", "cleo@example.org")

    found = invite(ctx, event, body=BODY)

    assert [i["invitee"] for i in found] == ["p-anna", "p-bert", "p-cleo"]
    assert len(store.tables.invitations) == 3
    # each invitation is announced with the body's members as its recipients
    first, second = outbox.of("events.event.invited")
    assert [r["invitee"] for r in second["recipients"]] == ["p-anna", "p-bert", "p-cleo"]
    assert first["status"] == second["status"] == "invited"


def test_an_answer_survives_a_repeated_invitation(store, ctx):
    event = meeting(store)
    invite(ctx, event, body=BODY)
    invitations.reply_to_invitation(
        invitations.ReplyToInvitation(event["id"], "yes", "p-anna"), NO_CONNECTION, ctx
    )

    found = invite(ctx, event, body=BODY)

    assert [(i["invitee"], i["answer"]) for i in found] == [("p-anna", "yes"), ("p-bert", None)]


def test_an_unknown_body_or_event_is_not_found_and_nothing_is_announced(store, ctx, outbox):
    event = meeting(store)
    with pytest.raises(NotFound, match="Gremium 'rat'"):
        invite(ctx, event, body="rat")
    with pytest.raises(NotFound, match="Termin"):
        invitations.invite(invitations.Invite(uuid4(), body=BODY), NO_CONNECTION, ctx)
    assert outbox.events == [] and store.tables.invitations == {}


def test_a_working_group_without_members_is_refused(store, ctx, outbox):
    event = meeting(store)
    with pytest.raises(RuleViolation) as refused:
        invite(ctx, event, working_group_id=uuid4())
    assert refused.value.field == "working_group_id"
    assert outbox.events == []


def test_a_working_group_reaches_its_members_through_their_partners_address(store, ctx):
    event = meeting(store)
    group = uuid4()
    partner = store.add_partner("Verein Brücke", "bruecke@example.org")
    store.add_group_member(group, "p-dora", "Dora Dachs", str(partner))
    store.add_group_member(group, "p-emil", "Emil Eibe")

    found = invite(ctx, event, working_group_id=group)

    assert [(i["invitee"], i["email"], i["reachable"]) for i in found] == [
        ("p-dora", "bruecke@example.org", True),
        ("p-emil", None, False),
    ]


def test_only_a_planned_meeting_becomes_invited(store, ctx, outbox):
    cancelled = meeting(store, status="cancelled")

    invite(ctx, cancelled, body=BODY)

    # the status after an invitation (domain.invitations.status_after_invitation)
    assert store.meetings.get_event(NO_CONNECTION, cancelled["id"])["status"] == "cancelled"
    assert outbox.of("events.event.invited")[0]["status"] == "cancelled"


# --- Answers (RSVP) ---------------------------------------------------------------------------


def reply(ctx, event, answer, sub, partner_id=None) -> dict:
    cmd = invitations.ReplyToInvitation(event["id"], answer, sub, partner_id)
    return invitations.reply_to_invitation(cmd, NO_CONNECTION, ctx)


def test_an_invited_member_answers_and_the_answer_is_listed(store, ctx, outbox):
    event = meeting(store)
    invite(ctx, event, body=BODY)
    sent = len(outbox.events)

    row = reply(ctx, event, "maybe", "p-anna")
    row = reply(ctx, event, "yes", "p-anna")  # answering again changes the answer

    assert (row["invitee"], row["answer"], row["answered_at"]) == ("p-anna", "yes", NOW)
    replies = invitations.replies(NO_CONNECTION, ctx, event["id"])
    assert [(r["invitee"], r["answer"]) for r in replies] == [("p-anna", "yes")]
    assert len(outbox.events) == sent  # an answer announces nothing


def test_a_person_answers_for_their_invited_partner(store, ctx):
    event = meeting(store)
    partner = store.add_partner("Verein Brücke", "bruecke@example.org")
    invite(ctx, event, all_partners=True)

    row = reply(ctx, event, "no", "p-someone", str(partner))

    assert (row["invitee"], row["answer"]) == (str(partner), "no")


def test_who_is_not_invited_cannot_answer(store, ctx):
    event = meeting(store)
    invite(ctx, event, body=BODY)
    with pytest.raises(Forbidden, match="Eingeladene"):
        reply(ctx, event, "yes", "p-stranger")


def link(ctx, event, email: str) -> str:
    subject = invitation_subject(event["id"], email)
    return link_token(ctx.settings.link_secret, REPLY_TO_INVITATION, TENANT, subject)


def test_the_reply_link_answers_every_invitation_to_its_address(store, ctx):
    event = meeting(store)
    store.add_partner("Anna Amsel e. V.", "Anna@example.org")
    invite(ctx, event, body=BODY, all_partners=True)

    cmd = invitations.ReplyByLink(
        event["id"], "anna@example.org", link(ctx, event, "anna@example.org"), "yes"
    )
    answered = invitations.reply_by_link(cmd, NO_CONNECTION, ctx)

    assert (answered["name"], answered["answer"], answered["answered_at"]) == (
        "Anna Amsel",
        "yes",
        NOW,
    )
    assert answered["event"]["id"] == event["id"] and answered["event"]["warnings"] == []
    found = invitations.invitations(NO_CONNECTION, ctx, event["id"])
    assert sorted(i["answer"] or "-" for i in found) == ["-", "yes", "yes"]


def test_a_wrong_reply_link_a_stranger_and_a_cancelled_meeting_are_refused(store, ctx):
    event = meeting(store)
    invite(ctx, event, body=BODY)

    def by_link(email, token):
        cmd = invitations.ReplyByLink(event["id"], email, token, "yes")
        return invitations.reply_by_link(cmd, NO_CONNECTION, ctx)

    with pytest.raises(Forbidden, match="Antwortlink"):
        by_link("anna@example.org", "x" * 32)
    with pytest.raises(NotFound, match="nicht \\(mehr\\) eingeladen"):
        by_link("fremd@example.org", link(ctx, event, "fremd@example.org"))
    store.tables.events[event["id"]]["status"] = "cancelled"
    with pytest.raises(Conflict, match="abgesagt"):
        by_link("anna@example.org", link(ctx, event, "anna@example.org"))
    assert all(i["answer"] is None for i in store.tables.invitations.values())
