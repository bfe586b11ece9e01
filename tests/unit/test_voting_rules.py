"""The tally and the other voting rules, with property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knotenpunkt.services.voting.domain import ballots
from knotenpunkt.services.voting.domain import record as record_rules
from knotenpunkt.services.voting.domain import votes as vote_rules
from knotenpunkt.shared.errors import RuleViolation

majority_votes = st.lists(st.sampled_from(ballots.MAJORITY_CHOICES), max_size=60)
consensus_votes = st.lists(st.sampled_from(ballots.CONSENSUS_CHOICES), max_size=60)


def electorate_for(votes, extra):
    return len(votes) + extra


@given(majority_votes, st.integers(0, 20))
def test_simple_majority_is_more_yes_than_no(votes, extra):
    r = ballots.tally("simple_majority", 0, electorate_for(votes, extra), votes)
    yes, no = votes.count("yes"), votes.count("no")
    assert r["outcome"] == ("adopted" if yes > no else "rejected")
    assert r["yes"] + r["no"] + r["abstain"] == r["voted"] == len(votes)


@given(majority_votes, st.integers(0, 20))
def test_abstentions_do_not_count_for_simple_majority(votes, extra):
    with_abstentions = votes + ["abstain"] * 3
    a = ballots.tally("simple_majority", 0, len(with_abstentions) + extra, with_abstentions)[
        "outcome"
    ]
    b = ballots.tally("simple_majority", 0, len(with_abstentions) + extra, votes)["outcome"]
    if votes:
        assert a == b


@given(majority_votes, st.integers(0, 20))
def test_absolute_majority_needs_more_than_half_the_electorate(votes, extra):
    n = electorate_for(votes, extra)
    r = ballots.tally("absolute_majority", 0, n, votes)
    if votes:
        assert (r["outcome"] == "adopted") == (votes.count("yes") * 2 > n)


@given(majority_votes)
def test_two_thirds_of_valid_votes(votes):
    r = ballots.tally("two_thirds", 0, len(votes), votes)
    yes, no = votes.count("yes"), votes.count("no")
    if votes:
        assert (r["outcome"] == "adopted") == (yes > 0 and 3 * yes >= 2 * (yes + no))


@given(majority_votes)
def test_unanimity_means_every_vote_yes(votes):
    r = ballots.tally("unanimity", 0, len(votes), votes)
    if votes:
        assert (r["outcome"] == "adopted") == all(v == "yes" for v in votes)


@given(consensus_votes)
def test_consensus_fails_on_any_objection(votes):
    r = ballots.tally("consensus", 0, len(votes), votes)
    if votes:
        assert (r["outcome"] == "adopted") == ("object" not in votes and "agree" in votes)


@given(
    st.lists(st.sampled_from(ballots.MAJORITY_CHOICES), min_size=0, max_size=30),
    st.integers(0, 30),
    st.floats(0.01, 1.0),
)
def test_quorum(votes, extra, quorum):
    n = len(votes) + extra
    r = ballots.tally("simple_majority", quorum, n, votes)
    import math

    if len(votes) < math.ceil(quorum * n):
        assert r["outcome"] == "no_quorum"
    else:
        assert r["outcome"] == ("adopted" if votes.count("yes") > votes.count("no") else "rejected")


def test_ties_fail_and_nobody_voting_rejects():
    assert ballots.tally("simple_majority", 0, 4, ["yes", "no"])["outcome"] == "rejected"
    assert ballots.tally("simple_majority", 0, 4, [])["outcome"] == "rejected"
    assert ballots.tally("two_thirds", 0, 3, ["abstain"])["outcome"] == "rejected"


def test_choices_and_reasons():
    chem = {"decision_rule": "simple_majority", "reasons_required_for": ["no"]}
    vote_rules.check_vote(chem, "yes", None)
    with pytest.raises(RuleViolation) as e:
        vote_rules.check_vote(chem, "no", "  ")
    assert e.value.field == "reason"
    # German words for the choices, never the API's enum values inside the sentence
    assert str(e.value) == (
        "Wer mit „Nein“ stimmt, teilt dem Gremium seine Gründe mit: eine Begründung ist Pflicht."
    )
    with pytest.raises(RuleViolation) as e:
        vote_rules.check_vote(chem, "object", "x")
    assert str(e.value) == (
        "„object“ ist hier keine Wahl; bei einfacher Mehrheit gilt: „Ja“ (yes), „Nein“ (no), "
        "„Enthaltung“ (abstain)."
    )
    mdg = {"decision_rule": "consensus", "reasons_required_for": ["object"]}
    vote_rules.check_vote(mdg, "stand_aside", None)
    with pytest.raises(RuleViolation):
        vote_rules.check_vote(mdg, "no", "x")


def test_dissent_names_only_in_named_ballots():
    votes = [
        {"person_id": "a", "name": "A", "choice": "no", "reason": "zu früh"},
        {"person_id": "b", "name": "B", "choice": "yes", "reason": None},
    ]
    assert ballots.dissent(votes, named=True) == [
        {"choice": "no", "reason": "zu früh", "person_id": "a", "name": "A"}
    ]
    # one shape for both: a secret ballot's entries carry person_id and name as None
    assert ballots.dissent(votes, named=False) == [
        {"choice": "no", "reason": "zu früh", "person_id": None, "name": None}
    ]


def test_deadlines_lie_ahead_but_not_too_far():
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 5, 1, tzinfo=UTC)
    ballots.check_deadline(now + timedelta(days=365 * ballots.MAX_DEADLINE_YEARS - 1), now)
    for deadline in (now, now + timedelta(days=365 * ballots.MAX_DEADLINE_YEARS + 1)):
        with pytest.raises(RuleViolation) as err:
            ballots.check_deadline(deadline, now)
        assert err.value.field == "deadline"


def test_applications_and_proposals_are_not_put_to_vote_by_hand():
    for kind in ("admission", "working_group_founding"):
        with pytest.raises(RuleViolation) as err:
            ballots.check_subject_by_hand(kind)
        assert err.value.field == "subject.kind"
    ballots.check_subject_by_hand("resolution")


def test_recommendation_reads_as_recommendation():
    assert (
        ballots.outcome_text({"binding": False, "outcome_to": "Oberbürgermeister"}, "rejected")
        == "Empfehlung an Oberbürgermeister: abgelehnt"
    )
    assert ballots.outcome_text({"binding": True}, "adopted") == "Beschluss: angenommen"


def test_hash_chain_detects_changes():
    entries, prev = [], None
    for i, e in enumerate(
        [{"type": "opened"}, {"type": "vote", "person_id": "a", "choice": "yes"}], start=1
    ):
        h = record_rules.entry_hash(prev, i, e)
        entries.append({"seq": i, "entry": e, "prev_hash": prev, "hash": h})
        prev = h
    assert record_rules.verify_chain(entries) == []
    entries[1]["entry"]["choice"] = "no"
    assert record_rules.verify_chain(entries)
    assert record_rules.verify_chain(entries[1:])


def test_a_body_that_only_recommends_is_not_given_a_resolution():
    group = {"name": "Projektgruppe", "binding": False, "outcome_to": "Oberbürgermeister"}
    with pytest.raises(RuleViolation) as refused:
        ballots.check_binding_kind(group, "resolution")
    assert refused.value.field == "subject.kind"
    assert "empfiehlt (Oberbürgermeister)" in str(refused.value)
    ballots.check_binding_kind(group, "recommendation")
    ballots.check_binding_kind(group, "general")
    ballots.check_binding_kind({"name": "Netzwerkkonferenz", "binding": True}, "resolution")
