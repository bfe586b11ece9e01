"""The rules of a vote: the choices a ballot's rule allows, a required reason, when the last
vote closes the ballot."""

from __future__ import annotations

from knotenpunkt.services.voting.domain.ballots import RULE_LABELS, choices_for, label
from knotenpunkt.shared.errors import RuleViolation


def check_vote(ballot: dict, choice: str, reason: str | None) -> None:
    """Raises RuleViolation for a choice the rule does not know or a missing required reason."""
    allowed = choices_for(ballot["decision_rule"])
    if choice not in allowed:
        rule = RULE_LABELS.get(ballot["decision_rule"], ballot["decision_rule"])
        options = ", ".join(f"„{label(c)}“ ({c})" for c in allowed)
        raise RuleViolation(
            f"„{choice}“ ist hier keine Wahl; bei {rule} gilt: {options}.",
            field="choice",
        )
    if choice in ballot["reasons_required_for"] and not (reason or "").strip():
        raise RuleViolation(
            f"Wer mit „{label(choice)}“ stimmt, teilt dem Gremium seine Gründe mit: "
            "eine Begründung ist Pflicht.",
            field="reason",
        )


# What a cast needs of its ballot besides the status: fixed when the ballot is opened.
CAST_RULES = (
    "decision_rule",
    "reasons_required_for",
    "secret",
    "close_when_all_voted",
    "electorate_size",
)


def cast_rules(ballot: dict) -> dict:
    """The parts of a ballot a cast checks that never change after opening."""
    return {k: ballot[k] for k in CAST_RULES}


def should_close_early(ballot: dict, voted: int) -> bool:
    return (
        ballot["close_when_all_voted"]
        and ballot["electorate_size"] > 0
        and voted >= ballot["electorate_size"]
    )
