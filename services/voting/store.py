"""SQL of the voting service. Every function runs inside the caller's unit of work."""

from __future__ import annotations


def upsert_voter(conn, tenant: str, body: str, person: dict) -> None:
    conn.execute(
        """
        insert into electorate (tenant, body, person_id, name, email, role)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (tenant, body, person_id) do update
           set name = excluded.name, email = excluded.email, role = excluded.role, updated_at = now()
        """,
        (
            tenant,
            body,
            person["person_id"],
            person["name"],
            person.get("email"),
            person.get("role", "member"),
        ),
    )


def remove_voter(conn, body: str, person_id: str) -> None:
    conn.execute("delete from electorate where body = %s and person_id = %s", (body, person_id))


def electorate(conn, body: str) -> list[dict]:
    return conn.execute(
        "select person_id, name, email, role from electorate where body = %s order by name", (body,)
    ).fetchall()
