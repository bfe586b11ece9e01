"""SQL of the ballots: open (with the electorate frozen), read, list, close, cancel, remind.
Runs inside the caller's unit of work."""

from __future__ import annotations

from datetime import datetime

from psycopg import sql
from psycopg.errors import UniqueViolation

from knotenpunkt.services.voting.store.common import as_json
from knotenpunkt.shared.db import get_by_id, insert, update, where


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


def in_electorate(conn, ballot_id, person_id: str) -> bool:
    """Whether the person is in the ballot's frozen electorate; raises nothing."""
    return (
        conn.execute(
            "select 1 from ballot_electorate where ballot_id = %s and person_id = %s",
            (ballot_id, person_id),
        ).fetchone()
        is not None
    )


def get_ballot(conn, ballot_id, lock: str | None = None) -> dict:
    """The ballot (lock: None, "share", "update"); raises NotFound."""
    return get_by_id(
        conn, "ballots", ballot_id, f"Eine Abstimmung {ballot_id} gibt es nicht.", lock
    )


def list_ballots(
    conn,
    status: str | None = None,
    body: str | None = None,
    *,
    limit: int,
    offset: int = 0,
    undisclosed: tuple | None = None,
) -> tuple[list[dict], int]:
    """A page of ballots, newest first, filtered by status and body, and how many match; raises nothing.

    `undisclosed` (now, bodies): a closed admission ballot whose deadline lies after now, of a
    body not among these, counts as open for the status filter (its result is not told yet)."""
    clause, args = where(body=body or None)
    if status:
        shown = sql.SQL("status")
        if undisclosed is not None:
            shown = sql.SQL(
                "(case when status = 'closed' and subject_kind = 'admission'"
                " and deadline > %s and not (body = any(%s::text[])) then 'open' else status end)"
            )
            args = [*args, undisclosed[0], list(undisclosed[1])]
        joiner = sql.SQL(" and ") if body else sql.SQL("where ")
        clause = sql.Composed([clause, joiner, shown, sql.SQL(" = %s")])
        args = [*args, status]
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
            "tally": as_json(tally),
            "outcome": outcome,
            "dissent": as_json(dissent),
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
