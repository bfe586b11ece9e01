"""SQL of the notifications service. Every function runs inside the caller's unit of work."""

from __future__ import annotations


def upsert_recipient(conn, tenant: str, kind: str, scope: str, ref: str, name: str, email) -> None:
    conn.execute(
        """
        insert into recipients (tenant, kind, scope, ref, name, email)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (tenant, kind, scope, ref) do update
           set name = excluded.name, email = excluded.email, updated_at = now()
        """,
        (tenant, kind, scope, ref, name, email),
    )


def remove_recipient(conn, kind: str, scope: str, ref: str) -> None:
    conn.execute(
        "delete from recipients where kind = %s and scope = %s and ref = %s", (kind, scope, ref)
    )


def erase_email(conn, email: str) -> int:
    """Delete every recipient entry with this e-mail address; returns how many."""
    return conn.execute("delete from recipients where lower(email) = lower(%s)", (email,)).rowcount
