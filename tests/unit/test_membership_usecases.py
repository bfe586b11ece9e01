"""Membership's use cases against the fake store (tests/fakes/membership.py), without I/O.

The admission (Chemnitz, Leitlinie 3): the Koordinierungsstelle checks an application
(complete and plausible: to the vote of the admitting body; else back with a note), the ballot's
close decides it (once, and only the application's own ballot), and the outcome is told after
the voting period. The erasure: a person's contacts erased with their copies, announced as
membership.contact.erased.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from knotenpunkt.services.membership.domain.partners import ERASED_NAME
from knotenpunkt.services.membership.handlers.admissions import (
    AnnounceDueDecisions,
    DecideApplication,
    announce_due_decisions,
    decide_application,
)
from knotenpunkt.services.membership.handlers.applications import (
    CheckApplication,
    check_application,
)
from knotenpunkt.services.membership.handlers.privacy import (
    EraseContact,
    WithdrawConsent,
    erase_contact,
    withdraw_consent,
)
from knotenpunkt.shared.errors import Conflict, RuleViolation
from tests.fakes import NO_CONNECTION, NOW, TENANTS, FakeOutbox, context
from tests.fakes.membership import FakeMembershipStore

BODY = "vorbereitungsgremium"  # Chemnitz's admitting body
DAYS = 14  # its decision_days


@pytest.fixture
def store():
    return FakeMembershipStore()


@pytest.fixture
def outbox():
    return FakeOutbox()


def ctx_at(store, outbox, now=NOW, tenant="chemnitz", **rules):
    ctx = context("membership", tenant, store, now=now, outbox=outbox)
    if rules:
        membership = {**ctx.tenant.rules["membership"], **rules}
        tenant_ = dataclasses.replace(
            ctx.tenant, rules={**ctx.tenant.rules, "membership": membership}
        )
        ctx = dataclasses.replace(ctx, tenant=tenant_)
    return ctx


def checked(store, outbox, **values) -> dict:
    """An application the Koordinierungsstelle sent to the vote at NOW."""
    app = store.applications.add(**values)
    return check_application(
        CheckApplication(app["id"], complete=True, plausible=True),
        NO_CONNECTION,
        ctx_at(store, outbox),
    )


def closed(app: dict, outcome="adopted", *, closed_at=NOW + timedelta(days=2), **ballot):
    """voting.ballot.closed of the application's own ballot, as the worker turns it into a command."""
    values = {
        "application_id": app["id"],
        "outcome": outcome,
        "ballot_id": "b-1",
        "tally": {"yes": 3, "no": 0, "abstain": 0},
        "closed_at": closed_at.isoformat(),
        "deadline": (NOW + timedelta(days=DAYS)).isoformat(),
        "body": BODY,
        "opened_by": f"event:{app['checked_event']}",
        "origin": "application.checked",
        **ballot,
    }
    return DecideApplication(**values)


def cmd_now(cmd: DecideApplication) -> datetime:
    """The moment the worker handles the closed event (its closed_at)."""
    return datetime.fromisoformat(cmd.closed_at)


# --- The check ----------------------------------------------------------------------------


def test_a_complete_and_plausible_application_goes_to_the_admitting_bodys_vote(store, outbox):
    app = store.applications.add()
    row = check_application(
        CheckApplication(app["id"], complete=True, plausible=True),
        NO_CONNECTION,
        ctx_at(store, outbox),
    )
    assert row["status"] == "in_vote"
    assert (row["checked_by"], row["checked_at"]) == ("coordinator", NOW)
    assert [h["status"] for h in row["history"]] == ["in_vote"]
    assert outbox.names() == ["membership.application.checked"]
    (data,) = outbox.of("membership.application.checked")
    assert data["body"] == BODY
    assert data["decision_days"] == DAYS
    assert data["deadline"] == (NOW + timedelta(days=DAYS)).isoformat()
    assert data["subject"] == {"kind": "admission", "id": str(app["id"])}
    assert data["application_id"] == str(app["id"])
    assert data["contact"] == {"name": "Ada Antrag", "email": "ada@example.org", "language": "de"}
    # voting opens the ballot from this event: only a ballot opened by it decides
    assert row["checked_event"] == outbox.events[0]["id"]
    assert outbox.events[0]["subject"] == str(app["id"])


def test_an_incomplete_application_is_returned_with_the_note(store, outbox):
    app = store.applications.add()
    row = check_application(
        CheckApplication(app["id"], complete=False, plausible=True, note="Satzung fehlt"),
        NO_CONNECTION,
        ctx_at(store, outbox),
    )
    assert (row["status"], row["check_note"]) == ("returned", "Satzung fehlt")
    assert row["history"][-1]["note"] == "Satzung fehlt"
    assert outbox.names() == ["membership.application.returned"]
    assert outbox.of("membership.application.returned")[0]["note"] == "Satzung fehlt"


def test_a_return_needs_a_note_and_only_a_submitted_application_is_checked(store, outbox):
    app = store.applications.add()
    with pytest.raises(RuleViolation):
        check_application(
            CheckApplication(app["id"], complete=True, plausible=False, note=" "),
            NO_CONNECTION,
            ctx_at(store, outbox),
        )
    voting = store.applications.add(status="in_vote")
    with pytest.raises(Conflict):
        check_application(
            CheckApplication(voting["id"], complete=True, plausible=True),
            NO_CONNECTION,
            ctx_at(store, outbox),
        )
    assert outbox.events == []
    assert store.tables.applications[app["id"]]["status"] == "submitted"


# --- The decision -----------------------------------------------------------------------


def test_an_adopted_ballot_admits_and_chemnitz_tells_it_after_the_voting_period(store, outbox):
    app = checked(store, outbox)
    outbox.events.clear()
    cmd = closed(app)
    decided = decide_application(cmd, NO_CONNECTION, ctx_at(store, outbox, cmd_now(cmd)))
    deadline = NOW + timedelta(days=DAYS)
    assert decided["status"] == "admitted"
    assert (decided["ballot_id"], decided["announce_at"]) == ("b-1", deadline)
    assert decided["announced_at"] is None
    (partner,) = store.tables.partners.values()
    assert decided["partner_id"] == partner["id"]
    assert partner["name"] == "Verein Beispiel e.V." and partner["status"] == "active"
    assert partner["embargoed_until"] == deadline  # not listed before the outcome is told
    (contact,) = store.tables.contacts.values()
    assert (contact["partner_id"], contact["email"]) == (partner["id"], "ada@example.org")
    assert contact["legal_basis"] == "consent"
    # before the deadline: the contact only, no partner.admitted yet
    assert outbox.names() == ["membership.contact.created"]
    assert (
        announce_due_decisions(
            AnnounceDueDecisions(),
            NO_CONNECTION,
            ctx_at(store, outbox, deadline - timedelta(minutes=1)),
        )
        == []
    )
    assert outbox.names() == ["membership.contact.created"]

    told = announce_due_decisions(
        AnnounceDueDecisions(), NO_CONNECTION, ctx_at(store, outbox, deadline)
    )
    assert [t["announced_at"] for t in told] == [deadline]
    assert outbox.names() == ["membership.contact.created", "membership.partner.admitted"]
    (admitted,) = outbox.of("membership.partner.admitted")
    assert admitted["partner_id"] == str(partner["id"])
    assert admitted["application_id"] == str(app["id"])
    assert admitted["contact"]["email"] == "ada@example.org"
    assert admitted["decision"]["outcome"] == "adopted"
    assert store.tables.partners[partner["id"]]["embargoed_until"] is None
    # told once: the next run finds nothing due
    announce_due_decisions(AnnounceDueDecisions(), NO_CONNECTION, ctx_at(store, outbox, deadline))
    assert len(outbox.of("membership.partner.admitted")) == 1


def test_a_network_that_tells_at_the_close_announces_the_admission_at_once(store, outbox):
    app = checked(store, outbox)
    outbox.events.clear()
    cmd = closed(app)
    ctx = ctx_at(store, outbox, cmd_now(cmd), inform_applicant="at_close")
    decided = decide_application(cmd, NO_CONNECTION, ctx)
    assert decided["announced_at"] == cmd_now(cmd)
    (partner,) = store.tables.partners.values()
    assert partner["embargoed_until"] is None
    assert outbox.names() == ["membership.contact.created", "membership.partner.admitted"]


def test_a_rejected_application_is_told_as_rejected_and_makes_no_partner(store, outbox):
    app = checked(store, outbox)
    outbox.events.clear()
    cmd = closed(app, "rejected")
    decided = decide_application(cmd, NO_CONNECTION, ctx_at(store, outbox, cmd_now(cmd)))
    assert decided["status"] == "rejected" and decided["partner_id"] is None
    assert store.tables.partners == {} and outbox.events == []
    deadline = NOW + timedelta(days=DAYS)
    announce_due_decisions(AnnounceDueDecisions(), NO_CONNECTION, ctx_at(store, outbox, deadline))
    assert outbox.names() == ["membership.application.rejected"]
    (rejected,) = outbox.of("membership.application.rejected")
    assert rejected["application_id"] == str(app["id"])
    assert rejected["status"] == "rejected"
    assert rejected["decision"]["outcome"] == "rejected"


def test_a_redelivered_closed_event_changes_nothing(store, outbox):
    app = checked(store, outbox)
    cmd = closed(app, closed_at=NOW + timedelta(days=DAYS))
    ctx = ctx_at(store, outbox, cmd_now(cmd))
    first = decide_application(cmd, NO_CONNECTION, ctx)
    events = list(outbox.names())
    again = decide_application(cmd, NO_CONNECTION, ctx)
    assert again == first
    assert outbox.names() == events
    assert len(store.tables.partners) == 1 and len(store.tables.contacts) == 1


@pytest.mark.parametrize(
    "ballot",
    [
        {"origin": "manual"},  # opened by hand
        {"body": "koordinierungsstelle"},  # another body
        {"opened_by": "event:00000000-0000-0000-0000-000000000000"},  # an earlier check
    ],
    ids=["by-hand", "other-body", "other-check"],
)
def test_a_ballot_that_is_not_the_applications_own_decides_nothing(store, outbox, ballot):
    app = checked(store, outbox)
    outbox.events.clear()
    cmd = closed(app, **ballot)
    row = decide_application(cmd, NO_CONNECTION, ctx_at(store, outbox, cmd_now(cmd)))
    assert row["status"] == "in_vote"
    assert store.tables.applications[app["id"]]["status"] == "in_vote"
    assert store.tables.partners == {} and outbox.events == []


# --- The erasure ----------------------------------------------------------------------------


def person(store, email="ada@example.org", **values) -> dict:
    """A contact of a shared partner's person who sits on the admitting body and applied."""
    contact = store.partners.insert_contact(
        NO_CONNECTION,
        "chemnitz",
        {"name": "Ada Antrag", "email": email, "legal_basis": "consent", "consent_at": NOW}
        | {"shared": True, **values},
    )
    store.tables.body_members.append(
        {"body": BODY, "person_id": "p-ada", "name": "Ada Antrag", "email": email, "role": "member"}
    )
    store.applications.add(status="admitted")
    store.tables.sent_events.append(f'{{"data": {{"email": "{email}"}}}}')
    return contact


def test_erasing_a_contact_erases_the_persons_copies_and_announces_it(store, outbox):
    contact = person(store)
    erase_contact(EraseContact(contact["id"]), NO_CONNECTION, ctx_at(store, outbox))
    assert store.tables.contacts == {}
    assert store.tables.body_members == []
    (application,) = store.tables.applications.values()
    assert application["contact"]["name"] == ERASED_NAME
    assert application["contact"]["email"] is None
    assert store.tables.sent_events == []
    # it was in the shared directory: peers learn that it is gone
    assert store.tables.tombstones[("contact", contact["id"])]["reason"] == "erased"
    assert outbox.names() == ["membership.body.member_removed", "membership.contact.erased"]
    (erased,) = outbox.of("membership.contact.erased")
    assert erased == {"contact_id": str(contact["id"]), "email": "ada@example.org"}


def test_a_withdrawn_consent_erases_the_contacts_held_on_it_once(store, outbox):
    held = person(store)
    kept = store.partners.insert_contact(
        NO_CONNECTION,
        "chemnitz",
        {"name": "Ada Antrag", "email": "ADA@example.org", "legal_basis": "public_task"},
    )
    ctx = ctx_at(store, outbox)
    assert withdraw_consent(WithdrawConsent("ada@example.org"), NO_CONNECTION, ctx) == 1
    assert list(store.tables.contacts) == [kept["id"]]
    assert outbox.of("membership.contact.erased") == [
        {"contact_id": str(held["id"]), "email": "ada@example.org"}
    ]
    events = list(outbox.names())
    assert withdraw_consent(WithdrawConsent("ada@example.org"), NO_CONNECTION, ctx) == 0
    assert outbox.names() == events


def test_chemnitz_rules_are_what_these_tests_assume():
    membership = TENANTS.get("chemnitz").rules["membership"]
    assert (membership["admitting_body"], membership["decision_days"]) == (BODY, DAYS)
    assert membership["inform_applicant"] == "after_deadline"
