"""The voting store without a database: dictionaries behind the functions of
``services/voting/store`` that the ballot, vote, record and copy handlers call, with the
return shapes of their SQL (rows as dicts, jsonb read back as JSON carries it).

``FakeVotingStore()`` is what a handler finds as ``ctx.store``: its ``ballots``, ``votes``,
``record`` and ``copies`` share one state. The locks are bookkeeping only (one test, one
thread); ``cast_in_flight`` makes ``votes.try_lock_casts`` answer as when another cast holds
the shared cast lock.
"""

from __future__ import annotations

import itertools
import uuid
from decimal import Decimal

from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.usecase import plain

# the columns a new row of ``ballots`` gets from the table's defaults
BALLOT_DEFAULTS = {
    "status": "open",
    "closed_at": None,
    "closed_by": None,
    "tally": None,
    "outcome": None,
    "dissent": None,
    "reminder_sent_at": None,
    "origin": "manual",
}


class State:
    """The tables: electorate, ballots, ballot_electorate, votes, participation, secret_votes,
    ballot_record."""

    def __init__(self):
        self.electorate: dict[tuple[str, str], dict] = {}  # (body, person_id) -> row
        self.ballots: dict[str, dict] = {}  # str(id) -> row
        self.ballot_electorate: dict[str, list[dict]] = {}  # str(ballot id) -> rows
        self.votes: dict[str, dict[str, dict]] = {}  # str(ballot id) -> person_id -> row
        self.participation: dict[str, set[str]] = {}
        self.secret_votes: dict[str, list[dict]] = {}
        self.ballot_record: list[dict] = []
        self.ids = itertools.count(1)
        self.cast_in_flight = False
        self.locked: list[tuple[str, str]] = []  # (lock, ballot id), in the order taken


class Ballots:
    """``store.ballots``."""

    def __init__(self, state: State):
        self.s = state

    def electorate_size(self, conn, body: str) -> int:
        return sum(1 for b, _ in self.s.electorate if b == body)

    def insert_ballot(self, conn, values: dict) -> dict | None:
        if values.get("subject_id") is not None and any(
            b["status"] == "open"
            and (b["tenant"], b["subject_kind"], b["subject_id"])
            == (values["tenant"], values["subject_kind"], values["subject_id"])
            for b in self.s.ballots.values()
        ):
            return None
        row = {"id": uuid.uuid4(), **BALLOT_DEFAULTS, **values}
        row["quorum"] = Decimal(str(row["quorum"]))
        row["reasons_required_for"] = list(row["reasons_required_for"])
        self.s.ballots[str(row["id"])] = row
        return dict(row)

    def freeze_electorate(self, conn, tenant: str, ballot_id, body: str) -> None:
        self.s.ballot_electorate[str(ballot_id)] = [
            {"tenant": tenant, "person_id": r["person_id"], "name": r["name"], "email": r["email"]}
            for (b, _), r in self.s.electorate.items()
            if b == body
        ]

    def ballot_voters(self, conn, ballot_id) -> list[dict]:
        rows = self.s.ballot_electorate.get(str(ballot_id), [])
        return sorted(
            ({k: r[k] for k in ("person_id", "name", "email")} for r in rows),
            key=lambda r: r["person_id"],
        )

    def in_electorate(self, conn, ballot_id, person_id: str) -> bool:
        rows = self.s.ballot_electorate.get(str(ballot_id), [])
        return any(r["person_id"] == person_id for r in rows)

    def get_ballot(self, conn, ballot_id, lock: str | None = None) -> dict:
        found = self.s.ballots.get(str(ballot_id))
        if found is None:
            raise NotFound(f"Eine Abstimmung {ballot_id} gibt es nicht.")
        return dict(found)

    def list_ballots(
        self, conn, status=None, body=None, *, limit: int, offset: int = 0, undisclosed=None
    ):
        def shown(b):  # as store.ballots.list_ballots: an undisclosed one counts as open
            if undisclosed is not None and b["status"] == "closed":
                now, bodies = undisclosed
                if b["subject_kind"] == "admission" and b["deadline"] > now:
                    if b["body"] not in bodies:
                        return "open"
            return b["status"]

        rows = [
            dict(b)
            for b in self.s.ballots.values()
            if (not status or shown(b) == status) and (not body or b["body"] == body)
        ]
        rows.sort(key=lambda b: (-b["opened_at"].timestamp(), str(b["id"])))
        return rows[offset : offset + limit], len(rows)

    def open_for_subject(self, conn, kind: str, subject_id: str) -> dict | None:
        return next(
            (
                dict(b)
                for b in self.s.ballots.values()
                if (b["subject_kind"], b["subject_id"], b["status"]) == (kind, subject_id, "open")
            ),
            None,
        )

    def open_ballot_ids(self, conn) -> list:
        return [b["id"] for b in self.s.ballots.values() if b["status"] == "open"]

    def set_closed(self, conn, ballot_id, closed_by, tally, outcome, dissent, now) -> dict:
        row = self.s.ballots[str(ballot_id)]
        row.update(
            status="closed",
            closed_at=now,
            closed_by=closed_by,
            tally=plain(tally),
            outcome=outcome,
            dissent=plain(dissent),
        )
        return dict(row)

    def set_cancelled(self, conn, ballot_id, reason: str, now) -> None:
        self.s.ballots[str(ballot_id)].update(status="cancelled", closed_at=now, closed_by=reason)

    def set_reminded(self, conn, ballot_id, now) -> None:
        self.s.ballots[str(ballot_id)]["reminder_sent_at"] = now

    def due_ballots(self, conn, now) -> list[dict]:
        due = []
        for b in self.s.ballots.values():
            key = str(b["id"])
            voted = len(self.s.votes.get(key, {})) + len(self.s.participation.get(key, set()))
            if b["status"] != "open":
                continue
            if b["deadline"] <= now:
                due.append({"id": b["id"], "reason": "deadline"})
            elif (
                b["close_when_all_voted"]
                and b["electorate_size"] > 0
                and b["electorate_size"] <= voted
            ):
                due.append({"id": b["id"], "reason": "all_voted"})
        return due

    def reminders_due(self, conn, now, until) -> list[dict]:
        return [
            dict(b)
            for b in self.s.ballots.values()
            if b["status"] == "open"
            and b["reminder_sent_at"] is None
            and now < b["deadline"] <= until
        ]


class Votes:
    """``store.votes``."""

    def __init__(self, state: State):
        self.s = state

    def _ballot_and_member(self, ballot_id, person_id):
        ballot = self.s.ballots.get(str(ballot_id))
        members = self.s.ballot_electorate.get(str(ballot_id), [])
        return ballot, any(r["person_id"] == person_id for r in members)

    def cast_named(self, conn, tenant, casts: list[dict]) -> list[dict | None]:
        # the statement's snapshot: the count of votes before any of the batch's
        before = {
            str(c["ballot_id"]): len(self.s.votes.get(str(c["ballot_id"]), {})) for c in casts
        }
        rows = [self._cast_named(tenant, c) for c in casts]
        for row, c in zip(rows, casts, strict=True):
            if row is not None:
                key = str(c["ballot_id"])
                new = sum(
                    1
                    for r, d in zip(rows, casts, strict=True)
                    if r is not None and str(d["ballot_id"]) == key and r["changes"] == 0
                )
                row["voted"] = before[key] + new
        return rows

    def _cast_named(self, tenant, c: dict) -> dict | None:
        ballot_id, person_id, now = c["ballot_id"], c["person_id"], c["now"]
        ballot, member = self._ballot_and_member(ballot_id, person_id)
        if ballot is None:
            return None
        votes = self.s.votes.setdefault(str(ballot_id), {})
        row = {"status": ballot["status"], "deadline": ballot["deadline"], "member": member}
        row.update(dict.fromkeys(("person_id", "choice", "reason", "cast_at", "changes")))
        if ballot["status"] == "open" and ballot["deadline"] > now and member:
            old = votes.get(person_id)
            changes = 0 if old is None else old["changes"] + 1
            votes[person_id] = {
                "person_id": person_id,
                "choice": c["choice"],
                "reason": c["reason"],
                "cast_at": now,
                "changes": changes,
            }
            self.s.ballot_record.append(_entry(self.s, tenant, ballot_id, c["entry"]))
            row.update(votes[person_id])
        return row

    def cast_secret(self, conn, tenant, casts: list[dict]) -> list[dict | None]:
        before = {
            str(c["ballot_id"]): len(self.s.participation.get(str(c["ballot_id"]), set()))
            for c in casts
        }
        rows = [self._cast_secret(tenant, c) for c in casts]
        for row, c in zip(rows, casts, strict=True):
            if row is not None:
                key = str(c["ballot_id"])
                new = sum(
                    1
                    for r, d in zip(rows, casts, strict=True)
                    if r is not None and str(d["ballot_id"]) == key and r["first"]
                )
                row["voted"] = before[key] + new
        return rows

    def _cast_secret(self, tenant, c: dict) -> dict | None:
        ballot_id, person_id, now = c["ballot_id"], c["person_id"], c["now"]
        ballot, member = self._ballot_and_member(ballot_id, person_id)
        if ballot is None:
            return None
        took_part = self.s.participation.setdefault(str(ballot_id), set())
        first = (
            ballot["status"] == "open"
            and ballot["deadline"] > now
            and member
            and person_id not in took_part
        )
        if first:
            took_part.add(person_id)
            self.s.secret_votes.setdefault(str(ballot_id), []).append(
                {"id": uuid.uuid4(), "choice": c["choice"], "reason": c["reason"]}
            )
            self.s.ballot_record.append(_entry(self.s, tenant, ballot_id, c["entry"]))
        return {
            "status": ballot["status"],
            "deadline": ballot["deadline"],
            "member": member,
            "first": first,
        }

    def try_lock_casts(self, conn, ballot_id) -> bool:
        if self.s.cast_in_flight:
            return False
        self.s.locked.append(("casts", str(ballot_id)))
        return True

    def lock_casts(self, conn, ballot_id) -> None:
        self.s.locked.append(("casts", str(ballot_id)))

    def named_votes(self, conn, ballot_id) -> list[dict]:
        names = {
            r["person_id"]: r["name"] for r in self.s.ballot_electorate.get(str(ballot_id), [])
        }
        return [
            {"person_id": p, "choice": v["choice"], "reason": v["reason"], "name": names[p]}
            for p, v in sorted(self.s.votes.get(str(ballot_id), {}).items())
            if p in names
        ]

    def secret_votes(self, conn, ballot_id) -> list[dict]:
        rows = self.s.secret_votes.get(str(ballot_id), [])
        ordered = sorted(rows, key=lambda v: (v["choice"], v["reason"] or "", str(v["id"])))
        return [{"choice": v["choice"], "reason": v["reason"]} for v in ordered]

    def rewrite_secret_votes(self, conn, ballot_id) -> None:
        rows = self.s.secret_votes.get(str(ballot_id), [])
        rows.sort(key=lambda v: (v["choice"], v["reason"] or ""))
        for v in rows:
            v["id"] = uuid.uuid4()

    def voters_status(self, conn, ballot_id, secret: bool) -> list[dict]:
        key = str(ballot_id)
        took_part = self.s.participation.get(key, set()) if secret else self.s.votes.get(key, {})
        rows = [
            {"person_id": r["person_id"], "name": r["name"], "voted": r["person_id"] in took_part}
            for r in self.s.ballot_electorate.get(key, [])
        ]
        return sorted(rows, key=lambda r: r["name"])


def _entry(state: State, tenant: str, ballot_id, entry: dict) -> dict:
    """A new unsealed row of ``ballot_record`` (its entry as jsonb reads it back)."""
    return {
        "tenant": tenant,
        "ballot_id": str(ballot_id),
        "id": next(state.ids),
        "seq": None,
        "entry": plain(entry),
        "prev_hash": None,
        "hash": None,
    }


class Record:
    """``store.record``."""

    def __init__(self, state: State):
        self.s = state

    def _of(self, ballot_id) -> list[dict]:
        return [r for r in self.s.ballot_record if r["ballot_id"] == str(ballot_id)]

    def append(self, conn, tenant: str, ballot_id, entry: dict) -> None:
        self.s.ballot_record.append(_entry(self.s, tenant, ballot_id, entry))

    def lock_record(self, conn, ballot_id) -> None:
        self.s.locked.append(("record", str(ballot_id)))

    def last_sealed(self, conn, ballot_id) -> dict | None:
        sealed = [r for r in self._of(ballot_id) if r["seq"] is not None]
        if not sealed:
            return None
        last = max(sealed, key=lambda r: r["seq"])
        return {"seq": last["seq"], "hash": last["hash"]}

    def unsealed_entries(self, conn, ballot_id) -> list[dict]:
        rows = sorted((r for r in self._of(ballot_id) if r["seq"] is None), key=lambda r: r["id"])
        return [{"id": r["id"], "entry": r["entry"]} for r in rows]

    def set_seals(self, conn, ballot_id, sealed: list[tuple]) -> None:
        by_id = {r["id"]: r for r in self._of(ballot_id)}
        for entry_id, seq, prev, hash_ in sealed:
            by_id[entry_id].update(seq=seq, prev_hash=prev, hash=hash_)

    def record(self, conn, ballot_id) -> list[dict]:
        rows = sorted(
            (r for r in self._of(ballot_id) if r["seq"] is not None), key=lambda r: r["seq"]
        )
        return [{k: r[k] for k in ("seq", "entry", "prev_hash", "hash")} for r in rows]


class Copies:
    """``store.copies``: the copy of each body's electorate."""

    def __init__(self, state: State):
        self.s = state

    def upsert_voter(self, conn, tenant, body, person_id, name, email, role, now) -> None:
        self.s.electorate[(body, person_id)] = {
            "tenant": tenant,
            "body": body,
            "person_id": person_id,
            "name": name,
            "email": email,
            "role": role,
            "updated_at": now,
        }

    def delete_voter(self, conn, body: str, person_id: str) -> None:
        self.s.electorate.pop((body, person_id), None)

    def voters(self, conn, body: str) -> list[dict]:
        rows = [r for (b, _), r in self.s.electorate.items() if b == body]
        return [
            {k: r[k] for k in ("person_id", "name", "email", "role")}
            for r in sorted(rows, key=lambda r: r["name"])
        ]


class FakeVotingStore:
    """``ctx.store`` of the voting handlers, over one in-memory state."""

    def __init__(self):
        self.state = State()
        self.ballots = Ballots(self.state)
        self.votes = Votes(self.state)
        self.record = Record(self.state)
        self.copies = Copies(self.state)
