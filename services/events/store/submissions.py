"""SQL of topic submissions: topics proposed for an event's agenda, and their decisions."""

from __future__ import annotations

from psycopg import sql

from knotenpunkt.shared.db import insert, update
from knotenpunkt.shared.errors import NotFound


def add_submission(conn, tenant: str, event_id, title, description, by, partner_id) -> dict:
    """Insert a topic submission; returns the row; raises nothing."""
    return insert(
        conn,
        "topic_submissions",
        {
            "tenant": tenant,
            "event_id": event_id,
            "title": title,
            "description": description,
            "submitted_by": by,
            "partner_id": partner_id,
        },
    )


def get_submission(conn, event_id, submission_id) -> dict:
    """The event's topic submission, locked for update; raises NotFound."""
    row = conn.execute(
        "select * from topic_submissions where id = %s and event_id = %s for update",
        (submission_id, event_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"Einen Themenvorschlag {submission_id} gibt es nicht.")
    return row


def set_submission_status(conn, submission_id, status: str, reason) -> dict:
    """Record the decision on a submission; returns the row; raises nothing."""
    return update(conn, "topic_submissions", submission_id, {"status": status, "reason": reason})


def list_submissions(conn, event_id) -> list[dict]:
    """The event's topic submissions, oldest first; raises nothing."""
    return conn.execute(
        "select * from topic_submissions where event_id = %s order by created_at", (event_id,)
    ).fetchall()


def submissions_page(conn, *, status=None, limit: int, offset: int = 0) -> tuple[list[dict], int]:
    """A page of the network's topic submissions to events not cancelled (of one status, if
    given), oldest first, each with its event's title, start and status, and how many match;
    raises nothing."""
    clause = sql.SQL(
        "from topic_submissions s join events e on e.id = s.event_id where e.status <> 'cancelled'"
    )
    args: list = []
    if status:
        clause += sql.SQL(" and s.status = %s")
        args.append(status)
    total = conn.execute(sql.SQL("select count(*) as n ") + clause, args).fetchone()["n"]
    rows = conn.execute(
        sql.SQL(
            "select s.*, e.title as event_title, e.starts_at as event_starts_at,"
            " e.status as event_status "
        )
        + clause
        + sql.SQL(" order by s.created_at, s.id limit %s offset %s"),
        (*args, limit, offset),
    ).fetchall()
    return rows, total
