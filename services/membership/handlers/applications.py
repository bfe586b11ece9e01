"""Use cases of applications (Beitrittserklärung): submit, confirm, follow, correct, withdraw,
check (the decision on its ballot is in ``admissions``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from knotenpunkt.services.membership.domain import applications as domain
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import Forbidden
from knotenpunkt.shared.links import (
    CONFIRM_APPLICATION,
    VIEW_APPLICATION_STATUS,
    link_token_matches,
)
from knotenpunkt.shared.usecase import Context, emit


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


def application_event_data(row: dict, **extra) -> dict:
    """What an application event tells the other services (the applicant's address for mails)."""
    return {
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


def set_status(
    conn, ctx: Context, application_id, status: str, *, note=None, by=None, **values
) -> dict:
    """Move the application to `status` (with a history step) and set the other values."""
    return ctx.store.applications.update_application(
        conn,
        application_id,
        {"status": status, "updated_at": ctx.now, **values},
        step=domain.history_entry(status, ctx.now, note, by),
    )


def _authorised(conn, ctx: Context, application_id, token, caller: Principal) -> tuple[dict, bool]:
    row = ctx.store.applications.get_application(conn, application_id, lock=True)
    linked = link_token_matches(
        ctx.settings.link_secret,
        token,
        VIEW_APPLICATION_STATUS,
        ctx.tenant.key,
        str(application_id),
    )
    return row, domain.viewer_is_staff(caller, token, row["token_hash"], linked=linked)


def submit_application(cmd: SubmitApplication, conn, ctx: Context) -> dict:
    """Store a Beitrittserklärung; the applicant's view with the status token.

    Raises Conflict (the network takes no applications), RuleViolation (criteria).
    """
    domain.ensure_applications_accepted(ctx.rules)
    domain.check_statements(ctx.rules, cmd.statements)
    token = secrets.token_urlsafe(24)
    status = domain.first_status(ctx.rules)
    row = ctx.store.applications.insert_application(
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
        data = {
            "application_id": row["id"],
            "status": status,
            "contact": {
                "email": row["contact"]["email"],
                "language": row["contact"].get("language", "de"),
            },
        }
        emit(conn, ctx, "application", "confirmation_requested", data, row["id"])
    else:
        emit(conn, ctx, "application", "submitted", application_event_data(row), row["id"])
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
    row = ctx.store.applications.get_application(conn, cmd.application_id, lock=True)
    if domain.ensure_confirmable(ctx.rules, row, ctx.now):
        row = set_status(
            conn, ctx, row["id"], "submitted", note="Adresse bestätigt", by="applicant"
        )
        emit(conn, ctx, "application", "submitted", application_event_data(row), row["id"])
    detail = "Ihre Adresse ist bestätigt; die Beitrittserklärung ist eingegangen."
    page = domain.confirmation_page(ctx.tenant.name, "Bestätigt", detail, None)
    return {"id": row["id"], "status": domain.shown_status(row), "detail": detail, "page": page}


def confirmation_preview(conn, ctx: Context, *, application_id, token, action: str) -> dict:
    """What the link's POST would do, changing nothing (mail scanners follow links), with its
    HTML page (a form posting to `action`). Raises Forbidden (bad token), NotFound."""
    _check_confirmation_link(ctx, application_id, token)
    row = ctx.store.applications.get_application(conn, application_id)
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
    return ctx.store.applications.delete_unconfirmed(
        conn, before=domain.unconfirmed_before(ctx.rules, ctx.now)
    )


def list_applications(conn, ctx: Context, *, status=None, page=1, page_size=20) -> dict:
    """A page of the applications (or of those in one status), oldest first; unconfirmed ones
    only with status=unconfirmed."""
    # Unconfirmed ones (anyone can name any address) only when asked for by status.
    rows, total = ctx.store.applications.list_applications(
        conn, status=status, page=page, page_size=page_size, hidden="unconfirmed"
    )
    return {"items": rows, "total": total, "page": page, "page_size": page_size}


def get_application(conn, ctx: Context, *, application_id, token, caller: Principal) -> dict:
    """The application for staff, or the applicant's view for the token; raises NotFound, Unauthorized."""
    row, staff = _authorised(conn, ctx, application_id, token, caller)
    view = domain.view_for(row, staff)
    if not staff:
        view["informed_after"] = domain.informed_after(ctx.rules, row)
    return view


def correct_application(cmd: CorrectApplication, conn, ctx: Context) -> dict:
    """Complete a returned application; it waits for a check again.

    Raises NotFound, Unauthorized, Conflict (not returned), RuleViolation (criteria).
    """
    row, staff = _authorised(conn, ctx, cmd.application_id, cmd.token, cmd.caller)
    domain.ensure_correctable(row["status"] if staff else domain.shown_status(row))
    if "statements" in cmd.changes:
        domain.check_statements(ctx.rules, {**row["statements"], **cmd.changes["statements"]})
    ctx.store.applications.merge_application(conn, cmd.application_id, cmd.changes)
    row = set_status(
        conn, ctx, cmd.application_id, "submitted", note="vom Antragsteller ergänzt", by="applicant"
    )
    emit(conn, ctx, "application", "resubmitted", application_event_data(row), row["id"])
    return domain.view_for(row, staff)


def withdraw_application(cmd: WithdrawApplication, conn, ctx: Context) -> dict:
    """Withdraw the application (a running ballot is cancelled).

    Raises NotFound, Unauthorized, Conflict (decided already).
    """
    row, staff = _authorised(conn, ctx, cmd.application_id, cmd.token, cmd.caller)
    domain.ensure_withdrawable(
        row["status"],
        shown=None if staff else domain.shown_status(row),
        embargo=domain.tells_after_deadline(ctx.rules),
    )
    row = set_status(conn, ctx, cmd.application_id, "withdrawn", by="applicant")
    emit(
        conn,
        ctx,
        "application",
        "withdrawn",
        application_event_data(row, ballot_id=row["ballot_id"]),
        row["id"],
    )
    return domain.view_for(row, staff)


def check_application(cmd: CheckApplication, conn, ctx: Context) -> dict:
    """The Koordinierungsstelle's check: complete and plausible → ballot, else back with a note.

    Raises NotFound, Conflict (not waiting for a check), RuleViolation (no note).
    """
    row = ctx.store.applications.get_application(conn, cmd.application_id, lock=True)
    status = domain.check_outcome(row["status"], cmd.complete, cmd.plausible, cmd.note)
    row = set_status(
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
        data = application_event_data(
            row,
            body=body["key"],
            decision_days=membership["decision_days"],
            deadline=(ctx.now + timedelta(days=membership["decision_days"])).isoformat(),
            subject={"kind": "admission", "id": str(row["id"])},
            title=f"Aufnahme: {row['organisation']['name']}",
        )
        checked = emit(conn, ctx, "application", "checked", data, row["id"])
        # voting opens the application's ballot from this event (opened_by "event:<id>")
        row = ctx.store.applications.update_application(
            conn, row["id"], {"checked_event": checked["id"]}
        )
    else:
        emit(
            conn,
            ctx,
            "application",
            "returned",
            application_event_data(row, note=cmd.note),
            row["id"],
        )
    return row
