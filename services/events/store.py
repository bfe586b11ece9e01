"""SQL of the events service. Every function runs inside the caller's unit of work."""

from __future__ import annotations


def upsert_partner(conn, tenant: str, partner: dict) -> None:
    conn.execute(
        """
        insert into partner_copies (tenant, partner_id, name, email, status)
        values (%s, %s, %s, %s, %s)
        on conflict (tenant, partner_id) do update
           set name = excluded.name, email = excluded.email, status = excluded.status, updated_at = now()
        """,
        (
            tenant,
            partner["id"],
            partner["name"],
            partner.get("email"),
            partner.get("status", "active"),
        ),
    )
