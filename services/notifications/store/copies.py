"""SQL of notifications' copies of other services' data: the recipients (body members,
partners, contacts held on consent). Runs inside the caller's unit of work."""

from __future__ import annotations

from datetime import datetime

# the kinds of recipients, and the scopes of partners and contacts (a body member's scope is the
# body's key)
BODY_MEMBER, PARTNER, CONTACT = "body_member", "partner", "contact"
PARTNERS_SCOPE, CONSENT_SCOPE = "partners", "consent"


def upsert_recipient(
    conn, tenant: str, kind: str, scope: str, ref: str, name: str, email, now: datetime
) -> None:
    """Insert or update one recipient of a kind in a scope (a body, the partners); raises nothing."""
    conn.execute(
        """
        insert into recipients (tenant, kind, scope, ref, name, email, updated_at)
        values (%s, %s, %s, %s, %s, %s, %s)
        on conflict (tenant, kind, scope, ref) do update
           set name = excluded.name, email = excluded.email, updated_at = excluded.updated_at
        """,
        (tenant, kind, scope, ref, name, email, now),
    )


def remove_recipient(conn, kind: str, scope: str, ref: str) -> None:
    """Delete one recipient (nothing when there is none); raises nothing."""
    conn.execute(
        "delete from recipients where kind = %s and scope = %s and ref = %s", (kind, scope, ref)
    )


def erase_email(conn, email: str) -> int:
    """Delete every recipient entry with this e-mail address (any case); returns how many; raises nothing."""
    return conn.execute("delete from recipients where lower(email) = lower(%s)", (email,)).rowcount


def consented(conn, email: str) -> bool:
    """Whether a contact with this address (any case) is held on consent; raises nothing."""
    return (
        conn.execute(
            "select 1 from recipients where kind = %s and scope = %s and lower(email) = lower(%s)",
            (CONTACT, CONSENT_SCOPE, email),
        ).fetchone()
        is not None
    )


def body_members(conn, body: str) -> list[dict]:
    """The copy of a body's members (ref, name, email) by name; raises nothing."""
    return conn.execute(
        "select ref, name, email from recipients where kind = %s and scope = %s order by name",
        (BODY_MEMBER, body),
    ).fetchall()
