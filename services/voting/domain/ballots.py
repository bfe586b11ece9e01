"""The rules of a ballot: choices per rule, the tally, quorum, dissent, its outcome in words,
its deadline, whether it is open, who may read per-member data of a body's ballots."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

from knotenpunkt.shared import choices
from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import Conflict, Forbidden, RuleViolation

MAJORITY_CHOICES = ("yes", "no", "abstain")
CONSENSUS_CHOICES = ("agree", "stand_aside", "object")
DISSENT = ("no", "object")
# Subjects that only another service's event puts to the vote (application.checked, a proposal).
SUBJECTS_FROM_EVENTS = ("admission", "working_group_founding")
MAX_DEADLINE_YEARS = 3


# How a coordinator reads the rules in a German sentence (the choices: shared.choices).
RULE_LABELS = {
    "simple_majority": "einfacher Mehrheit",
    "absolute_majority": "absoluter Mehrheit",
    "two_thirds": "Zweidrittelmehrheit",
    "unanimity": "Einstimmigkeit",
    "consensus": "Konsens",
}


def label(choice: str) -> str:
    """A choice as the German text names it („Nein“ for no)."""
    return choices.word(choice)


def choices_for(rule: str) -> tuple[str, ...]:
    return CONSENSUS_CHOICES if rule == "consensus" else MAJORITY_CHOICES


def tally(rule: str, quorum: float, electorate: int, choices: list[str]) -> dict:
    """Count the votes and decide.

    simple_majority: more yes than no (abstentions do not count; a tie fails);
    absolute_majority: more yes than half the electorate; two_thirds: at least two
    thirds of the valid yes/no votes, and at least one yes; unanimity: every vote
    cast is yes; consensus: nobody objects and at least one agrees (standing
    aside is allowed). Quorum is the share of the electorate that must vote.
    """
    counts = Counter(choices)
    voted = len(choices)
    result = {c: counts.get(c, 0) for c in choices_for(rule)}
    result.update({"voted": voted, "electorate": electorate})
    needed = math.ceil(float(quorum) * electorate) if quorum else 0
    result["quorum_needed"] = needed
    if voted < needed:
        return {**result, "outcome": "no_quorum"}
    if voted == 0:
        return {**result, "outcome": "rejected"}
    yes, no = counts.get("yes", 0), counts.get("no", 0)
    if rule == "simple_majority":
        passed = yes > no
    elif rule == "absolute_majority":
        passed = yes * 2 > electorate
    elif rule == "two_thirds":
        passed = yes > 0 and yes * 3 >= (yes + no) * 2
    elif rule == "unanimity":
        passed = yes > 0 and yes == voted
    elif rule == "consensus":
        passed = counts.get("object", 0) == 0 and counts.get("agree", 0) > 0
    else:
        raise ValueError(f"unknown decision rule {rule!r}")
    return {**result, "outcome": "adopted" if passed else "rejected"}


def dissent(votes: list[dict], named: bool) -> list[dict]:
    """Every 'no' or 'object' with its reason; names only in named ballots.

    One shape for every ballot: choice, reason, person_id, name; in a secret
    ballot person_id and name are None (ballot.closed carries these entries).
    """
    out = [
        {
            "choice": v["choice"],
            "reason": v.get("reason"),
            "person_id": v.get("person_id") if named else None,
            "name": v.get("name") if named else None,
        }
        for v in votes
        if v["choice"] in DISSENT
    ]
    return sorted(out, key=lambda e: (e["choice"], e["name"] or "", e["reason"] or ""))


def anonymous_dissent(entries: list[dict] | None) -> list[dict] | None:
    """The dissent without who dissented (for readers outside the body)."""
    if entries is None:
        return None
    return [{**e, "person_id": None, "name": None} for e in entries]


def reads_members(caller: Principal, body: str) -> bool:
    """Whether the caller may see per-member data of the body's ballots: its members, the Koordinierungsstelle."""
    return reads_everything(caller) or (reads_any_body(caller) and body in caller.bodies)


def reads_everything(caller: Principal) -> bool:
    """The Koordinierungsstelle reads every body's ballots whole."""
    return may(caller, "manage")


def reads_any_body(caller: Principal) -> bool:
    """Whether the caller's bodies claim counts: a body member's token."""
    return may(caller, "body")


def undisclosed(ballot: dict, rules: dict, now) -> bool:
    """Is the ballot's result not to be told yet? An admission ballot in a network that tells
    the applicant only after the voting period (Chemnitz, Leitlinie 3), closed early, before
    its deadline. Until then only the deciding body and the Koordinierungsstelle (reads_members)
    learn that it has closed, its outcome, tally and reasons (issue 27 point 2)."""
    return embargoes(ballot, rules) and ballot["status"] == "closed" and ballot["deadline"] > now


def embargoes(ballot: dict, rules: dict) -> bool:
    """Does the network keep this ballot's result from readers outside its body until the
    deadline? (Admission ballots where the applicant is told after the voting period.)"""
    return (
        ballot["subject_kind"] == "admission"
        and rules["membership"].get("inform_applicant") == "after_deadline"
    )


def as_running(ballot: dict) -> dict:
    """An undisclosed ballot as readers outside its body see it: still running, nothing of its
    result, not even how many have voted (all having voted would tell that it closed)."""
    return {
        **ballot,
        "status": "open",
        "closed_at": None,
        "closed_by": None,
        "tally": None,
        "outcome": None,
        "outcome_text": None,
        "dissent": None,
        "voters": [],
        "voted": None,
    }


def ensure_reads_members(caller: Principal, body: str) -> None:
    """Raises Forbidden unless the caller may see per-member data of the body (reads_members)."""
    if not reads_members(caller, body):
        raise Forbidden(
            "Das dürfen nur die Mitglieder des Gremiums und die Koordinierungsstelle lesen."
        )


def check_subject_by_hand(kind: str) -> None:
    """Raises RuleViolation (field subject.kind) for a subject only another service puts to the vote."""
    if kind in SUBJECTS_FROM_EVENTS:
        raise RuleViolation(
            "Über Aufnahmeanträge und Gründungen von Arbeitsgruppen wird nur in der Abstimmung "
            "entschieden, die der geprüfte Antrag selbst eröffnet; von Hand geht das nicht.",
            field="subject.kind",
        )


def check_binding_kind(body: dict, kind: str) -> None:
    """Raises RuleViolation (field subject.kind) for a resolution put to a body that only
    recommends (its rules: binding false, e.g. Magdeburg's project group)."""
    if kind == "resolution" and not body.get("binding", True):
        raise RuleViolation(
            f"„{body['name']}“ beschließt nicht, sondern empfiehlt"
            + (f" ({body['outcome_to']})" if body.get("outcome_to") else "")
            + ": bitte „Empfehlung“ (recommendation) wählen.",
            field="subject.kind",
        )


def check_secret_by_hand(body: dict, secret: bool | None) -> None:
    """A ballot opened by hand is secret exactly where the body's rules say so; `secret` (None:
    as the rules say) asking otherwise raises RuleViolation (field secret)."""
    if secret is None or secret == body["secret"]:
        return
    if secret:
        raise RuleViolation(
            f"„{body['name']}“ stimmt nach seinen Regeln namentlich ab; eine geheime Abstimmung "
            "lässt sich hier nicht eröffnen.",
            field="secret",
        )
    raise RuleViolation(
        f"„{body['name']}“ stimmt nach seinen Regeln geheim ab; eine namentliche Abstimmung "
        "lässt sich hier nicht eröffnen.",
        field="secret",
    )


def outcome_text(ballot: dict, outcome: str) -> str:
    """How the outcome reads: a resolution where the body decides, a recommendation where it only recommends."""
    word = {"adopted": "angenommen", "rejected": "abgelehnt", "no_quorum": "nicht beschlussfähig"}[
        outcome
    ]
    if ballot["binding"]:
        return f"Beschluss: {word}"
    to = f" an {ballot['outcome_to']}" if ballot.get("outcome_to") else ""
    return f"Empfehlung{to}: {word}"


def check_deadline(deadline, now) -> None:
    """Raises RuleViolation (field deadline) unless the deadline lies after now and at most MAX_DEADLINE_YEARS ahead."""
    if deadline <= now:
        raise RuleViolation("Die Frist muss in der Zukunft liegen.", field="deadline")
    if deadline > now + timedelta(days=365 * MAX_DEADLINE_YEARS):
        raise RuleViolation(
            f"Die Frist darf höchstens {MAX_DEADLINE_YEARS} Jahre in der Zukunft liegen.",
            field="deadline",
        )


def ensure_open(ballot: dict, now) -> None:
    """Raises Conflict when the ballot is no longer open or its deadline has passed at now."""
    if ballot["status"] != "open":
        raise Conflict(
            f"Die Abstimmung ist {_status_word(ballot['status'])}; eine Stimme zählt nicht mehr."
        )
    if ballot["deadline"] <= now:
        raise Conflict(
            f"Die Frist ist am {ballot['deadline']:%d.%m.%Y um %H:%M} Uhr (UTC) abgelaufen; die Abstimmung wird geschlossen."
        )


def _status_word(status: str) -> str:
    return {"closed": "geschlossen", "cancelled": "abgebrochen"}.get(status, status)
