"""Voting worker: keeps the electorate, opens ballots from membership events, closes due ballots, reminds.

Consumers turn an event into a command and call the handler a route would;
jobs open a unit of work per step and call handlers. No SQL here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from knotenpunkt.services.voting import handlers
from knotenpunkt.services.voting.handlers import privacy
from knotenpunkt.shared import worker
from knotenpunkt.shared.errors import Conflict, NotFound
from knotenpunkt.shared.messaging import PermanentError

log = logging.getLogger(__name__)


def on_member_added(conn, env: dict, ctx) -> None:
    d = env["data"]
    handlers.add_voter(
        handlers.AddVoter(
            body=d["body"],
            person_id=d["person_id"],
            name=d["name"],
            email=d.get("email"),
            role=d.get("role", "member"),
        ),
        conn,
        ctx,
    )


def on_member_removed(conn, env: dict, ctx) -> None:
    d = env["data"]
    handlers.remove_voter(handlers.RemoveVoter(body=d["body"], person_id=d["person_id"]), conn, ctx)


def _put_to_vote(conn, env: dict, ctx, days: int | None, origin: str) -> None:
    data = env["data"]
    deadline = data.get("deadline")
    cmd = handlers.PutToVote(
        body=data["body"],
        subject_kind=data["subject"].get("kind", "general"),
        subject_id=data["subject"].get("id"),
        title=data.get("title") or data["subject"]["kind"],
        text=data.get("text"),
        deadline=datetime.fromisoformat(deadline) if deadline else None,
        days=days,
        opened_by=f"event:{env['id']}",
        origin=origin,
    )
    try:
        opened = handlers.put_to_vote(cmd, conn, ctx)
    except NotFound as exc:
        raise PermanentError(f"{env['tenant']} has no body {data.get('body')!r}") from exc
    if opened is None:
        log.info("ballot for %s already open", data["subject"])


def on_application_checked(conn, env: dict, ctx) -> None:
    """A checked Beitrittserklärung goes to the admitting body's vote, with the tenant's deadline."""
    _put_to_vote(conn, env, ctx, env["data"].get("decision_days"), "application.checked")


def on_proposal_submitted(conn, env: dict, ctx) -> None:
    """A working-group proposal that a body decides opens a ballot there."""
    if env["data"].get("decided_by") == "body":
        _put_to_vote(conn, env, ctx, None, "working_group_proposal.submitted")


def on_application_withdrawn(conn, env: dict, ctx) -> None:
    handlers.cancel_ballot(
        handlers.CancelBallot("admission", env["data"]["application_id"], "Antrag zurückgezogen"),
        conn,
        ctx,
    )


def close_due(w, ctx) -> None:
    """Close every ballot past its deadline (or fully voted), each in its own unit of work."""
    with w.db.transaction(ctx.tenant.key) as conn:
        due = handlers.due_ballots(conn, ctx)
    for row in due:
        with w.db.transaction(ctx.tenant.key) as conn:
            try:
                handlers.close_ballot(handlers.CloseBallot(row["id"], row["reason"]), conn, ctx)
            except Conflict:
                log.info("ballot %s was closed meanwhile", row["id"])


def remind(w, ctx) -> None:
    """Remind the voters of ballots near their deadline."""
    with w.db.transaction(ctx.tenant.key) as conn:
        handlers.remind_voters(handlers.RemindVoters(), conn, ctx)


def seal_open(w, ctx) -> None:
    """Keep the records of open ballots sealed, each ballot in its own unit of work."""
    with w.db.transaction(ctx.tenant.key) as conn:
        ids = handlers.open_ballot_ids(conn, ctx)
    for ballot_id in ids:
        with w.db.transaction(ctx.tenant.key) as conn:
            handlers.seal_record(handlers.SealRecord(ballot_id), conn, ctx)


# A person's request (DSGVO): answer with what voting holds or erased.
on_privacy_requested = worker.privacy_consumer(privacy)

CONSUMERS = {
    "membership.privacy.requested": on_privacy_requested,
    "membership.body.member_added": on_member_added,
    "membership.body.member_removed": on_member_removed,
    "membership.application.checked": on_application_checked,
    "membership.application.withdrawn": on_application_withdrawn,
    "membership.working_group_proposal.submitted": on_proposal_submitted,
}
JOBS = [
    worker.Job("close-due-ballots", 1, close_due),
    worker.Job("reminders", 60, remind),
    worker.Job("seal-records", 5, seal_open),
]
