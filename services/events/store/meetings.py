"""SQL of events (meetings): planning, changing, listing them."""

from __future__ import annotations

from psycopg import sql

from knotenpunkt.services.events.store import page
from knotenpunkt.shared.db import get_by_id, insert, update, where

EVENT_COLUMNS = (
    "kind body working_group_id title description starts_at ends_at place online_url public".split()
)


def create_event(conn, tenant: str, data: dict) -> dict:
    """Insert an event from the EVENT_COLUMNS in data; returns the row; raises nothing."""
    return insert(
        conn, "events", {"tenant": tenant, **{c: data[c] for c in EVENT_COLUMNS if c in data}}
    )


def get_event(conn, event_id, lock: bool = False) -> dict:
    """The event; raises NotFound."""
    return get_by_id(
        conn,
        "events",
        event_id,
        f"Einen Termin {event_id} gibt es nicht.",
        "update" if lock else None,
    )


def update_event(conn, event_id, values: dict) -> dict:
    """Set the values (columns of EVENT_COLUMNS and status) and count the sequence up; returns the row; raises nothing."""
    cols = {c: values[c] for c in (*EVENT_COLUMNS, "status") if c in values}
    return update(conn, "events", event_id, cols, extra=(sql.SQL("sequence = sequence + 1"),))


def set_event_status(conn, event_id, status: str) -> dict:
    """Set the status without counting the sequence up; returns the row; raises nothing."""
    return update(conn, "events", event_id, {"status": status})


def list_events(conn, *, public_only: bool, body=None, kind=None, since=None) -> list[dict]:
    """Events by start, optionally only public ones, of a body, of a kind, from `since` on; raises nothing."""
    clause, args = where(
        raw=(sql.SQL("public"),) if public_only else (),
        body=body or None,
        kind=kind or None,
        starts_at__gte=since or None,
    )
    return conn.execute(
        sql.SQL("select * from events {} order by starts_at").format(clause), args
    ).fetchall()


def events_page(
    conn,
    *,
    public_only: bool,
    body=None,
    kind=None,
    invitees: list[str] | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """A page of events by start (optionally only public ones, of a body, of a kind, to which
    one of `invitees` is invited) and how many match; raises nothing."""
    raw, first = [], []
    if invitees is not None:
        raw.append(sql.SQL("id in (select event_id from invitations where invitee = any(%s))"))
        first.append(list(invitees))
    if public_only:
        raw.append(sql.SQL("public"))
    clause, args = where(raw=tuple(raw), body=body or None, kind=kind or None)
    return page(conn, "events", clause, [*first, *args], "starts_at id", limit, offset)
