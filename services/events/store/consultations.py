"""SQL of consultations and their ideas."""

from __future__ import annotations

from psycopg import sql

from knotenpunkt.services.events.store import page
from knotenpunkt.shared.db import get_by_id, insert, where


def create_consultation(conn, tenant: str, data: dict) -> dict:
    """Insert a consultation (title, opens, closes, topics, anonymous); returns the row; raises nothing."""
    return insert(
        conn,
        "consultations",
        {
            "tenant": tenant,
            **{k: data[k] for k in ("title", "opens", "closes", "topics", "anonymous")},
        },
    )


def get_consultation(conn, consultation_id) -> dict:
    """The consultation; raises NotFound."""
    return get_by_id(
        conn, "consultations", consultation_id, f"Eine Beteiligung {consultation_id} gibt es nicht."
    )


def list_consultations(conn) -> list[dict]:
    """Every consultation, latest opening first; raises nothing."""
    return conn.execute("select * from consultations order by opens desc").fetchall()


def add_idea(conn, tenant: str, consultation_id, topic: str, text: str, author) -> dict:
    """Insert an idea (status submitted); returns the row; raises nothing."""
    return insert(
        conn,
        "ideas",
        {
            "tenant": tenant,
            "consultation_id": consultation_id,
            "topic": topic,
            "text": text,
            "author": author,
        },
    )


def ideas(conn, consultation_id, *, published_only: bool) -> list[dict]:
    """The consultation's ideas, oldest first; only the published ones when asked; raises nothing."""
    clause, args = where(
        consultation_id=consultation_id, status="published" if published_only else None
    )
    return conn.execute(
        sql.SQL("select * from ideas {} order by created_at").format(clause), args
    ).fetchall()


def ideas_page(
    conn, consultation_id, *, published_only: bool, limit: int, offset: int = 0
) -> tuple[list[dict], int]:
    """A page of the consultation's ideas, oldest first (only published ones when asked), and how many match; raises nothing."""
    clause, args = where(
        consultation_id=consultation_id, status="published" if published_only else None
    )
    return page(conn, "ideas", clause, args, "created_at id", limit, offset)


def set_idea_status(conn, consultation_id, idea_id, status: str, reason) -> dict | None:
    """Set an idea's status and reason for hiding; the idea, or None when it is not the consultation's; raises nothing."""
    return conn.execute(
        "update ideas set status = %s, hidden_reason = %s where id = %s and consultation_id = %s returning *",
        (status, reason, idea_id, consultation_id),
    ).fetchone()


def idea_counts(conn, consultation_id) -> list[dict]:
    """Per topic: the number of ideas, published and hidden; raises nothing."""
    return conn.execute(
        "select topic, count(*) as ideas, count(*) filter (where status = 'published') as published,"
        " count(*) filter (where status = 'hidden') as hidden from ideas where consultation_id = %s group by topic order by topic",
        (consultation_id,),
    ).fetchall()
