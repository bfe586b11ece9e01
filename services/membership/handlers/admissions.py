"""Use cases of an admission's decision: the ballot on a checked application closes (admit or
reject, once, and only by the application's own ballot), and the outcome is announced when the
tenant says the applicant is told (Chemnitz: after the voting period, the announce-decisions job).

Events: ``membership.partner.admitted`` and ``membership.application.rejected`` (when announced).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from knotenpunkt.services.membership.domain import applications as domain
from knotenpunkt.services.membership.handlers import federation
from knotenpunkt.services.membership.handlers.applications import application_event_data, set_status
from knotenpunkt.services.membership.handlers.partners import announce_contact, partner_event_data
from knotenpunkt.shared.usecase import Context, emit

log = logging.getLogger(__name__)
ORGANISATION_FIELDS = ("kind", "street", "postcode", "city", "website", "email", "phone")


@dataclass(frozen=True)
class DecideApplication:
    """A ballot on the application closed: admit or reject, if it is the application's own."""

    application_id: UUID
    outcome: str
    ballot_id: str | None = None
    tally: dict | None = None
    dissent: list = field(default_factory=list)
    closed_at: str | None = None
    deadline: str | None = None
    body: str | None = None
    opened_by: str | None = None
    origin: str | None = None


@dataclass(frozen=True)
class AnnounceDueDecisions:
    """The timed job: tell the outcomes whose voting period has ended."""


def decide_application(cmd: DecideApplication, conn, ctx: Context) -> dict:
    """Apply the ballot's result: admit (partner and contact) or reject; once only, and only by
    the application's own ballot (a ballot of another body or opened by hand changes nothing).

    Where the network tells the applicant after the voting period (Chemnitz), the
    outcome stays unannounced until the deadline: the partner is not listed, the
    status page shows the vote, no partner.admitted / application.rejected yet
    (announce_due_decisions tells it then). Raises NotFound (no such application).
    """
    app = ctx.store.applications.get_application(conn, cmd.application_id, lock=True)
    if app["status"] != "in_vote":
        log.info("application %s is %s; ballot result not applied", app["id"], app["status"])
        return app
    ballot = {"ballot_id": cmd.ballot_id, "body": cmd.body, "opened_by": cmd.opened_by}
    foreign = domain.foreign_ballot(app, ctx.rules, {**ballot, "origin": cmd.origin})
    if foreign:
        log.warning(
            "ballot %s does not decide application %s: %s", cmd.ballot_id, app["id"], foreign
        )
        return app
    status = domain.admission_result(cmd.outcome)
    decision = {
        "outcome": cmd.outcome,
        "ballot_id": cmd.ballot_id,
        "tally": cmd.tally,
        "dissent": list(cmd.dissent),
        "decided_at": cmd.closed_at or ctx.now.isoformat(),
        "deadline": cmd.deadline,
    }
    announce_at = domain.announce_at(ctx.rules, cmd.deadline, ctx.now)
    app = set_status(
        conn,
        ctx,
        cmd.application_id,
        status,
        by=f"ballot {cmd.ballot_id}",
        decision=decision,
        ballot_id=cmd.ballot_id,
        announce_at=announce_at,
    )
    if status == "admitted":
        embargo = announce_at if announce_at > ctx.now else None
        partner = _admit(conn, ctx, app, embargo)
        app = ctx.store.applications.update_application(
            conn, cmd.application_id, {"partner_id": partner["id"]}
        )
    if announce_at <= ctx.now:
        app = _announce(conn, ctx, app)
    return app


def announce_due_decisions(cmd: AnnounceDueDecisions, conn, ctx: Context) -> list[dict]:
    """Tell every outcome whose voting period has ended: the partner listed, partner.admitted
    (events: the introduction slot; notifications: the decision mail) or application.rejected."""
    return [
        _announce(conn, ctx, app) for app in ctx.store.applications.unannounced(conn, now=ctx.now)
    ]


def _announce(conn, ctx: Context, app: dict) -> dict:
    decision = app["decision"]
    if app["status"] == "admitted":
        before = ctx.store.partners.get_partner(conn, app["partner_id"])
        values = {"embargoed_until": None, "updated_at": ctx.now}
        if before["embargoed_until"] is None and before["status"] != "active":
            # a former partner's return, kept back until now (see _admit)
            values.update(status="active", left_on=None, admitted_at=_decided_at(app, ctx))
        partner = ctx.store.partners.update_partner(conn, app["partner_id"], values)
        federation.note_change(conn, ctx, "partner", before, partner)
        emit(
            conn,
            ctx,
            "partner",
            "admitted",
            {
                **partner_event_data(partner),
                "partner_id": str(partner["id"]),
                "application_id": str(app["id"]),
                "contact": application_event_data(app)["contact"],
                "decision": decision,
            },
            str(partner["id"]),
        )
    else:
        emit(
            conn,
            ctx,
            "application",
            "rejected",
            application_event_data(app, decision=decision),
            app["id"],
        )
    return ctx.store.applications.update_application(conn, app["id"], {"announced_at": ctx.now})


def _decided_at(app: dict, ctx: Context) -> datetime:
    decided = (app.get("decision") or {}).get("decided_at")
    return datetime.fromisoformat(decided) if decided else ctx.now


def _admit(conn, ctx: Context, app: dict, embargoed_until) -> dict:
    """Create (or reactivate) the partner of an admitted application, with its contact; kept
    out of public listings until embargoed_until's announcement (None: listed at once).

    A partner of that name already listed (a former partner returning, or one already
    active) is left exactly as it is under an embargo: changing its row would change what
    every view shows (a former partner turning active, an active one vanishing) and so the
    lists' versions before the deadline (issue 27 point 1); _announce makes the change."""
    org = app["organisation"]
    fields_ = {k: org.get(k) for k in ORGANISATION_FIELDS}
    fields_["kind"] = fields_["kind"] or "other"
    existing = ctx.store.partners.partner_named(conn, org["name"])
    if existing and embargoed_until is not None:
        partner = existing
    elif existing:
        partner = ctx.store.partners.update_partner(
            conn,
            existing["id"],
            {
                "status": "active",
                "left_on": None,
                "admitted_at": ctx.now,
                "embargoed_until": embargoed_until,
                "updated_at": ctx.now,
            },
        )
        federation.note_change(conn, ctx, "partner", existing, partner)
    else:
        partner = ctx.store.partners.insert_partner(
            conn,
            ctx.tenant.key,
            {
                "name": org["name"],
                **fields_,
                "topics": org.get("topics") or [],
                "languages": org.get("languages") or [],
                "since": ctx.now.astimezone(ctx.tz).date(),
                "admitted_at": ctx.now,
                "embargoed_until": embargoed_until,
            },
        )
    contact = app["contact"]
    row = ctx.store.partners.insert_contact(
        conn,
        ctx.tenant.key,
        {
            "partner_id": partner["id"],
            "name": contact["name"],
            "role": contact.get("role"),
            "email": contact["email"],
            "phone": contact.get("phone"),
            "legal_basis": "consent",
            "consent_at": ctx.now,
        },
    )
    announce_contact(conn, ctx, row, "created")
    return partner
