"""Voting's copy of other services' data: each body's electorate, from membership.body.* events.

The SQL of the copy and the use cases that keep it, in one place; a ballot
freezes the copy as it is when the ballot opens (``store.freeze_electorate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from knotenpunkt.shared.usecase import Context

# --- Commands -----------------------------------------------------------------


@dataclass(frozen=True)
class AddVoter:
    """A member joined a body (or their details changed): they may vote in its new ballots."""

    body: str
    person_id: str
    name: str
    email: str | None = None
    role: str = "member"


@dataclass(frozen=True)
class RemoveVoter:
    """A member left a body: they vote in none of its new ballots."""

    body: str
    person_id: str


# --- Handlers -----------------------------------------------------------------


def add_voter(cmd: AddVoter, conn, ctx: Context) -> None:
    """Add the member to the copy of the body's electorate, or update them; raises nothing."""
    upsert_voter(conn, ctx.tenant.key, cmd.body, cmd, ctx.now)


def remove_voter(cmd: RemoveVoter, conn, ctx: Context) -> None:
    """Remove the member from the copy of the body's electorate; raises nothing."""
    delete_voter(conn, cmd.body, cmd.person_id)


# --- SQL ----------------------------------------------------------------------


def upsert_voter(conn, tenant: str, body: str, voter: AddVoter, now: datetime) -> None:
    """Insert or update one member of a body's electorate; raises nothing."""
    conn.execute(
        """
        insert into electorate (tenant, body, person_id, name, email, role, updated_at)
        values (%s, %s, %s, %s, %s, %s, %s)
        on conflict (tenant, body, person_id) do update
           set name = excluded.name, email = excluded.email, role = excluded.role,
               updated_at = excluded.updated_at
        """,
        (tenant, body, voter.person_id, voter.name, voter.email, voter.role, now),
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
