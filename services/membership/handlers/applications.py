"""Use cases of applications (Beitrittserklärung): submit, follow, correct, withdraw, check, decide."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from knotenpunkt.services.membership.domain import applications as domain
from knotenpunkt.services.membership.handlers import federation
from knotenpunkt.services.membership.handlers.common import emit, jsonable
from knotenpunkt.services.membership.handlers.partners import announce_contact, partner_event_data
from knotenpunkt.services.membership.store import applications as store
from knotenpunkt.services.membership.store import partners as partner_store
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import Forbidden
from knotenpunkt.shared.links import CONFIRM_APPLICATION, link_token_matches
from knotenpunkt.shared.usecase import Context

log = logging.getLogger(__name__)
ORGANISATION_FIELDS = ("kind", "street", "postcode", "city", "website", "email", "phone")


@dataclass(frozen=True)
class SubmitApplication:
    organisation: dict
    contact: dict
    statements: dict
    motivation: str | None = None


@dataclass(frozen=True)
class ConfirmApplication:
    """The applicant confirms the address with the link of the confirmation mail."""

    application_id: UUID
    token: str | None = None


@dataclass(frozen=True)
class DeleteUnconfirmedApplications:
    """The timed job: delete applications unconfirmed for membership.unconfirmed_days."""


@dataclass(frozen=True)
class CorrectApplication:
    application_id: UUID
    changes: dict
    caller: Principal
    token: str | None = None


@dataclass(frozen=True)
class WithdrawApplication:
    application_id: UUID
    caller: Principal
    token: str | None = None


@dataclass(frozen=True)
class CheckApplication:
    application_id: UUID
    complete: bool
    plausible: bool
    note: str | None = None


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


def application_event_data(row: dict, **extra) -> dict:
    """What an application event tells the other services (the applicant's address for mails)."""
    return jsonable(
        {
            "application_id": row["id"],
            "status": row["status"],
            "organisation": row["organisation"]["name"],
            "contact": {
                "name": row["contact"]["name"],
                "email": row["contact"]["email"],
                "language": row["contact"].get("language", "de"),
            },
            **extra,
        }
    )


def _emit(conn, ctx: Context, row: dict, event: str, **extra) -> dict:
    data = application_event_data(row, **extra)
    return emit(conn, ctx, "application", event, data, str(row["id"]))


def _set_status(
    conn, ctx: Context, application_id, status: str, *, note=None, by=None, **values
) -> dict:
    return store.update_application(
        conn,
        application_id,
        {"status": status, "updated_at": ctx.now, **values},
        step=domain.history_entry(status, ctx.now, note, by),
    )


def _authorised(conn, application_id, token, caller: Principal) -> tuple[dict, bool]:
    row = store.get_application(conn, application_id, lock=True)
    return row, domain.viewer_is_staff(caller, token, row["token_hash"])


def submit_application(cmd: SubmitApplication, conn, ctx: Context) -> dict:
    """Store a Beitrittserklärung; the applicant's view with the status token.

    Raises Conflict (the network takes no applications), RuleViolation (criteria).
    """
    domain.ensure_applications_accepted(ctx.rules)
    domain.check_statements(ctx.rules, cmd.statements)
    token = secrets.token_urlsafe(24)
    status = domain.first_status(ctx.rules)
    row = store.insert_application(
        conn,
        ctx.tenant.key,
        {
            "token_hash": domain.hash_token(token),
            "status": status,
            "organisation": cmd.organisation,
            "contact": cmd.contact,
            "statements": cmd.statements,
            "motivation": cmd.motivation,
            "history": [domain.history_entry(status, ctx.now)],
            "created_at": ctx.now,
            "updated_at": ctx.now,
        },
    )
    if status == "unconfirmed":
        # Only the address and the language: the confirmation mail carries no text from the
        # form, and nothing else is sent (no receipt, no check) until the link is followed.
        data = jsonable(
            {
                "application_id": row["id"],
                "status": status,
                "contact": {
                    "email": row["contact"]["email"],
                    "language": row["contact"].get("language", "de"),
                },
            }
        )
        emit(conn, ctx, "application", "confirmation_requested", data, str(row["id"]))
    else:
        _emit(conn, ctx, row, "submitted")
    return {**domain.applicant_view(row), "token": token}


def _check_confirmation_link(ctx: Context, application_id, token: str | None) -> None:
    """Raises Forbidden unless the token is the link secret's for this tenant and application."""
    if not link_token_matches(
        ctx.settings.link_secret,
        token,
        CONFIRM_APPLICATION,
        ctx.tenant.key,
        str(application_id),
    ):
        raise Forbidden("Der Bestätigungslink ist ungültig.")


def confirm_application(cmd: ConfirmApplication, conn, ctx: Context) -> dict:
    """Confirm the applicant's address: the application is submitted and application.submitted
    published (the receipt, the check). A second confirmation changes nothing and answers the
    same (idempotent). Returns the id, the status the applicant may see, a sentence and its
    HTML page.

    Raises Forbidden (not the link's token), NotFound (no such application, or deleted
    unconfirmed), Conflict (the link has expired).
    """
    _check_confirmation_link(ctx, cmd.application_id, cmd.token)
    row = store.get_application(conn, cmd.application_id, lock=True)
    if domain.ensure_confirmable(ctx.rules, row, ctx.now):
        row = _set_status(
            conn, ctx, row["id"], "submitted", note="Adresse bestätigt", by="applicant"
        )
        _emit(conn, ctx, row, "submitted")
    detail = "Ihre Adresse ist bestätigt; die Beitrittserklärung ist eingegangen."
    page = domain.confirmation_page(ctx.tenant.name, "Bestätigt", detail, None)
    return {"id": row["id"], "status": domain.shown_status(row), "detail": detail, "page": page}


def confirmation_preview(conn, ctx: Context, *, application_id, token, action: str) -> dict:
    """What the link's POST would do, changing nothing (mail scanners follow links), with its
    HTML page (a form posting to `action`). Raises Forbidden (bad token), NotFound."""
    _check_confirmation_link(ctx, application_id, token)
    row = store.get_application(conn, application_id)
    if row["status"] == "unconfirmed":
        title, detail = (
            "Adresse bestätigen?",
            f"Mit dieser Adresse wurde eine Beitrittserklärung an {ctx.tenant.name} gerichtet. "
            "Erst wenn Sie bestätigen, wird sie bearbeitet. Haben Sie keine eingereicht, "
            "tun Sie nichts.",
        )
    else:
        title, detail, action = "Bestätigt", "Ihre Adresse ist bereits bestätigt.", None
    page = domain.confirmation_page(ctx.tenant.name, title, detail, action)
    return {"id": row["id"], "status": domain.shown_status(row), "detail": detail, "page": page}


def delete_unconfirmed_applications(cmd: DeleteUnconfirmedApplications, conn, ctx: Context) -> int:
    """Delete the applications left unconfirmed for membership.unconfirmed_days; how many."""
    return store.delete_unconfirmed(conn, before=domain.unconfirmed_before(ctx.rules, ctx.now))


def list_applications(conn, ctx: Context, *, status=None, page=1, page_size=20) -> dict:
    """A page of the applications (or of those in one status), oldest first; unconfirmed ones
    only with status=unconfirmed."""
    # Unconfirmed ones (anyone can name any address) only when asked for by status.
    rows, total = store.list_applications(
        conn, status=status, page=page, page_size=page_size, hidden="unconfirmed"
    )
    return {"items": rows, "total": total, "page": page, "page_size": page_size}


def get_application(conn, ctx: Context, *, application_id, token, caller: Principal) -> dict:
    """The application for staff, or the applicant's view for the token; raises NotFound, Unauthorized."""
    row, staff = _authorised(conn, application_id, token, caller)
    return domain.view_for(row, staff)


def correct_application(cmd: CorrectApplication, conn, ctx: Context) -> dict:
    """Complete a returned application; it waits for a check again.

    Raises NotFound, Unauthorized, Conflict (not returned), RuleViolation (criteria).
    """
    row, staff = _authorised(conn, cmd.application_id, cmd.token, cmd.caller)
    domain.ensure_correctable(row["status"] if staff else domain.shown_status(row))
    if "statements" in cmd.changes:
        domain.check_statements(ctx.rules, {**row["statements"], **cmd.changes["statements"]})
    store.merge_application(conn, cmd.application_id, cmd.changes)
    row = _set_status(
        conn, ctx, cmd.application_id, "submitted", note="vom Antragsteller ergänzt", by="applicant"
    )
    _emit(conn, ctx, row, "resubmitted")
    return domain.view_for(row, staff)


def withdraw_application(cmd: WithdrawApplication, conn, ctx: Context) -> dict:
    """Withdraw the application (a running ballot is cancelled).

    Raises NotFound, Unauthorized, Conflict (decided already).
    """
    row, staff = _authorised(conn, cmd.application_id, cmd.token, cmd.caller)
    domain.ensure_withdrawable(row["status"], shown=None if staff else domain.shown_status(row))
    row = _set_status(conn, ctx, cmd.application_id, "withdrawn", by="applicant")
    _emit(conn, ctx, row, "withdrawn", ballot_id=row["ballot_id"])
    return domain.view_for(row, staff)


def check_application(cmd: CheckApplication, conn, ctx: Context) -> dict:
    """The Koordinierungsstelle's check: complete and plausible → ballot, else back with a note.

    Raises NotFound, Conflict (not waiting for a check), RuleViolation (no note).
    """
    row = store.get_application(conn, cmd.application_id, lock=True)
    status = domain.check_outcome(row["status"], cmd.complete, cmd.plausible, cmd.note)
    row = _set_status(
        conn,
        ctx,
        cmd.application_id,
        status,
        note=cmd.note,
        by=ctx.actor,
        check_note=cmd.note,
        checked_by=ctx.actor,
        checked_at=ctx.now,
    )
    if status == "in_vote":
        membership = ctx.rules["membership"]
        body = ctx.tenant.body_or_404(membership["admitting_body"])
        checked = _emit(
            conn,
            ctx,
            row,
            "checked",
            body=body["key"],
            decision_days=membership["decision_days"],
            deadline=(ctx.now + timedelta(days=membership["decision_days"])).isoformat(),
            subject={"kind": "admission", "id": str(row["id"])},
            title=f"Aufnahme: {row['organisation']['name']}",
        )
        # voting opens the application's ballot from this event (opened_by "event:<id>")
        row = store.update_application(conn, row["id"], {"checked_event": checked["id"]})
    else:
        _emit(conn, ctx, row, "returned", note=cmd.note)
    return row


def decide_application(cmd: DecideApplication, conn, ctx: Context) -> dict:
    """Apply the ballot's result: admit (partner and contact) or reject; once only, and only by
    the application's own ballot (a ballot of another body or opened by hand changes nothing).

    Where the network tells the applicant after the voting period (Chemnitz), the
    outcome stays unannounced until the deadline: the partner is not listed, the
    status page shows the vote, no partner.admitted / application.rejected yet
    (announce_due_decisions tells it then). Raises NotFound (no such application).
    """
    app = store.get_application(conn, cmd.application_id, lock=True)
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
    app = _set_status(
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
        app = store.update_application(conn, cmd.application_id, {"partner_id": partner["id"]})
    if announce_at <= ctx.now:
        app = _announce(conn, ctx, app)
    return app


def announce_due_decisions(cmd: AnnounceDueDecisions, conn, ctx: Context) -> list[dict]:
    """Tell every outcome whose voting period has ended: the partner listed, partner.admitted
    (events: the introduction slot; notifications: the decision mail) or application.rejected."""
    return [_announce(conn, ctx, app) for app in store.unannounced(conn, now=ctx.now)]


def _announce(conn, ctx: Context, app: dict) -> dict:
    decision = app["decision"]
    if app["status"] == "admitted":
        before = partner_store.get_partner(conn, app["partner_id"])
        partner = partner_store.update_partner(
            conn, app["partner_id"], {"embargoed_until": None, "updated_at": ctx.now}
        )
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
        _emit(conn, ctx, app, "rejected", decision=decision)
    return store.update_application(conn, app["id"], {"announced_at": ctx.now})


def _admit(conn, ctx: Context, app: dict, embargoed_until) -> dict:
    """Create (or reactivate) the partner of an admitted application, with its contact; kept
    out of public listings until embargoed_until's announcement (None: listed at once)."""
    org = app["organisation"]
    fields_ = {k: org.get(k) for k in ORGANISATION_FIELDS}
    fields_["kind"] = fields_["kind"] or "other"
    existing = partner_store.partner_named(conn, org["name"])
    if existing:
        partner = partner_store.update_partner(
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
        partner = partner_store.insert_partner(
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
    row = partner_store.insert_contact(
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
