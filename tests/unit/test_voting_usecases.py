"""The voting use cases against the fake store: casting a vote and closing a ballot, with the
rules of the tenant files (deploy/tenants/*.yaml) and the events they add. No I/O."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from knotenpunkt.services.voting import handlers
from knotenpunkt.services.voting.domain import record as record_rules
from knotenpunkt.services.voting.rules_cache import RulesCache
from knotenpunkt.shared.errors import Conflict, Forbidden, RuleViolation
from tests.fakes import NO_CONNECTION, NOW, FakeOutbox, context
from tests.fakes.voting import FakeVotingStore

CHEMNITZ = "chemnitz"
PREPARING = "vorbereitungsgremium"  # simple majority, a reason for "no", closes when all voted
CONFERENCE = "netzwerkkonferenz"  # simple majority, no reasons, stays open until the deadline


class Voting:
    """One tenant's voting service over the fake store: a context per call, one outbox."""

    def __init__(self, tenant: str = CHEMNITZ, **body_changes):
        self.store = FakeVotingStore()
        self.outbox = FakeOutbox()
        self.cache = RulesCache()
        self.tenant = tenant
        self.body_changes = body_changes
        self.now = NOW

    def ctx(self, actor: str = "coordinator"):
        ctx = context(
            "voting",
            self.tenant,
            self.store,
            now=self.now,
            outbox=self.outbox,
            actor=actor,
            ballot_rules=self.cache,
        )
        if not self.body_changes:
            return ctx
        rules = ctx.tenant.rules
        bodies = [{**b, **self.body_changes} for b in rules["bodies"]]
        tenant = dataclasses.replace(ctx.tenant, rules={**rules, "bodies": bodies})
        return dataclasses.replace(ctx, tenant=tenant)

    def members(self, body: str, *people: str) -> None:
        for person in people:
            cmd = handlers.AddVoter(body, person, f"Name {person}", f"{person}@x.example")
            handlers.add_voter(cmd, NO_CONNECTION, self.ctx())

    def open(self, body: str = PREPARING, **fields) -> dict:
        cmd = handlers.OpenBallot(body=body, title="Aufnahme Kulturverein", **fields)
        return handlers.open_ballot(cmd, NO_CONNECTION, self.ctx())

    def vote(self, ballot: dict, person: str, choice: str, reason: str | None = None) -> dict:
        cmd = handlers.CastVote(str(ballot["id"]), person, choice, reason)
        return handlers.cast_vote(cmd, NO_CONNECTION, self.ctx(actor=person))

    def close(self, ballot: dict, by: str = "coordinator:kst") -> dict:
        cmd = handlers.CloseBallot(str(ballot["id"]), closed_by=by)
        return handlers.close_ballot(cmd, NO_CONNECTION, self.ctx())

    def ballot(self, ballot: dict) -> dict:
        return self.store.ballots.get_ballot(NO_CONNECTION, ballot["id"])


@pytest.fixture
def voting() -> Voting:
    v = Voting()
    v.members(PREPARING, "anna", "ben", "cem")
    v.members(CONFERENCE, "anna", "ben", "cem")
    return v


# --- Casting a vote ------------------------------------------------------------------------


def test_a_member_casts_a_named_vote(voting):
    ballot = voting.open()
    vote = voting.vote(ballot, "anna", "yes")
    assert vote == {
        "person_id": "anna",
        "choice": "yes",
        "reason": None,
        "cast_at": NOW,
        "changes": 0,
        "ballot_status": "open",
    }
    entries = voting.store.record.unsealed_entries(NO_CONNECTION, ballot["id"])
    assert entries[-1]["entry"] == {
        "type": "vote",
        "person_id": "anna",
        "choice": "yes",
        "reason": None,
    }


def test_someone_outside_the_frozen_electorate_may_not_vote(voting):
    ballot = voting.open()
    voting.members(PREPARING, "dora")  # joined after the opening
    with pytest.raises(Forbidden):
        voting.vote(ballot, "dora", "yes")
    assert voting.store.votes.named_votes(NO_CONNECTION, ballot["id"]) == []


def test_a_named_vote_may_be_changed_while_open(voting):
    ballot = voting.open()
    voting.vote(ballot, "anna", "yes")
    changed = voting.vote(ballot, "anna", "no", "Zu früh")
    assert (changed["choice"], changed["reason"], changed["changes"]) == ("no", "Zu früh", 1)
    assert voting.store.votes.named_votes(NO_CONNECTION, ballot["id"]) == [
        {"person_id": "anna", "choice": "no", "reason": "Zu früh", "name": "Name anna"}
    ]


def test_a_secret_vote_hides_the_choice_and_counts_only_once():
    voting = Voting(secret=True)
    voting.members(PREPARING, "anna", "ben", "cem")
    ballot = voting.open()
    assert voting.vote(ballot, "anna", "yes") == {
        "person_id": "anna",
        "choice": None,
        "secret": True,
        "ballot_status": "open",
    }
    with pytest.raises(Conflict, match="nur die erste Stimme"):
        voting.vote(ballot, "anna", "no", "doch nicht")
    assert voting.store.votes.secret_votes(NO_CONNECTION, ballot["id"]) == [
        {"choice": "yes", "reason": None}
    ]
    entries = voting.store.record.unsealed_entries(NO_CONNECTION, ballot["id"])
    assert entries[-1]["entry"] == {"type": "participation", "person_id": "anna"}


def test_a_closed_ballot_takes_no_vote(voting):
    ballot = voting.open()
    voting.close(ballot)
    with pytest.raises(Conflict, match="geschlossen"):
        voting.vote(ballot, "anna", "yes")


def test_a_ballot_past_its_deadline_takes_no_vote(voting):
    ballot = voting.open(deadline=NOW + timedelta(hours=1))
    voting.now = NOW + timedelta(hours=1)
    with pytest.raises(Conflict, match="Frist"):
        voting.vote(ballot, "anna", "yes")


def test_a_closed_ballot_says_so_before_a_missing_reason(voting):
    ballot = voting.open()
    voting.close(ballot)
    with pytest.raises(Conflict):
        voting.vote(ballot, "anna", "no")


def test_no_needs_a_reason_where_the_tenant_says_so(voting):
    preparing = voting.open()
    with pytest.raises(RuleViolation) as refused:
        voting.vote(preparing, "anna", "no", "   ")
    assert refused.value.field == "reason"
    assert voting.vote(preparing, "anna", "no", "Zu früh")["choice"] == "no"
    conference = voting.open(CONFERENCE)
    assert voting.vote(conference, "anna", "no")["reason"] is None


def test_a_choice_the_rule_does_not_know_is_refused(voting):
    ballot = voting.open()
    with pytest.raises(RuleViolation) as refused:
        voting.vote(ballot, "anna", "object")
    assert refused.value.field == "choice"


def test_the_last_vote_closes_the_ballot_where_the_body_says_so(voting):
    ballot = voting.open()
    assert voting.vote(ballot, "anna", "yes")["ballot_status"] == "open"
    assert voting.vote(ballot, "ben", "yes")["ballot_status"] == "open"
    assert voting.vote(ballot, "cem", "no", "Zu früh")["ballot_status"] == "closed"
    closed = voting.ballot(ballot)
    assert (closed["status"], closed["closed_by"], closed["outcome"]) == (
        "closed",
        "all_voted",
        "adopted",
    )
    assert voting.outbox.names() == ["voting.ballot.opened", "voting.ballot.closed"]


def test_the_last_vote_leaves_the_close_to_the_sweep_while_another_cast_is_in_flight(voting):
    ballot = voting.open()
    voting.vote(ballot, "anna", "yes")
    voting.vote(ballot, "ben", "yes")
    voting.store.state.cast_in_flight = True
    assert voting.vote(ballot, "cem", "yes")["ballot_status"] == "open"
    assert handlers.due_ballots(NO_CONNECTION, voting.ctx()) == [
        {"id": ballot["id"], "reason": "all_voted"}
    ]


def test_a_body_that_waits_for_the_deadline_stays_open_when_all_have_voted(voting):
    ballot = voting.open(CONFERENCE)
    for person in ("anna", "ben", "cem"):
        assert voting.vote(ballot, person, "yes")["ballot_status"] == "open"
    assert voting.outbox.names() == ["voting.ballot.opened"]


# --- Closing a ballot ----------------------------------------------------------------------


def test_closing_tallies_decides_and_announces(voting):
    ballot = voting.open()
    voting.vote(ballot, "anna", "yes")
    voting.vote(ballot, "ben", "no", "Zu früh")
    closed = voting.close(ballot)
    assert closed["status"] == "closed"
    assert closed["tally"] == {
        "yes": 1,
        "no": 1,
        "abstain": 0,
        "voted": 2,
        "electorate": 3,
        "quorum_needed": 0,
    }
    assert closed["outcome"] == "rejected"  # a tie fails under simple majority
    assert closed["outcome_text"] == "Beschluss: abgelehnt"
    [event] = voting.outbox.of("voting.ballot.closed")
    assert event == {
        "ballot_id": str(ballot["id"]),
        "body": PREPARING,
        "title": "Aufnahme Kulturverein",
        "text": None,
        "subject": {"kind": "general", "id": None},
        "decision_rule": "simple_majority",
        "binding": True,
        "outcome_to": None,
        "deadline": str(NOW + timedelta(days=14)),
        "secret": False,
        "reasons_required_for": ["no"],
        "opened_by": "coordinator",
        "origin": "manual",
        "outcome": "rejected",
        "outcome_text": "Beschluss: abgelehnt",
        "kind": "resolution",
        "tally": closed["tally"],
        "dissent": [{"choice": "no", "reason": "Zu früh", "person_id": "ben", "name": "Name ben"}],
        "closed_at": str(NOW),
        "closed_by": "coordinator:kst",
    }
    assert voting.outbox.events[-1]["subject"] == str(ballot["id"])


def test_a_consensus_body_recommends_and_an_objection_stops_it():
    voting = Voting("magdeburg")
    voting.members("projektgruppe", "anna", "ben", "cem")
    ballot = voting.open("projektgruppe")
    voting.vote(ballot, "anna", "agree")
    voting.vote(ballot, "ben", "stand_aside")
    closed = voting.close(ballot)
    assert (closed["outcome"], closed["kind"]) == ("adopted", "recommendation")
    assert closed["outcome_text"] == "Empfehlung an Oberbürgermeister: angenommen"

    again = voting.open("projektgruppe")
    voting.vote(again, "anna", "agree")
    voting.vote(again, "ben", "object", "Nicht mit uns abgestimmt")
    assert voting.close(again)["outcome"] == "rejected"


def test_a_secret_ballots_dissent_names_nobody():
    voting = Voting(secret=True)
    voting.members(PREPARING, "anna", "ben", "cem")
    ballot = voting.open()
    voting.vote(ballot, "anna", "no", "Zu früh")
    voting.close(ballot)
    [event] = voting.outbox.of("voting.ballot.closed")
    assert event["dissent"] == [
        {"choice": "no", "reason": "Zu früh", "person_id": None, "name": None}
    ]


def test_a_quorum_not_reached_decides_nothing():
    voting = Voting(quorum=0.5)
    voting.members(PREPARING, "anna", "ben", "cem")
    ballot = voting.open()
    voting.vote(ballot, "anna", "yes")
    closed = voting.close(ballot)
    assert (closed["outcome"], closed["tally"]["quorum_needed"]) == ("no_quorum", 2)


def test_a_ballot_closes_once(voting):
    ballot = voting.open()
    voting.close(ballot)
    with pytest.raises(Conflict, match="schon geschlossen"):
        voting.close(ballot)
    assert voting.outbox.names().count("voting.ballot.closed") == 1


def test_the_closed_record_is_sealed_and_checks_out(voting):
    ballot = voting.open()
    voting.vote(ballot, "anna", "yes")
    voting.close(ballot)
    entries = voting.store.record.record(NO_CONNECTION, ballot["id"])
    assert [e["entry"]["type"] for e in entries] == ["opened", "vote", "closed"]
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert voting.store.record.unsealed_entries(NO_CONNECTION, ballot["id"]) == []
    assert record_rules.verify_chain(entries) == []


# --- An admission's result under Chemnitz' embargo (issue 27 point 2) -------------------------


def test_an_early_closed_admission_is_told_only_to_its_body_and_the_coordinators(voting):
    from knotenpunkt.shared.auth import Principal

    cmd = handlers.PutToVote(
        body=PREPARING,
        subject_kind="admission",
        subject_id="app-1",
        title="Aufnahme Kulturverein",
        opened_by="event:e-1",
        origin="application.checked",
    )
    ballot = handlers.put_to_vote(cmd, NO_CONNECTION, voting.ctx())
    for person, choice in (("anna", "yes"), ("ben", "no"), ("cem", "yes")):
        voting.vote(ballot, person, choice, "unklar" if choice == "no" else None)
    assert voting.ballot(ballot)["status"] == "closed"  # all voted: closed early

    def member(*bodies):
        return Principal(
            sub="x", tenant=CHEMNITZ, roles=frozenset({"member"}), bodies=frozenset(bodies)
        )

    coordinator = Principal(sub="k", tenant=CHEMNITZ, roles=frozenset({"coordinator"}))

    def read(caller, **filters):
        one = handlers.get_ballot(
            NO_CONNECTION, voting.ctx(), ballot_id=ballot["id"], caller=caller
        )
        rows, _ = handlers.list_ballots(NO_CONNECTION, voting.ctx(), caller=caller, **filters)
        return one, [r["id"] for r in rows]

    outside, ids = read(member(CONFERENCE), status="open")
    assert outside["status"] == "open" and ballot["id"] in ids
    assert [outside[k] for k in ("tally", "outcome", "dissent", "closed_at", "voted")] == [None] * 5
    assert read(member(CONFERENCE), status="closed")[1] == []
    for caller in (member(PREPARING), coordinator):
        whole, ids = read(caller, status="closed")
        assert whole["status"] == "closed" and whole["tally"]["yes"] == 2 and ids == [ballot["id"]]
        assert whole["dissent"][0]["reason"] == "unklar"
    # a vote from outside the electorate is refused as not a member, not as closed
    with pytest.raises(Forbidden):
        voting.vote(ballot, "dora", "yes")
    with pytest.raises(RuleViolation):  # a bad choice: named as for a running ballot
        voting.vote(ballot, "dora", "maybe")
    with pytest.raises(Conflict, match="geschlossen"):  # a voter of the body is told
        voting.vote(ballot, "anna", "maybe")
    # after the deadline everyone who reads ballots sees the result
    voting.now = ballot["deadline"]
    told, ids = read(member(CONFERENCE), status="closed")
    assert told["status"] == "closed" and told["tally"]["yes"] == 2 and ids == [ballot["id"]]
