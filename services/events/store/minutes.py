"""SQL of minutes: attendees, notes per agenda item, decisions, and their status."""

from __future__ import annotations

import json


def find_minutes(conn, event_id) -> dict | None:
    """The event's minutes, or None when none were written; raises nothing."""
    return conn.execute("select * from minutes where event_id = %s", (event_id,)).fetchone()


def save_minutes(
    conn, tenant: str, event_id, attendees, notes, decisions, now, taken_by=None
) -> dict:
    """Insert or replace the minutes' attendees, notes, decisions and note-taker; returns the row;
    raises nothing."""
    return conn.execute(
        """
        insert into minutes (tenant, event_id, attendees, notes, decisions, updated_at, taken_by)
        values (%s, %s, %s, %s, %s, %s, %s)
        on conflict (event_id) do update set attendees = excluded.attendees, notes = excluded.notes,
               decisions = excluded.decisions, updated_at = excluded.updated_at,
               taken_by = excluded.taken_by
        returning *
        """,
        (
            tenant,
            event_id,
            json.dumps(attendees),
            json.dumps(notes, default=str),
            json.dumps(decisions),
            now,
            taken_by,
        ),
    ).fetchone()


def set_minutes_status(conn, event_id, status: str, by, published_at, now) -> dict:
    """Set the minutes' status, their first approver and (when given) the time of publication; raises nothing."""
    return conn.execute(
        "update minutes set status = %s, approved_by = coalesce(approved_by, %s),"
        " approved_at = coalesce(approved_at, %s::timestamptz),"
        " published_at = coalesce(%s, published_at), updated_at = %s"
        " where event_id = %s returning *",
        (status, by, now if status == "approved" else None, published_at, now, event_id),
    ).fetchone()
