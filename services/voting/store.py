"""SQL of the voting service: ballots, votes and the record. Runs inside the caller's unit of work.

SQL only: the rules are in ``domain``, the use cases (and their events) in
``handlers``. Times come in as parameters (``now``), never from the database's clock.
"""

from __future__ import annotations

import json
from datetime import datetime

from psycopg import sql
from psycopg.errors import UniqueViolation

from knotenpunkt.shared.db import get_by_id, insert, update, where


def _json(value) -> str:
    return json.dumps(value, default=str)


# --- Ballots ------------------------------------------------------------------


def electorate_size(conn, body: str) -> int:
    """How many members the copy of the body's electorate holds now; raises nothing."""
    return conn.execute("select count(*) as n from electorate where body = %s", (body,)).fetchone()[
        "n"
    ]


def insert_ballot(conn, values: dict) -> dict | None:
    """Insert a ballot (column → value); None when its subject already has an open ballot; raises nothing (other constraint errors propagate)."""
    try:
        with conn.transaction():
            return insert(conn, "ballots", values)
    except UniqueViolation:
        return None


def freeze_electorate(conn, tenant: str, ballot_id, body: str) -> None:
    """Copy the body's electorate as it is now into the ballot's electorate; raises nothing."""
    conn.execute(
        """
        insert into ballot_electorate (tenant, ballot_id, person_id, name, email)
        select tenant, %s, person_id, name, email from electorate where body = %s
        """,
        (ballot_id, body),
    )


def ballot_voters(conn, ballot_id) -> list[dict]:
    """The ballot's frozen electorate (person_id, name, email) by person id; raises nothing."""
    return conn.execute(
        "select person_id, name, email from ballot_electorate where ballot_id = %s order by person_id",
        (ballot_id,),
    ).fetchall()


def get_ballot(conn, ballot_id, lock: str | None = None) -> dict:
    """The ballot (lock: None, "share", "update"); raises NotFound."""
    return get_by_id(
        conn, "ballots", ballot_id, f"Eine Abstimmung {ballot_id} gibt es nicht.", lock
    )


def list_ballots(
    conn, status: str | None = None, body: str | None = None, *, limit: int, offset: int = 0
) -> tuple[list[dict], int]:
    """A page of ballots, newest first, filtered by status and body, and how many match; raises nothing."""
    clause, args = where(status=status or None, body=body or None)
    total = conn.execute(
        sql.SQL("select count(*) as n from ballots {}").format(clause), args
    ).fetchone()["n"]
    stmt = sql.SQL(
        "select * from ballots {} order by opened_at desc, id limit %s offset %s"
    ).format(clause)
    return conn.execute(stmt, (*args, limit, offset)).fetchall(), total


def open_for_subject(conn, kind: str, subject_id: str) -> dict | None:
    """The open ballot on this subject, or None; raises nothing."""
    return conn.execute(
        "select * from ballots where subject_kind = %s and subject_id = %s and status = 'open'",
        (kind, subject_id),
    ).fetchone()


def open_ballot_ids(conn) -> list:
    """The ids of the open ballots; raises nothing."""
    return [r["id"] for r in conn.execute("select id from ballots where status = 'open'")]


def set_closed(
    conn, ballot_id, closed_by: str, tally: dict, outcome: str, dissent: list, now: datetime
) -> dict:
    """Mark the ballot closed with its tally, outcome and dissent; returns the row; raises nothing."""
    return update(
        conn,
        "ballots",
        ballot_id,
        {
            "status": "closed",
            "closed_at": now,
            "closed_by": closed_by,
            "tally": _json(tally),
            "outcome": outcome,
            "dissent": _json(dissent),
        },
    )


def set_cancelled(conn, ballot_id, reason: str, now: datetime) -> None:
    """Mark the ballot cancelled for the reason; raises nothing."""
    update(
        conn, "ballots", ballot_id, {"status": "cancelled", "closed_at": now, "closed_by": reason}
    )


def set_reminded(conn, ballot_id, now: datetime) -> None:
    """Note that the ballot's reminder went out; raises nothing."""
    update(conn, "ballots", ballot_id, {"reminder_sent_at": now})


def due_ballots(conn, now: datetime) -> list[dict]:
    """Open ballots past their deadline at `now`, and those every member has voted in (where that closes them); raises nothing."""
    # The cast closes a ballot itself when it sees the last vote; two last votes
    # committing at once may each miss the other, so the worker catches those.
    return conn.execute(
        """
        select b.id, case when b.deadline <= %(now)s then 'deadline' else 'all_voted' end as reason
          from ballots b
         where b.status = 'open'
           and (b.deadline <= %(now)s
                or (b.close_when_all_voted and b.electorate_size > 0 and b.electorate_size <= (
                      select count(*) from votes v where v.ballot_id = b.id)
                             + (select count(*) from participation p where p.ballot_id = b.id)))
        """,
        {"now": now},
    ).fetchall()


def reminders_due(conn, now: datetime, until: datetime) -> list[dict]:
    """Open ballots not yet reminded whose deadline lies after `now` and at or before `until`; raises nothing."""
    return conn.execute(
        "select * from ballots where status = 'open' and reminder_sent_at is null"
        " and deadline <= %s and deadline > %s",
        (until, now),
    ).fetchall()


# --- Votes --------------------------------------------------------------------


def voter_name(conn, ballot_id, person_id: str) -> str | None:
    """The name of the person in the ballot's frozen electorate, None when not in it; raises nothing."""
    row = conn.execute(
        "select name from ballot_electorate where ballot_id = %s and person_id = %s",
        (ballot_id, person_id),
    ).fetchone()
    return row["name"] if row else None


def add_participation(conn, tenant: str, ballot_id, person_id: str) -> bool:
    """Note that the person took part in a secret ballot; False when they had already; raises nothing."""
    return (
        conn.execute(
            "insert into participation (tenant, ballot_id, person_id) values (%s, %s, %s)"
            " on conflict do nothing returning person_id",
            (tenant, ballot_id, person_id),
        ).fetchone()
        is not None
    )


def add_secret_vote(conn, tenant: str, ballot_id, choice: str, reason: str | None) -> None:
    """Store a secret vote, unlinked from who cast it; raises nothing."""
    insert(
        conn,
        "secret_votes",
        {"tenant": tenant, "ballot_id": ballot_id, "choice": choice, "reason": reason},
        returning=False,
    )


def participation_count(conn, ballot_id) -> int:
    """How many have taken part in a secret ballot; raises nothing."""
    return conn.execute(
        "select count(*) as n from participation where ballot_id = %s", (ballot_id,)
    ).fetchone()["n"]


def upsert_vote(
    conn, tenant: str, ballot_id, person_id: str, choice: str, reason: str | None, now: datetime
) -> dict:
    """Store or change a named vote (counting changes); returns it; raises nothing."""
    return conn.execute(
        """
        insert into votes (tenant, ballot_id, person_id, choice, reason, cast_at)
        values (%(tenant)s, %(ballot)s, %(person)s, %(choice)s, %(reason)s, %(now)s)
        on conflict (tenant, ballot_id, person_id) do update
           set choice = excluded.choice, reason = excluded.reason, cast_at = excluded.cast_at,
               changes = votes.changes + 1
        returning person_id, choice, reason, cast_at, changes
        """,
        {
            "tenant": tenant,
            "ballot": ballot_id,
            "person": person_id,
            "choice": choice,
            "reason": reason,
            "now": now,
        },
    ).fetchone()


def vote_count(conn, ballot_id) -> int:
    """How many named votes the ballot has; raises nothing."""
    return conn.execute(
        "select count(*) as n from votes where ballot_id = %s", (ballot_id,)
    ).fetchone()["n"]


def named_votes(conn, ballot_id) -> list[dict]:
    """The named votes (person_id, name, choice, reason) by person id; raises nothing."""
    return conn.execute(
        """
        select v.person_id, e.name, v.choice, v.reason
          from votes v join ballot_electorate e on e.ballot_id = v.ballot_id and e.person_id = v.person_id
         where v.ballot_id = %s order by v.person_id
        """,
        (ballot_id,),
    ).fetchall()


def secret_votes(conn, ballot_id) -> list[dict]:
    """The secret votes (choice, reason) in a fixed order; raises nothing."""
    return conn.execute(
        "select choice, reason from secret_votes where ballot_id = %s order by choice, reason, id",
        (ballot_id,),
    ).fetchall()


def voters_status(conn, ballot_id, secret: bool) -> list[dict]:
    """Who may vote and whether they have (never what they chose), by name; raises nothing."""
    table = "participation" if secret else "votes"
    return conn.execute(
        f"""
        select e.person_id, e.name, (x.person_id is not null) as voted
          from ballot_electorate e left join {table} x on x.ballot_id = e.ballot_id and x.person_id = e.person_id
         where e.ballot_id = %s order by e.name
        """,
        (ballot_id,),
    ).fetchall()


# --- The record ---------------------------------------------------------------


def append(conn, tenant: str, ballot_id, entry: dict) -> None:
    """Add an unsealed entry to the ballot's record; raises nothing."""
    conn.execute(
        "insert into ballot_record (tenant, ballot_id, entry) values (%s, %s, %s)",
        (tenant, ballot_id, _json(entry)),
    )


def lock_record(conn, ballot_id) -> None:
    """Hold the ballot's record for sealing until the transaction ends; raises nothing."""
    conn.execute(
        "select pg_advisory_xact_lock(hashtext('ballot-record:' || %s))", (str(ballot_id),)
    )


def last_sealed(conn, ballot_id) -> dict | None:
    """The last sealed entry's seq and hash, None when nothing is sealed yet; raises nothing."""
    return conn.execute(
        "select seq, hash from ballot_record where ballot_id = %s and seq is not null"
        " order by seq desc limit 1",
        (ballot_id,),
    ).fetchone()


def unsealed_entries(conn, ballot_id) -> list[dict]:
    """The entries not yet sealed (id, entry), in the order they were added; raises nothing."""
    return conn.execute(
        "select id, entry from ballot_record where ballot_id = %s and seq is null order by id",
        (ballot_id,),
    ).fetchall()


def set_seal(conn, ballot_id, entry_id, seq: int, prev_hash: str | None, hash_: str) -> None:
    """Give an entry its place in the hash chain; raises nothing."""
    conn.execute(
        "update ballot_record set seq = %s, prev_hash = %s, hash = %s"
        " where ballot_id = %s and id = %s",
        (seq, prev_hash, hash_, ballot_id, entry_id),
    )


def record(conn, ballot_id) -> list[dict]:
    """The sealed entries (seq, entry, prev_hash, hash) in order; raises nothing."""
    return conn.execute(
        "select seq, entry, prev_hash, hash from ballot_record"
        " where ballot_id = %s and seq is not null order by seq",
        (ballot_id,),
    ).fetchall()
