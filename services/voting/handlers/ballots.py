"""Use cases of a ballot's life: open it (by hand or put to the vote by an event), list and
show it, close it (by hand, at the deadline, when all have voted), cancel it, remind its voters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from knotenpunkt.services.voting.domain import ballots as rules
from knotenpunkt.services.voting.handlers.record import cast_votes, seal
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import Conflict
from knotenpunkt.shared.usecase import Context, emit

# --- Commands -----------------------------------------------------------------


@dataclass(frozen=True)
class OpenBallot:
    """Open a ballot in a body, with the body's rules; the deadline defaults to the body's ballot_days."""

    body: str
    title: str
    text: str | None = None
    subject_kind: str = "general"
    subject_id: str | None = None
    deadline: datetime | None = None
    opened_by: str | None = None  # default: the caller (ctx.actor)
    origin: str = "manual"
    secret: bool | None = None  # asked for: must be what the body's rules say (None: as they say)


@dataclass(frozen=True)
class PutToVote:
    """Open the ballot a subject from another service needs (an admission, a founding), once."""

    body: str
    subject_kind: str
    subject_id: str
    title: str
    opened_by: str
    text: str | None = None
    deadline: datetime | None = None
    days: int | None = None  # voting period when no deadline is given; default: the body's
    origin: str = "event"  # the event that put it to the vote, e.g. "application.checked"


@dataclass(frozen=True)
class CloseBallot:
    """Close an open ballot now: tally, outcome, dissent."""

    ballot_id: str
    closed_by: str


@dataclass(frozen=True)
class CancelBallot:
    """Cancel the open ballot on a subject (e.g. a withdrawn application), if there is one."""

    subject_kind: str
    subject_id: str
    reason: str


@dataclass(frozen=True)
class RemindVoters:
    """Remind who has not voted yet, once per ballot, `settings.reminder_hours` before its deadline."""


# --- Reads --------------------------------------------------------------------


def list_ballots(
    conn, ctx: Context, *, caller: Principal, status=None, body=None, page=1, page_size=50
) -> tuple[list[dict], int]:
    """A page of ballots as the caller sees them, filtered by status and body, and the total; raises nothing.

    An undisclosed ballot (rules.undisclosed) of a body the caller does not belong to counts
    as open here too, in the filter as in the view."""
    rows, total = ctx.store.ballots.list_ballots(
        conn,
        status=status,
        body=body,
        limit=page_size,
        offset=(page - 1) * page_size,
        undisclosed=_undisclosed_outside(ctx, caller),
    )
    return [_view(conn, ctx, b, caller) for b in rows], total


def _undisclosed_outside(ctx: Context, caller: Principal) -> tuple | None:
    """For the list's status filter: (now, the bodies whose undisclosed ballots the caller
    sees), None when the caller sees every result or the network keeps none back."""
    if rules.reads_everything(caller) or not rules.embargoes(
        {"subject_kind": "admission"}, ctx.rules
    ):
        return None
    return ctx.now, sorted(caller.bodies) if rules.reads_any_body(caller) else []


def get_ballot(conn, ctx: Context, *, ballot_id, caller: Principal) -> dict:
    """One ballot as the caller sees it; raises NotFound."""
    return _view(conn, ctx, ctx.store.ballots.get_ballot(conn, ballot_id), caller)


def due_ballots(conn, ctx: Context) -> list[dict]:
    """Open ballots to close now (id, reason: deadline or all_voted); raises nothing."""
    return ctx.store.ballots.due_ballots(conn, ctx.now)


def open_ballot_ids(conn, ctx: Context) -> list:
    """The ids of the open ballots (whose records the sealer keeps up); raises nothing."""
    return ctx.store.ballots.open_ballot_ids(conn)


def _view(conn, ctx: Context, ballot: dict, caller: Principal | None = None) -> dict:
    """A ballot as a caller sees it: while open who voted (named) but no tally; when closed all of it.

    Who may vote, who voted and who dissented only for the body's members and
    the Koordinierungsstelle (caller None: the service itself).
    """
    out = dict(ballot)
    out["subject"] = {"kind": ballot["subject_kind"], "id": ballot["subject_id"]}
    out["choices"] = list(rules.choices_for(ballot["decision_rule"]))
    out["kind"] = "resolution" if ballot["binding"] else "recommendation"
    voters = ctx.store.votes.voters_status(conn, ballot["id"], ballot["secret"])
    out["voted"] = sum(1 for v in voters if v["voted"])
    out["voters"] = voters
    if ballot["status"] == "open":
        out["tally"] = out["outcome"] = out["dissent"] = None
    elif ballot["outcome"]:
        out["outcome_text"] = rules.outcome_text(ballot, ballot["outcome"])
    if caller is not None and not rules.reads_members(caller, ballot["body"]):
        if rules.undisclosed(ballot, ctx.rules, ctx.now):
            return rules.as_running(out)
        out["voters"] = []
        out["dissent"] = rules.anonymous_dissent(out["dissent"])
        if rules.embargoes(ballot, ctx.rules) and ballot["status"] == "open":
            out["voted"] = None  # as for an undisclosed one: the count could tell it closed
    return out


def _summary(ballot: dict) -> dict:
    return {
        "ballot_id": ballot["id"],
        "body": ballot["body"],
        "title": ballot["title"],
        "text": ballot["text"],
        "subject": {"kind": ballot["subject_kind"], "id": ballot["subject_id"]},
        "decision_rule": ballot["decision_rule"],
        "binding": ballot["binding"],
        "outcome_to": ballot["outcome_to"],
        "deadline": ballot["deadline"],
        "secret": ballot["secret"],
        "reasons_required_for": ballot["reasons_required_for"],
        "opened_by": ballot["opened_by"],
        "origin": ballot["origin"],
    }


# --- Writes -------------------------------------------------------------------


def open_ballot(cmd: OpenBallot, conn, ctx: Context) -> dict:
    """Open a ballot by hand with the body's rules, the electorate frozen now; raises NotFound (body), RuleViolation (deadline, an admission or founding as subject, secret other than the body's rules), Conflict (subject already in a vote)."""
    body = ctx.tenant.body_or_404(cmd.body)
    rules.check_subject_by_hand(cmd.subject_kind)
    rules.check_binding_kind(body, cmd.subject_kind)
    rules.check_secret_by_hand(body, cmd.secret)
    deadline = cmd.deadline or ctx.now + timedelta(days=body["ballot_days"])
    rules.check_deadline(deadline, ctx.now)
    return _view(conn, ctx, _open(conn, ctx, body, cmd, deadline, cmd.opened_by or ctx.actor))


def put_to_vote(cmd: PutToVote, conn, ctx: Context) -> dict | None:
    """Open the subject's ballot; None when it has an open one already; raises NotFound (body)."""
    body = ctx.tenant.body_or_404(cmd.body)
    deadline = cmd.deadline or ctx.now + timedelta(days=cmd.days or body["ballot_days"])
    try:
        return _open(conn, ctx, body, cmd, deadline, cmd.opened_by)
    except Conflict:
        return None


def _open(conn, ctx: Context, body: dict, cmd, deadline: datetime, opened_by: str) -> dict:
    tenant = ctx.tenant.key
    ballot = ctx.store.ballots.insert_ballot(
        conn,
        {
            "tenant": tenant,
            "body": body["key"],
            "title": cmd.title,
            "text": cmd.text,
            "subject_kind": cmd.subject_kind,
            "subject_id": cmd.subject_id,
            "deadline": deadline,
            "opened_by": opened_by,
            "origin": cmd.origin,
            "decision_rule": body["decision_rule"],
            "quorum": body["quorum"],
            "reasons_required_for": body["reasons_required_for"],
            "secret": body["secret"],
            "binding": body["binding"],
            "outcome_to": body.get("outcome_to"),
            "close_when_all_voted": body["close_when_all_voted"],
            "opened_at": ctx.now,
            "electorate_size": ctx.store.ballots.electorate_size(conn, body["key"]),
        },
    )
    if ballot is None:
        raise Conflict("Zu diesem Gegenstand läuft bereits eine Abstimmung.")
    ctx.store.ballots.freeze_electorate(conn, tenant, ballot["id"], body["key"])
    ctx.store.record.append(
        conn,
        tenant,
        ballot["id"],
        {
            "type": "opened",
            "at": ballot["opened_at"],
            "rule": ballot["decision_rule"],
            "electorate": ballot["electorate_size"],
            "deadline": ballot["deadline"],
        },
    )
    voters = ctx.store.ballots.ballot_voters(conn, ballot["id"])
    emit(conn, ctx, "ballot", "opened", {**_summary(ballot), "electorate": voters}, ballot["id"])
    return ballot


def close_ballot(cmd: CloseBallot, conn, ctx: Context) -> dict:
    """Close the ballot now and return it; raises NotFound, Conflict (not open any more)."""
    closed = close_if_open(conn, ctx, cmd.ballot_id, cmd.closed_by)
    if closed is None:
        raise Conflict("Die Abstimmung ist schon geschlossen.")
    return _view(conn, ctx, closed)


def close_if_open(
    conn, ctx: Context, ballot_id, closed_by: str, *, wait: bool = True
) -> dict | None:
    """Tally, dissent, record, event ballot.closed; returns the closed ballot, None when it is not open any more; raises NotFound.

    Without wait (a cast, which holds the shared cast lock itself): None at once when another
    cast is in flight. Two last voters asking each for the exclusive lock while holding the
    shared one would deadlock; the close is left to the next cast or the worker's sweep.
    """
    tenant = ctx.tenant.key
    if wait:
        ctx.store.votes.lock_casts(
            conn, ballot_id
        )  # the casts in flight are counted, later ones refused
    elif not ctx.store.votes.try_lock_casts(conn, ballot_id):
        return None
    ballot = ctx.store.ballots.get_ballot(conn, ballot_id, lock="update")
    if ballot["status"] != "open":
        return None
    votes = cast_votes(conn, ctx, ballot)
    result = rules.tally(
        ballot["decision_rule"],
        float(ballot["quorum"]),
        ballot["electorate_size"],
        [v["choice"] for v in votes],
    )
    outcome = result.pop("outcome")
    dissent = rules.dissent(votes, named=not ballot["secret"])
    if ballot["secret"]:
        ctx.store.record.append(
            conn,
            tenant,
            ballot_id,
            {
                "type": "secret_votes",
                "votes": [{"choice": v["choice"], "reason": v["reason"]} for v in votes],
            },
        )
        ctx.store.votes.rewrite_secret_votes(conn, ballot_id)
    ctx.store.record.append(
        conn,
        tenant,
        ballot_id,
        {"type": "closed", "by": closed_by, "tally": result, "outcome": outcome},
    )
    ballot = ctx.store.ballots.set_closed(
        conn, ballot_id, closed_by, result, outcome, dissent, ctx.now
    )
    seal(conn, ctx, ballot_id)
    # ballot.closed carries: ballot_id, body, title, text, subject {kind, id},
    # decision_rule, binding, outcome_to, deadline, secret, reasons_required_for,
    # opened_by ("event:<envelope id>" or the coordinator), origin ("manual",
    # "application.checked", "working_group_proposal.submitted"), outcome,
    # outcome_text, kind, tally, closed_at, closed_by and dissent: a list of
    # {choice, reason, person_id, name}, the same keys in every ballot, person_id
    # and name None in a secret one.
    emit(
        conn,
        ctx,
        "ballot",
        "closed",
        {
            **_summary(ballot),
            "outcome": outcome,
            "outcome_text": rules.outcome_text(ballot, outcome),
            "kind": "resolution" if ballot["binding"] else "recommendation",
            "tally": result,
            "dissent": dissent,
            "closed_at": ballot["closed_at"],
            "closed_by": closed_by,
        },
        ballot_id,
    )
    return ballot


def cancel_ballot(cmd: CancelBallot, conn, ctx: Context) -> bool:
    """Cancel the subject's open ballot; False when it has none; raises nothing."""
    found = ctx.store.ballots.open_for_subject(conn, cmd.subject_kind, cmd.subject_id)
    if found is None:
        return False
    ctx.store.votes.lock_casts(conn, found["id"])
    ballot = ctx.store.ballots.get_ballot(conn, found["id"], lock="update")
    if ballot["status"] != "open":
        return False
    ctx.store.record.append(
        conn, ctx.tenant.key, ballot["id"], {"type": "cancelled", "reason": cmd.reason}
    )
    ctx.store.ballots.set_cancelled(conn, ballot["id"], cmd.reason, ctx.now)
    seal(conn, ctx, ballot["id"])
    emit(conn, ctx, "ballot", "cancelled", {**_summary(ballot), "reason": cmd.reason}, ballot["id"])
    return True


def remind_voters(cmd: RemindVoters, conn, ctx: Context) -> int:
    """Event ballot.reminder_due for each ballot near its deadline with voters missing; returns how many ballots were due; raises nothing."""
    until = ctx.now + timedelta(hours=ctx.settings.reminder_hours)
    due = ctx.store.ballots.reminders_due(conn, ctx.now, until)
    for ballot in due:
        pending = [
            v
            for v in ctx.store.votes.voters_status(conn, ballot["id"], ballot["secret"])
            if not v["voted"]
        ]
        ctx.store.ballots.set_reminded(conn, ballot["id"], ctx.now)
        if pending:
            not_voted = [{"person_id": v["person_id"], "name": v["name"]} for v in pending]
            data = {**_summary(ballot), "not_voted": not_voted}
            emit(conn, ctx, "ballot", "reminder_due", data, ballot["id"])
    return len(due)
