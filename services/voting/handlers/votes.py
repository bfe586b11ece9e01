"""Use case of a member's vote: cast it (or change it, in a named ballot)."""

from __future__ import annotations

from dataclasses import dataclass

from knotenpunkt.services.voting import domain, store
from knotenpunkt.services.voting.handlers.ballots import close_if_open
from knotenpunkt.shared.errors import Conflict, Forbidden
from knotenpunkt.shared.usecase import Context


@dataclass(frozen=True)
class CastVote:
    """Cast a member's vote, or change it while the ballot is open (named ballots only)."""

    ballot_id: str
    voter: str
    choice: str
    reason: str | None = None


def cast_vote(cmd: CastVote, conn, ctx: Context) -> dict:
    """Record a vote (or change it, in named ballots), closing the ballot when all have voted; raises NotFound, Forbidden (not in the electorate), Conflict (closed, past the deadline, a second secret vote), RuleViolation (choice, reason)."""
    tenant, ballot_id, person = ctx.tenant.key, cmd.ballot_id, cmd.voter
    ballot = store.get_ballot(conn, ballot_id, lock="share")
    domain.ensure_open(ballot, ctx.now)
    domain.check_vote(ballot, cmd.choice, cmd.reason)
    if store.voter_name(conn, ballot_id, person) is None:
        raise Forbidden(
            "Abstimmen dürfen nur die Mitglieder des Gremiums, die bei Eröffnung dazugehörten."
        )
    if ballot["secret"]:
        if not store.add_participation(conn, tenant, ballot_id, person):
            raise Conflict(
                "In einer geheimen Abstimmung zählt nur die erste Stimme; sie lässt sich nicht ändern."
            )
        store.add_secret_vote(conn, tenant, ballot_id, cmd.choice, cmd.reason)
        store.append(conn, tenant, ballot_id, {"type": "participation", "person_id": person})
        voted = store.participation_count(conn, ballot_id)
        vote = {"person_id": person, "choice": None, "secret": True}
    else:
        vote = store.upsert_vote(conn, tenant, ballot_id, person, cmd.choice, cmd.reason, ctx.now)
        store.append(
            conn,
            tenant,
            ballot_id,
            {"type": "vote", "person_id": person, "choice": cmd.choice, "reason": cmd.reason},
        )
        voted = store.vote_count(conn, ballot_id)
    status = ballot["status"]
    if domain.should_close_early(ballot, voted) and close_if_open(
        conn, ctx, ballot_id, "all_voted"
    ):
        status = "closed"
    return {**vote, "ballot_status": status}
