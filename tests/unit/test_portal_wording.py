"""Wording helpers of the portal and the rate limit (issue 23.14): whole sentences, no raw values."""

from __future__ import annotations

from knotenpunkt.services.portal import labels as L
from knotenpunkt.shared.ratelimit import wait_in_minutes


def test_every_decision_rule_has_its_grammatical_sentence():
    assert L.decision_sentence("simple_majority") == "Entscheidet mit einfacher Mehrheit."
    assert L.decision_sentence("unanimity") == "Entscheidet einstimmig."
    assert L.decision_sentence("consensus", binding=False) == (
        "Spricht Empfehlungen im Konsens aus; Beschlüsse fasst es nicht."
    )
    assert set(L.DECISION_SENTENCES) == set(L.DECISION_RULES) == set(L.RECOMMENDATION_SENTENCES)
    assert L.decision_sentence(None) == ""


def test_the_wait_is_told_in_minutes_rounded_up():
    assert wait_in_minutes(1) == "in 1 Minute"
    assert wait_in_minutes(60) == "in 1 Minute"
    assert wait_in_minutes(61) == "in 2 Minuten"
    assert wait_in_minutes(119) == "in 2 Minuten"
    assert wait_in_minutes(3600) == "in 60 Minuten"
