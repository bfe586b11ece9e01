"""SQL of an event's agenda: its items in their order, and when it was published."""

from __future__ import annotations

from psycopg import sql

from knotenpunkt.shared.db import insert, update


def items(conn, event_id) -> list[dict]:
    """The event's agenda items in their order; raises nothing."""
    return conn.execute(
        "select * from agenda_items where event_id = %s order by position", (event_id,)
    ).fetchall()


def add_agenda_item(conn, tenant: str, event_id, item: dict) -> dict:
    """Append an item to the event's agenda; returns the row; raises nothing."""
    position = conn.execute(
        "select coalesce(max(position), 0) + 1 as p from agenda_items where event_id = %s",
        (event_id,),
    ).fetchone()["p"]
    return insert(
        conn,
        "agenda_items",
        {
            "tenant": tenant,
            "event_id": event_id,
            "position": position,
            "title": item["title"],
            "minutes": item.get("minutes"),
            "presenter": item.get("presenter"),
            "kind": item.get("kind", "topic"),
            "ballot_id": item.get("ballot_id"),
            "partner_id": item.get("partner_id"),
            "submission_id": item.get("submission_id"),
        },
    )


def clear_agenda(conn, event_id) -> None:
    """Delete every item of the event's agenda; raises nothing."""
    conn.execute("delete from agenda_items where event_id = %s", (event_id,))


def mark_agenda_published(conn, event_id, now) -> dict:
    """Record the agenda as published at `now` and count the sequence up; returns the row; raises nothing."""
    return update(
        conn,
        "events",
        event_id,
        {"agenda_published_at": now},
        extra=(sql.SQL("sequence = sequence + 1"),),
    )
