"""SQL of a person's preferences per category (opted out, language). Runs inside the caller's
unit of work."""

from __future__ import annotations

from datetime import datetime


def set_preference(
    conn,
    tenant: str,
    email: str,
    category: str,
    opted_out: bool,
    language: str | None,
    now: datetime,
) -> dict:
    """Insert or update a person's preference for a category (language kept when None); raises nothing."""
    return conn.execute(
        """
        insert into preferences (tenant, email, category, opted_out, language, updated_at)
        values (%s, lower(%s), %s, %s, %s, %s)
        on conflict (tenant, email, category) do update
           set opted_out = excluded.opted_out, language = coalesce(excluded.language, preferences.language),
               updated_at = excluded.updated_at
        returning *
        """,
        (tenant, email, category, opted_out, language, now),
    ).fetchone()


def opted_out(conn, email: str, category: str) -> bool:
    """Whether the person opted out of the category; raises nothing."""
    row = conn.execute(
        "select opted_out from preferences where lower(email) = lower(%s) and category = %s",
        (email, category),
    ).fetchone()
    return bool(row and row["opted_out"])


def language_of(conn, email: str, category: str) -> str | None:
    """The language the person chose for the category, None when none; raises nothing."""
    row = conn.execute(
        "select language from preferences where email = lower(%s) and category = %s",
        (email, category),
    ).fetchone()
    return row["language"] if row else None


def erase_preferences(conn, email: str) -> int:
    """Delete every preference of this address (any case); returns how many; raises nothing."""
    return conn.execute("delete from preferences where lower(email) = lower(%s)", (email,)).rowcount


def preferences_of(conn, email: str) -> list[dict]:
    """A person's preferences by category; raises nothing."""
    return conn.execute(
        "select * from preferences where email = lower(%s) order by category", (email,)
    ).fetchall()
