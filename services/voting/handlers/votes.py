"""Use case of a member's vote: cast it (or change it, in a named ballot)."""

from __future__ import annotations

from dataclasses import dataclass

from knotenpunkt.services.voting.domain import ballots as ballot_rules
from knotenpunkt.services.voting.domain import votes as rules
from knotenpunkt.services.voting.handlers.ballots import close_if_open
from knotenpunkt.shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from knotenpunkt.shared.usecase import Context


@dataclass(frozen=True)
class CastVote:
    """Cast a member's vote, or change it while the ballot is open (named ballots only)."""

    ballot_id: str
    voter: str
    choice: str
    reason: str | None = None


def cast_vote(cmd: CastVote, conn, ctx: Context) -> dict:
    """Record a vote (or change it, in named ballots), closing the ballot when all have voted; raises NotFound, Forbidden (not in the electorate), Conflict (closed, past the deadline, a second secret vote), RuleViolation (choice, reason).

    One statement stores the vote (store.votes.cast_named, cast_secret): the ballot's rules are
    fixed at opening and come from the process's cache (``ctx.deps["ballot_rules"]``, a
    rules_cache.RulesCache) once seen; only its status is read, under the shared cast lock that
    closing waits for, never a lock on the ballot's row.
    """
    tenant, ballot_id, person = ctx.tenant.key, cmd.ballot_id, cmd.voter
    cache = ctx.dep("ballot_rules")
    cast_rules = cache.get(tenant, ballot_id)
    if cast_rules is None:
        cast_rules = rules.cast_rules(ctx.store.ballots.get_ballot(conn, ballot_id))
        cache.put(tenant, ballot_id, cast_rules)
    try:
        rules.check_vote(cast_rules, cmd.choice, cmd.reason)
    except RuleViolation:
        # a closed ballot says so first, as for every vote; to its voters only (outside the
        # electorate a closed ballot's state is not told: an undisclosed result)
        ballot = ctx.store.ballots.get_ballot(conn, ballot_id)
        if ctx.store.ballots.in_electorate(conn, ballot_id, person):
            ballot_rules.ensure_open(ballot, ctx.now)
        raise
    entry = {"type": "vote", "person_id": person, "choice": cmd.choice, "reason": cmd.reason}
    if cast_rules["secret"]:
        entry = {"type": "participation", "person_id": person}
        cast = ctx.store.votes.cast_secret(
            conn, tenant, ballot_id, person, cmd.choice, cmd.reason, ctx.now, entry
        )
    else:
        cast = ctx.store.votes.cast_named(
            conn, tenant, ballot_id, person, cmd.choice, cmd.reason, ctx.now, entry
        )
    if cast is None:
        raise NotFound(f"Eine Abstimmung {ballot_id} gibt es nicht.")
    if not cast["member"]:  # first: outside the body, a closed ballot's state is not told
        raise Forbidden(
            "Abstimmen dürfen nur die Mitglieder des Gremiums, die bei Eröffnung dazugehörten."
        )
    ballot_rules.ensure_open(cast, ctx.now)
    if cast_rules["secret"]:
        if not cast["first"]:
            raise Conflict(
                "In einer geheimen Abstimmung zählt nur die erste Stimme; sie lässt sich nicht ändern."
            )
        vote = {"person_id": person, "choice": None, "secret": True}
    else:
        vote = {k: cast[k] for k in ("person_id", "choice", "reason", "cast_at", "changes")}
    status = cast["status"]
    if rules.should_close_early(cast_rules, cast["voted"]) and close_if_open(
        conn, ctx, ballot_id, "all_voted", wait=False
    ):
        status = "closed"
    return {**vote, "ballot_status": status}
