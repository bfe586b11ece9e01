"""Membership worker: decides applications and proposals when their ballots close; publishes overviews."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from services.membership import domain, store
from shared import worker
from shared.errors import NotFound
from shared.messaging import PermanentError

log = logging.getLogger(__name__)


def on_ballot_closed(conn, env: dict, ctx) -> None:
    """An admission or founding ballot closed: admit or reject, found or decline."""
    data = env["data"]
    subject = data.get("subject") or {}
    kind, subject_id = subject.get("kind"), subject.get("id")
    if kind == "admission":
        _decide_application(conn, env["tenant"], subject_id, data)
    elif kind == "working_group_founding":
        proposal = store.get_proposal(conn, subject_id, lock=True)
        if proposal["status"] == "in_vote":
            store.decide_proposal(
                conn,
                env["tenant"],
                proposal,
                data["outcome"] == "adopted",
                f"ballot {data.get('ballot_id')}",
            )


def _decide_application(conn, tenant: str, application_id, data: dict) -> None:
    try:
        app = store.get_application(conn, application_id, lock=True)
    except NotFound as exc:
        raise PermanentError(f"ballot.closed for unknown application {application_id}") from exc
    if app["status"] != "in_vote":
        log.info("application %s is %s; ballot result not applied", application_id, app["status"])
        return
    status = domain.admission_result(data["outcome"])
    decision = {
        "outcome": data["outcome"],
        "ballot_id": data.get("ballot_id"),
        "tally": data.get("tally"),
        "dissent": data.get("dissent") or [],
        "decided_at": data.get("closed_at") or datetime.now(UTC).isoformat(),
        "deadline": data.get("deadline"),
    }
    app = store.set_application_status(
        conn,
        application_id,
        status,
        by=f"ballot {data.get('ballot_id')}",
        decision=decision,
        ballot_id=data.get("ballot_id"),
    )
    if status == "admitted":
        partner = store.admit(conn, tenant, app, decision)
        conn.execute(
            "update applications set partner_id = %s where id = %s", (partner["id"], application_id)
        )
    else:
        store.emit_application(conn, tenant, app, "rejected", decision=decision)


def publish_due_overviews(w, ctx) -> None:
    """Publish the partner overview where the network's interval has passed (Chemnitz: 6 months)."""
    tenant = ctx.tenant
    with w.db.transaction(tenant.key) as conn:
        last = store.latest_publication(conn)
        if domain.publication_due(
            tenant.rules, last["published_at"] if last else None, datetime.now(UTC)
        ):
            store.publish_directory(conn, tenant.key, tenant.rules, "schedule")


HANDLERS = {"voting.ballot.closed": on_ballot_closed}
JOBS = [worker.Job("directory-publication", 3600, publish_due_overviews)]
