"""Use cases of voting's copy of other services' data: each body's electorate, kept from
membership.body.* events; a ballot freezes the copy as it is when the ballot opens
(``store.ballots.freeze_electorate``)."""

from __future__ import annotations

from dataclasses import dataclass

from knotenpunkt.services.voting.domain import ballots as rules
from knotenpunkt.shared.auth import Principal
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


# --- Reads --------------------------------------------------------------------


def electorate(conn, ctx: Context, *, body: str, caller: Principal) -> list[dict]:
    """Who may vote in the body now; raises NotFound (no such body), Forbidden (not of the body)."""
    ctx.tenant.body_or_404(body)
    rules.ensure_reads_members(caller, body)
    return ctx.store.copies.voters(conn, body)


# --- Writes -------------------------------------------------------------------


def add_voter(cmd: AddVoter, conn, ctx: Context) -> None:
    """Add the member to the copy of the body's electorate, or update them; raises nothing."""
    ctx.store.copies.upsert_voter(
        conn, ctx.tenant.key, cmd.body, cmd.person_id, cmd.name, cmd.email, cmd.role, ctx.now
    )


def remove_voter(cmd: RemoveVoter, conn, ctx: Context) -> None:
    """Remove the member from the copy of the body's electorate; raises nothing."""
    ctx.store.copies.delete_voter(conn, cmd.body, cmd.person_id)
