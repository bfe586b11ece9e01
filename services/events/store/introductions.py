"""SQL of introductions: an admitted partner's slot on a network event's agenda."""

from __future__ import annotations


def add_pending_introduction(conn, tenant: str, partner_id: str, name: str, email) -> dict:
    """The partner's introduction, inserted as pending unless it exists; locked for update; raises nothing."""
    conn.execute(
        "insert into introductions (tenant, partner_id, name, email, status) values (%s, %s, %s, %s, 'pending')"
        " on conflict (tenant, partner_id) do nothing",
        (tenant, partner_id, name, email),
    )
    return conn.execute(
        "select * from introductions where partner_id = %s for update", (partner_id,)
    ).fetchone()


def mark_introduction_scheduled(conn, partner_id: str, event_id, item_id) -> dict:
    """Record the event and agenda item of a partner's introduction; returns the row; raises nothing."""
    return conn.execute(
        "update introductions set status = 'scheduled', event_id = %s, agenda_item_id = %s"
        " where partner_id = %s returning *",
        (event_id, item_id, partner_id),
    ).fetchone()


def pending_introductions(conn) -> list[dict]:
    """Introductions still waiting for an event; raises nothing."""
    return conn.execute("select * from introductions where status = 'pending'").fetchall()
