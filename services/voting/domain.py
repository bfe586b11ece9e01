"""Voting rules as pure functions: choices per rule, the tally, quorum, dissent, the record's hashes."""

from __future__ import annotations

import hashlib
import json
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
    return may(caller, "manage") or (may(caller, "body") and body in caller.bodies)


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


def interim_record(entries: list[dict]) -> list[dict]:
    """The record of an open ballot: who took part, never what they chose or why.

    The hashes go too: a hash over a vote with a known person and a handful of
    choices would tell the choice.
    """
    return [
        {
            **e,
            "entry": {k: v for k, v in e["entry"].items() if k not in ("choice", "reason")},
            "prev_hash": None,
            "hash": None,
        }
        for e in entries
    ]


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


class RulesCache:
    """The cast rules of the ballots a process has seen, by tenant and ballot id (a bounded
    dict: the oldest go first). The rules never change after opening, so an entry is never
    stale; the status is not in it."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._rules: dict[tuple, dict] = {}

    def get(self, tenant: str, ballot_id) -> dict | None:
        return self._rules.get((tenant, str(ballot_id)))

    def put(self, tenant: str, ballot_id, rules: dict) -> None:
        if len(self._rules) >= self.size:
            # dicts keep insertion order: drop the oldest entry (racing threads at worst
            # both drop one)
            self._rules.pop(next(iter(self._rules), None), None)
        self._rules[(tenant, str(ballot_id))] = rules


def should_close_early(ballot: dict, voted: int) -> bool:
    return (
        ballot["close_when_all_voted"]
        and ballot["electorate_size"] > 0
        and voted >= ballot["electorate_size"]
    )


def entry_hash(prev_hash: str | None, seq: int, entry: dict) -> str:
    """sha256 over the previous hash, the sequence number and the canonical JSON of the entry."""
    payload = json.dumps(
        {"prev": prev_hash, "seq": seq, "entry": entry},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def chain(last: dict | None, entries: list[dict]) -> list[tuple]:
    """Seal entries after the last sealed one: (id, seq, prev_hash, hash) for each, in order."""
    seq, prev = (last["seq"], last["hash"]) if last else (0, None)
    sealed = []
    for e in entries:
        seq += 1
        h = entry_hash(prev, seq, e["entry"])
        sealed.append((e["id"], seq, prev, h))
        prev = h
    return sealed


def verify_chain(entries: list[dict]) -> list[str]:
    """Problems in a sealed record (empty when intact): broken links, wrong hashes, gaps."""
    problems = []
    prev = None
    rewritten = pseudonymised_hashes(entries)
    for i, e in enumerate(entries, start=1):
        if e["seq"] != i:
            problems.append(f"Eintrag {i} fehlt oder ist verschoben (gefunden: {e['seq']}).")
        if e["prev_hash"] != prev:
            problems.append(f"Eintrag {e['seq']}: Verweis auf den Vorgänger stimmt nicht.")
        if entry_hash(e["prev_hash"], e["seq"], e["entry"]) != rewritten.get(e["seq"], e["hash"]):
            problems.append(f"Eintrag {e['seq']}: Inhalt wurde verändert (Hash stimmt nicht).")
        prev = e["hash"]
    return problems


PSEUDONYMISED = "pseudonymised"


def pseudonymised_hashes(entries: list[dict]) -> dict[int, str]:
    """The content hashes that later pseudonymisation entries give for the entries they rewrote
    (seq → hash); the stored hash stays the original one, so the links of the chain hold."""
    rewritten: dict[int, str] = {}
    for e in entries:
        if e["entry"].get("type") == PSEUDONYMISED:
            rewritten.update(
                {int(k): h for k, h in e["entry"]["entries"].items() if int(k) < e["seq"]}
            )
    return rewritten


def pseudonymise_record(
    entries: list[dict], person_ids, pseudonym: str
) -> tuple[list, dict | None]:
    """Erasure of a person in a sealed record without rewriting its history: each entry naming
    the person gets the pseudonym instead, and one new entry (appended, then sealed) gives the
    hash of each rewritten entry's new content. Returns ([(id, new entry)], the new entry or None)."""
    ids = set(person_ids)
    rewrites, hashes = [], {}
    for e in entries:
        if e["entry"].get("person_id") in ids:
            new = {**e["entry"], "person_id": pseudonym}
            rewrites.append((e["id"], new))
            hashes[str(e["seq"])] = entry_hash(e["prev_hash"], e["seq"], new)
    if not rewrites:
        return [], None
    return rewrites, {"type": PSEUDONYMISED, "pseudonym": pseudonym, "entries": hashes}


def replay_named(entries: list[dict]) -> dict[str, dict]:
    """The last vote of each member as the record tells it."""
    last = {}
    for e in entries:
        if e["entry"].get("type") == "vote":
            last[e["entry"]["person_id"]] = {
                "choice": e["entry"]["choice"],
                "reason": e["entry"].get("reason"),
            }
    return last


def record_problems(ballot: dict, entries: list[dict], votes: list[dict]) -> list[str]:
    """Problems of a ballot's sealed record, recomputed and compared with its stored votes.

    votes: the named votes (person_id, choice, reason), or in a secret ballot the
    secret votes (choice, reason). Empty when the record is intact.
    """
    problems = verify_chain(entries)
    if not ballot["secret"]:
        told = replay_named(entries)
        stored = {v["person_id"]: {"choice": v["choice"], "reason": v["reason"]} for v in votes}
        for person in sorted(set(told) | set(stored)):
            if told.get(person) != stored.get(person):
                problems.append(
                    f"Die Stimme von {person} weicht vom Protokoll ab (verändert oder gelöscht)."
                )
    elif ballot["status"] == "closed":
        batch = next(
            (e["entry"]["votes"] for e in entries if e["entry"].get("type") == "secret_votes"), []
        )
        stored = [{"choice": v["choice"], "reason": v["reason"]} for v in votes]
        if sorted(map(_canonical, batch)) != sorted(map(_canonical, stored)):
            problems.append(
                "Die geheimen Stimmen weichen vom Protokoll ab (verändert oder gelöscht)."
            )
    return problems


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)
