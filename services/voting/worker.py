"""Voting worker: keeps the electorate, opens ballots from membership events, closes due ballots, reminds."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from services.voting import store
from shared import worker
from shared.errors import Conflict
from shared.messaging import PermanentError
from shared.tenants import TenantRegistry

log = logging.getLogger(__name__)
_registry: TenantRegistry | None = None


def tenants() -> TenantRegistry:
    global _registry
    if _registry is None:
        from shared.config import from_env

        _registry = TenantRegistry.load(from_env().tenants_dir)
    return _registry


def on_member_added(conn, env: dict, ctx) -> None:
    data = env["data"]
    store.upsert_voter(conn, env["tenant"], data["body"], data)


def on_member_removed(conn, env: dict, ctx) -> None:
    data = env["data"]
    store.remove_voter(conn, data["body"], data["person_id"])


def _open_from_event(conn, env: dict, default_days: int) -> None:
    data = env["data"]
    tenant = tenants().get(env["tenant"])
    body = tenant.body(data["body"]) if tenant else None
    if body is None:
        raise PermanentError(f"{env['tenant']} has no body {data.get('body')!r}")
    deadline = data.get("deadline")
    deadline = (
        datetime.fromisoformat(deadline)
        if deadline
        else datetime.now(UTC) + timedelta(days=default_days)
    )
    spec = {
        "title": data.get("title") or data["subject"]["kind"],
        "text": data.get("text"),
        "subject": data["subject"],
        "deadline": deadline,
    }
    try:
        store.open_ballot(conn, env["tenant"], body, spec, f"event:{env['id']}")
    except Conflict:
        log.info("ballot for %s already open", data["subject"])


def on_application_checked(conn, env: dict, ctx) -> None:
    """A checked Beitrittserklärung goes to the admitting body's vote, with the tenant's deadline."""
    _open_from_event(conn, env, env["data"].get("decision_days") or 14)


def on_proposal_submitted(conn, env: dict, ctx) -> None:
    """A working-group proposal that a body decides opens a ballot there."""
    if env["data"].get("decided_by") == "body":
        _open_from_event(conn, env, 14)


def on_application_withdrawn(conn, env: dict, ctx) -> None:
    ballot = store.open_for_subject(conn, "admission", env["data"]["application_id"])
    if ballot is not None:
        store.cancel(conn, env["tenant"], ballot["id"], "Antrag zurückgezogen")


def close_due(w, ctx) -> None:
    tenant = ctx.tenant
    with w.db.transaction(tenant.key) as conn:
        due = store.due_ballots(conn)
    for row in due:
        with w.db.transaction(tenant.key) as conn:
            store.close(conn, tenant.key, row["id"], row["reason"])


def remind(w, ctx) -> None:
    tenant = ctx.tenant
    with w.db.transaction(tenant.key) as conn:
        for ballot in store.reminders_due(conn, w.settings.reminder_hours):
            store.send_reminder(conn, tenant.key, ballot)


def seal_open(w, ctx) -> None:
    tenant = ctx.tenant
    with w.db.transaction(tenant.key) as conn:
        ids = [
            r["id"] for r in conn.execute("select id from ballots where status = 'open'").fetchall()
        ]
    for ballot_id in ids:
        with w.db.transaction(tenant.key) as conn:
            store.seal(conn, ballot_id)


HANDLERS = {
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
