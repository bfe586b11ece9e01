"""Use case of a member's vote: cast it (or change it, in a named ballot), alone or together
with the casts arriving at the same time in the same process (group commit)."""

from __future__ import annotations

from dataclasses import dataclass

from knotenpunkt.services.voting.domain import ballots as ballot_rules
from knotenpunkt.services.voting.domain import votes as rules
from knotenpunkt.services.voting.handlers.ballots import close_if_open
from knotenpunkt.shared.errors import Conflict, DomainError, Forbidden, NotFound, RuleViolation
from knotenpunkt.shared.groupcommit import ALONE
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

    The cast alone: a batch of one (cast_votes), so that a cast run by itself after a failed
    batch takes exactly the path it takes in a batch.
    """
    (outcome,) = cast_votes([(cmd, ctx)], conn)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def cast_vote_grouped(cmd: CastVote, ctx: Context, unit_of_work) -> dict:
    """cast_vote in a batch of the casts arriving meanwhile in this process (``ctx.deps``'
    ``cast_batch``, a shared.groupcommit.GroupCommit; unit_of_work: the request's ``uow``),
    answered once the commit holding this vote is done; raises what cast_vote raises.

    Without a batcher (or with it disabled) the cast runs alone in its own unit of work.
    """
    batcher = ctx.deps.get("cast_batch")
    if batcher is None or not batcher.enabled:
        with unit_of_work() as conn:
            return cast_vote(cmd, conn, ctx)
    return batcher.run(
        ctx.tenant.key,
        (cmd, ctx),
        batch=lambda conn, casts: cast_votes(casts, conn),
        alone=lambda conn, cast: cast_vote(cast[0], conn, cast[1]),
        unit_of_work=unit_of_work,
    )


def cast_votes(casts: list[tuple[CastVote, Context]], conn) -> list:
    """The casts of one tenant (each with the context of its request: its time, its caller) in
    one transaction: at most two statements (named, secret), each ballot closed once when all
    have voted. Returns per cast, in order, its answer (as cast_vote's), its DomainError (the
    other casts stand), or shared.groupcommit.ALONE for a second cast of the same voter in the
    same ballot (it runs by itself afterwards); raises only what the database raises.

    The ballot's rules are fixed at opening and come from the process's cache
    (``ctx.deps["ballot_rules"]``, a rules_cache.RulesCache) once seen; only its status is read,
    under the shared cast lock that closing waits for, never a lock on the ballot's row.
    """
    outcomes: list = [None] * len(casts)
    kinds: dict[bool, list[int]] = {False: [], True: []}
    cast_rules: dict[int, dict] = {}
    seen: set[tuple[str, str]] = set()
    for i, (cmd, ctx) in enumerate(casts):
        key = (str(cmd.ballot_id), cmd.voter)
        if key in seen:
            outcomes[i] = ALONE
            continue
        seen.add(key)
        try:
            cast_rules[i] = _checked_rules(cmd, conn, ctx)
        except DomainError as exc:
            outcomes[i] = exc
            continue
        kinds[cast_rules[i]["secret"]].append(i)
    tenant, store = casts[0][1].tenant.key, casts[0][1].store
    stored: dict[int, dict | None] = {}
    for secret, picked in kinds.items():
        if not picked:
            continue
        rows = [_row(*casts[i], secret) for i in picked]
        write = store.votes.cast_secret if secret else store.votes.cast_named
        stored.update(zip(picked, write(conn, tenant, rows), strict=True))
    last_of_ballot: dict[str, int] = {}
    for i, cast in stored.items():
        cmd, ctx = casts[i]
        try:
            outcomes[i] = _answer(cmd, cast_rules[i], cast, ctx)
            last_of_ballot[str(cmd.ballot_id)] = i
        except DomainError as exc:
            outcomes[i] = exc
    for ballot_id, i in last_of_ballot.items():
        cmd, ctx = casts[i]
        if rules.should_close_early(cast_rules[i], stored[i]["voted"]) and close_if_open(
            conn, ctx, cmd.ballot_id, "all_voted", wait=False
        ):
            for j in stored:
                if str(casts[j][0].ballot_id) == ballot_id and isinstance(outcomes[j], dict):
                    outcomes[j]["ballot_status"] = "closed"
    return outcomes


def _checked_rules(cmd: CastVote, conn, ctx: Context) -> dict:
    """The ballot's cast rules (cached), the choice and reason checked against them; raises
    NotFound, RuleViolation (a closed ballot says so first, as for every vote)."""
    tenant, ballot_id = ctx.tenant.key, cmd.ballot_id
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
        if ctx.store.ballots.in_electorate(conn, ballot_id, cmd.voter):
            ballot_rules.ensure_open(ballot, ctx.now)
        raise
    return cast_rules


def _row(cmd: CastVote, ctx: Context, secret: bool) -> dict:
    """What the store writes of a cast: its vote, its time and its record entry (in a secret
    ballot only that the person took part)."""
    if secret:
        entry = {"type": "participation", "person_id": cmd.voter}
    else:
        entry = {"type": "vote", "person_id": cmd.voter, "choice": cmd.choice, "reason": cmd.reason}
    return {
        "ballot_id": cmd.ballot_id,
        "person_id": cmd.voter,
        "choice": cmd.choice,
        "reason": cmd.reason,
        "now": ctx.now,
        "entry": entry,
    }


def _answer(cmd: CastVote, cast_rules: dict, cast: dict | None, ctx: Context) -> dict:
    """The answer to a stored cast; raises NotFound, Conflict (closed, past the deadline, a
    second secret vote), Forbidden (not in the frozen electorate)."""
    if cast is None:
        raise NotFound(f"Eine Abstimmung {cmd.ballot_id} gibt es nicht.")
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
        vote = {"person_id": cmd.voter, "choice": None, "secret": True}
    else:
        vote = {k: cast[k] for k in ("person_id", "choice", "reason", "cast_at", "changes")}
    return {**vote, "ballot_status": cast["status"]}
