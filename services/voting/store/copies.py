"""SQL of voting's copy of each body's electorate (from membership.body.* events). Runs inside
the caller's unit of work."""

from __future__ import annotations

from datetime import datetime


def upsert_voter(
    conn, tenant: str, body: str, person_id: str, name: str, email, role: str, now: datetime
) -> None:
    """Insert or update one member of a body's electorate; raises nothing."""
    conn.execute(
        """
        insert into electorate (tenant, body, person_id, name, email, role, updated_at)
        values (%s, %s, %s, %s, %s, %s, %s)
        on conflict (tenant, body, person_id) do update
           set name = excluded.name, email = excluded.email, role = excluded.role,
               updated_at = excluded.updated_at
        """,
        (tenant, body, person_id, name, email, role, now),
    )


def delete_voter(conn, body: str, person_id: str) -> None:
    """Delete one member from a body's electorate (nothing when not in it); raises nothing."""
    conn.execute("delete from electorate where body = %s and person_id = %s", (body, person_id))


def voters(conn, body: str) -> list[dict]:
    """The body's electorate (person_id, name, email, role) by name; raises nothing."""
    return conn.execute(
        "select person_id, name, email, role from electorate where body = %s order by name",
        (body,),
    ).fetchall()
