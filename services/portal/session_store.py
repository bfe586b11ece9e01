"""SQL of the portal's sessions (table portal_sessions, migrations/0160_portal_sessions.sql).

SQL only: the times come in as values (the portal's clock), rows are found by the digest of
the cookie's id, never by the id itself.
"""

from __future__ import annotations

from datetime import datetime


def find(conn, digest: bytes, *, now: datetime, idle_since: datetime) -> dict | None:
    """The live session with this digest: neither past its end nor idle since `idle_since`."""
    return conn.execute(
        "select sealed, created_at, seen_at, expires_at from portal_sessions"
        " where id = %s and expires_at > %s and seen_at > %s",
        (digest, now, idle_since),
    ).fetchone()


def insert(conn, digest: bytes, sealed: bytes, *, now: datetime, expires: datetime) -> None:
    conn.execute(
        "insert into portal_sessions (id, sealed, created_at, seen_at, expires_at)"
        " values (%s, %s, %s, %s, %s)",
        (digest, sealed, now, now, expires),
    )


def update(conn, digest: bytes, sealed: bytes, *, now: datetime) -> None:
    conn.execute(
        "update portal_sessions set sealed = %s, seen_at = %s where id = %s",
        (sealed, now, digest),
    )


def touch(conn, digest: bytes, *, now: datetime) -> None:
    conn.execute("update portal_sessions set seen_at = %s where id = %s", (now, digest))


def delete(conn, digest: bytes) -> None:
    conn.execute("delete from portal_sessions where id = %s", (digest,))


def delete_ended(conn, *, now: datetime, idle_since: datetime) -> int:
    """Forget every session past its end or idle since `idle_since`; how many."""
    return conn.execute(
        "delete from portal_sessions where expires_at <= %s or seen_at <= %s", (now, idle_since)
    ).rowcount
