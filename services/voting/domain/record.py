"""The rules of a ballot's record: its hash chain, checked against the votes, pseudonymised on
erasure without rewriting its history, and what it shows while the ballot is open."""

from __future__ import annotations

import hashlib
import json


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
