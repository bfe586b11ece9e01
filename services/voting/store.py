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


def _cast_params(tenant, ballot_id, person_id, choice, reason, now, entry: dict) -> dict:
    return {
        "tenant": tenant,
        "ballot": ballot_id,
        "person": person_id,
        "choice": choice,
        "reason": reason,
        "now": now,
        "entry": _json(entry),
    }


def cast_named(
    conn, tenant: str, ballot_id, person_id: str, choice: str, reason, now, entry: dict
) -> dict | None:
    """One statement for a named vote: the ballot's status and deadline (read under the
    shared cast lock, see migration 0104), whether the person is in its frozen electorate,
    and, only when it is open at `now` and they are, the vote stored or changed (changes
    counted) with its record entry; `voted`: how many have voted, this vote included.
    None when there is no such ballot; raises nothing."""
    return conn.execute(
        """
        with b as (
            select status, deadline from ballot_for_cast(%(ballot)s)
        ), e as (
            select 1 from ballot_electorate where ballot_id = %(ballot)s and person_id = %(person)s
        ), v as (
            insert into votes (tenant, ballot_id, person_id, choice, reason, cast_at)
            select %(tenant)s, %(ballot)s, %(person)s, %(choice)s, %(reason)s, %(now)s
             where exists (select 1 from b where b.status = 'open' and b.deadline > %(now)s)
               and exists (select 1 from e)
            on conflict (tenant, ballot_id, person_id) do update
               set choice = excluded.choice, reason = excluded.reason, cast_at = excluded.cast_at,
                   changes = votes.changes + 1
            returning person_id, choice, reason, cast_at, changes
        ), r as (
            insert into ballot_record (tenant, ballot_id, entry)
            select %(tenant)s, %(ballot)s, %(entry)s::jsonb from v
        )
        select b.status, b.deadline, exists (select 1 from e) as member,
               v.person_id, v.choice, v.reason, v.cast_at, v.changes,
               (select count(*) from votes where ballot_id = %(ballot)s)
                 + (case when v.changes = 0 then 1 else 0 end) as voted
          from b left join v on true
        """,
        _cast_params(tenant, ballot_id, person_id, choice, reason, now, entry),
    ).fetchone()


def cast_secret(
    conn, tenant: str, ballot_id, person_id: str, choice: str, reason, now, entry: dict
) -> dict | None:
    """One statement for a secret vote: the ballot's status and deadline (under the shared
    cast lock), whether the person is in its frozen electorate, and, only when it is open at
    `now`, they are and have not taken part yet, their participation, the vote unlinked from
    them and the record entry; `first`: whether this was their first vote; `voted`: how many
    have taken part, this one included. None when there is no such ballot; raises nothing."""
    return conn.execute(
        """
        with b as (
            select status, deadline from ballot_for_cast(%(ballot)s)
        ), e as (
            select 1 from ballot_electorate where ballot_id = %(ballot)s and person_id = %(person)s
        ), p as (
            insert into participation (tenant, ballot_id, person_id)
            select %(tenant)s, %(ballot)s, %(person)s
             where exists (select 1 from b where b.status = 'open' and b.deadline > %(now)s)
               and exists (select 1 from e)
            on conflict do nothing
            returning person_id
        ), s as (
            insert into secret_votes (tenant, ballot_id, choice, reason)
            select %(tenant)s, %(ballot)s, %(choice)s, %(reason)s from p
        ), r as (
            insert into ballot_record (tenant, ballot_id, entry)
            select %(tenant)s, %(ballot)s, %(entry)s::jsonb from p
        )
        select b.status, b.deadline, exists (select 1 from e) as member,
               exists (select 1 from p) as first,
               (select count(*) from participation where ballot_id = %(ballot)s)
                 + (select count(*) from p) as voted
          from b
        """,
        _cast_params(tenant, ballot_id, person_id, choice, reason, now, entry),
    ).fetchone()


def try_lock_casts(conn, ballot_id) -> bool:
    """lock_casts without waiting: False when a cast in flight (other than this transaction's
    own) holds the shared lock; raises nothing."""
    return conn.execute(
        "select pg_try_advisory_xact_lock(hashtext('ballot-casts'), hashtext(%s::text)) as got",
        (str(ballot_id),),
    ).fetchone()["got"]


def lock_casts(conn, ballot_id) -> None:
    """Wait for the casts in flight on the ballot and hold new ones until the transaction ends
    (before its status changes: close, cancel; migration 0104); raises nothing."""
    conn.execute(
        "select pg_advisory_xact_lock(hashtext('ballot-casts'), hashtext(%s::text))",
        (str(ballot_id),),
    )


def named_votes(conn, ballot_id) -> list[dict]:
    """The named votes (person_id, name, choice, reason) by person id; raises nothing."""
    return conn.execute(
        """
        select * from (
            select v.person_id, v.choice, v.reason,
                   (select e.name from ballot_electorate e
                     where e.ballot_id = v.ballot_id and e.person_id = v.person_id) as name
              from votes v where v.ballot_id = %s
        ) v where v.name is not null order by v.person_id
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
    # exists per member (a lookup by the primary key), not a join: right after opening the
    # planner's figures say "one row" and it would nest two scans of the whole ballot
    return conn.execute(
        f"""
        select e.person_id, e.name,
               exists (select 1 from {table} x
                        where x.ballot_id = e.ballot_id and x.person_id = e.person_id) as voted
          from ballot_electorate e
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


def set_seals(conn, ballot_id, sealed: list[tuple]) -> None:
    """Give entries their places in the hash chain in one statement: sealed is
    [(entry id, seq, prev_hash, hash)]; raises nothing."""
    if not sealed:
        return
    ids, seqs, prevs, hashes = (list(col) for col in zip(*sealed, strict=True))
    conn.execute(
        """
        update ballot_record r set seq = s.seq, prev_hash = s.prev, hash = s.hash
          from unnest(%s::bigint[], %s::int[], %s::text[], %s::text[]) as s(id, seq, prev, hash)
         where r.ballot_id = %s and r.id = s.id
        """,
        (ids, seqs, prevs, hashes, ballot_id),
    )


def record(conn, ballot_id) -> list[dict]:
    """The sealed entries (seq, entry, prev_hash, hash) in order; raises nothing."""
    return conn.execute(
        "select seq, entry, prev_hash, hash from ballot_record"
        " where ballot_id = %s and seq is not null order by seq",
        (ballot_id,),
    ).fetchall()
