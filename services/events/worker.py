"""Events worker: copies of partners and body members, introduction slots, ballot results, cadence."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from services.events import store
from shared import worker
from shared.config import from_env
from shared.tenants import TenantRegistry


@functools.cache
def _tenants() -> TenantRegistry:
    return TenantRegistry.load(from_env().tenants_dir)


def on_partner(conn, env: dict, ctx) -> None:
    store.upsert_partner(conn, env["tenant"], env["data"])


def on_partner_admitted(conn, env: dict, ctx) -> None:
    """An admitted partner introduces itself at the next network event far enough ahead."""
    store.upsert_partner(conn, env["tenant"], env["data"])
    rules = _tenants().get(env["tenant"]).rules
    if rules["membership"]["introduction"]["enabled"]:
        store.schedule_introduction(conn, env["tenant"], env["data"], rules, datetime.now(UTC))


def on_member_added(conn, env: dict, ctx) -> None:
    store.upsert_body_member(conn, env["tenant"], env["data"])


def on_member_removed(conn, env: dict, ctx) -> None:
    store.remove_body_member(conn, env["data"]["body"], env["data"]["person_id"])


def on_ballot_closed(conn, env: dict, ctx) -> None:
    store.keep_ballot_result(conn, env["tenant"], env["data"])


def check_cadence(w, ctx) -> None:
    """Publish cadence.due once when a cadence rule becomes due or overdue."""
    tenant = ctx.tenant
    with w.db.transaction(tenant.key) as conn:
        for r in store.cadence_report(conn, tenant.rules, datetime.now(UTC)):
            if r["status"] in ("due", "overdue"):
                due_on = (r["due"] or datetime.now(UTC)).date()
                store.note_once(
                    conn,
                    tenant.key,
                    r["rule"],
                    due_on,
                    r["status"],
                    "cadence",
                    "due",
                    {
                        "rule": r["rule"],
                        "label": r["label"],
                        "status": r["status"],
                        "due": r["due"],
                        "last": r["last"],
                    },
                )


def consultation_windows(w, ctx) -> None:
    """Tell the coordinators once when a consultation's window opens and once when it has closed."""
    tenant = ctx.tenant
    from services.events.domain import BERLIN

    today = datetime.now(BERLIN).date()
    with w.db.transaction(tenant.key) as conn:
        for c in store.list_consultations(conn):
            data = {
                "consultation_id": c["id"],
                "title": c["title"],
                "opens": c["opens"],
                "closes": c["closes"],
            }
            if c["opens"] <= today <= c["closes"]:
                store.note_once(
                    conn,
                    tenant.key,
                    f"consultation:{c['id']}",
                    c["opens"],
                    "opened",
                    "consultation",
                    "opened",
                    data,
                )
            elif today > c["closes"]:
                counts = store.idea_counts(conn, c["id"])
                store.note_once(
                    conn,
                    tenant.key,
                    f"consultation:{c['id']}",
                    c["closes"],
                    "closed",
                    "consultation",
                    "closed",
                    {**data, "ideas": sum(x["ideas"] for x in counts), "topics": counts},
                )


def on_group_member_added(conn, env: dict, ctx) -> None:
    store.upsert_group_member(conn, env["tenant"], env["data"])


def on_group_member_removed(conn, env: dict, ctx) -> None:
    store.remove_group_member(conn, env["data"])


HANDLERS = {
    "membership.working_group.member_added": on_group_member_added,
    "membership.working_group.member_removed": on_group_member_removed,
    "membership.partner.created": on_partner,
    "membership.partner.updated": on_partner,
    "membership.partner.admitted": on_partner_admitted,
    "membership.body.member_added": on_member_added,
    "membership.body.member_removed": on_member_removed,
    "voting.ballot.closed": on_ballot_closed,
}
JOBS = [
    worker.Job("cadence", 3600, check_cadence),
    worker.Job("consultation-windows", 300, consultation_windows),
]
