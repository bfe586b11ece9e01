"""Use cases of a ballot's record: its hash chain sealed and read back, checked against the votes."""

from __future__ import annotations

from dataclasses import dataclass

from knotenpunkt.services.voting.domain import ballots as ballot_rules
from knotenpunkt.services.voting.domain import record as rules
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.usecase import Context


@dataclass(frozen=True)
class SealRecord:
    """Link the ballot's new record entries into its hash chain."""

    ballot_id: str


def cast_votes(conn, ctx: Context, ballot: dict) -> list[dict]:
    """The ballot's votes: named (person, choice, reason) or secret (choice, reason); raises nothing."""
    if ballot["secret"]:
        return ctx.store.votes.secret_votes(conn, ballot["id"])
    return ctx.store.votes.named_votes(conn, ballot["id"])


def ballot_record(conn, ctx: Context, *, ballot_id, caller: Principal) -> dict:
    """The ballot's record as a hash chain, checked against its votes (while open only who took part); raises NotFound, Forbidden (not of the body)."""
    ballot = ctx.store.ballots.get_ballot(conn, ballot_id)
    ballot_rules.ensure_reads_members(caller, ballot["body"])
    seal(conn, ctx, ballot_id)
    entries = ctx.store.record.record(conn, ballot_id)
    problems = rules.record_problems(ballot, entries, cast_votes(conn, ctx, ballot))
    if ballot["status"] == "open":
        entries = rules.interim_record(entries)
    return {"ballot_id": ballot_id, "valid": not problems, "problems": problems, "entries": entries}


def seal_record(cmd: SealRecord, conn, ctx: Context) -> int:
    """Link the ballot's unsealed record entries into its hash chain; returns how many; raises nothing."""
    return seal(conn, ctx, cmd.ballot_id)


def seal(conn, ctx: Context, ballot_id) -> int:
    """Link the ballot's unsealed record entries into its hash chain, the record locked; returns how many; raises nothing."""
    record = ctx.store.record
    record.lock_record(conn, ballot_id)
    sealed = rules.chain(
        record.last_sealed(conn, ballot_id), record.unsealed_entries(conn, ballot_id)
    )
    record.set_seals(conn, ballot_id, sealed)
    return len(sealed)
