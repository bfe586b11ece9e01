"""Use cases of a person's request across the services (DSGVO Art. 15, 17) and of the record of
processing (Art. 30).

Membership records the request and publishes ``membership.privacy.requested``; every service
(membership too, in its worker) answers with ``<service>.privacy.answered``: what it holds
(access), what it did (erasure: rows per table) or its data catalogue (record). Membership
collects the answers; a request is complete once all four answered. No service calls another.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from knotenpunkt.services.membership.domain import privacy as domain
from knotenpunkt.services.membership.handlers import federation
from knotenpunkt.shared.errors import Conflict, NotFound, RuleViolation
from knotenpunkt.shared.privacy import KINDS, SERVICES, digest, pseudonym
from knotenpunkt.shared.usecase import Context, add_months, emit, plain


@dataclass(frozen=True)
class RequestPrivacy:
    """Ask every service for a person's data (access), to erase it (erasure), or for its
    catalogue (record)."""

    kind: str
    email: str | None = None
    person_id: str | None = None
    requested_by: str | None = None


@dataclass(frozen=True)
class RecordPrivacyAnswer:
    """Keep one service's answer to a request."""

    request_id: str
    service: str
    answer: dict


def request_privacy(cmd: RequestPrivacy, conn, ctx: Context) -> dict:
    """Record the request and publish membership.privacy.requested; raises RuleViolation (no
    person, unknown kind), Conflict (erasure of a person who chairs a body or leads a working
    group)."""
    if cmd.kind not in KINDS:
        raise RuleViolation(f"Unbekannte Art des Ersuchens: {cmd.kind}.", field="kind")
    email, person_ids, names = None, [], []
    if cmd.kind != "record":
        email, person_ids, names = _person(conn, ctx, cmd.email, cmd.person_id)
        if cmd.kind == "erasure":
            _ensure_no_open_role(conn, ctx, email, person_ids)
    request_id = str(uuid.uuid4())
    subject = {"email": email, "person_ids": person_ids} if cmd.kind == "access" else None
    row = ctx.store.privacy.insert_request(
        conn,
        ctx.tenant.key,
        {
            "id": request_id,
            "kind": cmd.kind,
            "subject": subject,
            "subject_digest": digest(email or cmd.person_id),
            "requested_by": cmd.requested_by,
            "created_at": ctx.now,
        },
    )
    emit(
        conn,
        ctx,
        "privacy",
        "requested",
        {
            "request_id": request_id,
            "kind": cmd.kind,
            "email": email,
            "person_ids": person_ids,
            "names": names,
            "pseudonym": pseudonym(request_id),
        },
        request_id,
    )
    return view(row)


def _person(conn, ctx: Context, email: str | None, person_id: str | None) -> tuple:
    """The person's e-mail address, ids and names as membership knows them; raises RuleViolation."""
    if not email and not person_id:
        raise RuleViolation(
            "Bitte eine E-Mail-Adresse oder eine Personenkennung angeben.", field="email"
        )
    memberships = ctx.store.privacy.memberships_by_person(conn, [person_id]) if person_id else []
    if not email:
        email = next((m["email"] for m in memberships if m["email"]), None)
    if email:
        memberships += [
            {**m, "email": email} for m in ctx.store.partners.memberships_of(conn, email)
        ]
    ids = {m["person_id"] for m in memberships} | {x for x in (person_id, email) if x}
    names = {m["name"] for m in memberships}
    if email:
        names |= {c["name"] for c in ctx.store.privacy.contacts_of(conn, email)}
    names |= set(ctx.store.privacy.group_names(conn, sorted(ids)))
    return email, sorted(ids), sorted(n for n in names if n)


def _ensure_no_open_role(conn, ctx: Context, email: str | None, person_ids: list[str]) -> None:
    """Raises Conflict when the person chairs a body or leads an active working group (the role
    must be handed over first)."""
    memberships = ctx.store.privacy.memberships_by_person(conn, person_ids)
    if email:
        memberships += ctx.store.partners.memberships_of(conn, email)
    refusal = domain.open_roles(memberships, ctx.store.privacy.led_groups(conn, person_ids))
    if refusal:
        raise Conflict(refusal)


def record_privacy_answer(cmd: RecordPrivacyAnswer, conn, ctx: Context) -> dict:
    """Keep the answer (a repeated one changes nothing), complete once every service answered;
    raises NotFound."""
    answer = {k: v for k, v in cmd.answer.items() if k not in ("request_id", "service", "kind")}
    row = ctx.store.privacy.set_answer(
        conn, cmd.request_id, cmd.service, {**answer, "at": ctx.now}, ctx.now, list(SERVICES)
    )
    return view(row)


def view(row: dict) -> dict:
    """The request as the API shows it: each service's answer, complete once all four answered."""
    answers = row["answers"] or {}
    return plain(
        {
            "id": row["id"],
            "kind": row["kind"],
            "subject": row["subject"],
            "created_at": row["created_at"],
            "completed_at": row["completed_at"],
            "answers": answers,
            "pending": [s for s in SERVICES if s not in answers],
            "complete": row["completed_at"] is not None,
        }
    )


def get_privacy_request(conn, ctx: Context, *, request_id) -> dict:
    """The request with each service's answer (an erasure also with the partner networks it was
    passed on to, per peer confirmed or not yet); raises NotFound."""
    row = ctx.store.privacy.get_request(conn, request_id)
    out = view(row)
    if row["kind"] == "erasure":
        out["federation"] = plain(federation.erasure_report(conn, ctx, request_id=row["id"]))
    return out


def privacy_export(conn, ctx: Context, *, request_id) -> dict:
    """One document with every datum the services hold about the person, each with its purpose
    and legal basis; raises NotFound, Conflict (not an access request, or not complete)."""
    row = ctx.store.privacy.get_request(conn, request_id)
    if row["kind"] != "access":
        raise Conflict("Eine Datenauskunft gibt es nur zu einem Auskunftsersuchen.")
    if row["completed_at"] is None:
        missing = ", ".join(s for s in SERVICES if s not in row["answers"])
        raise Conflict(f"Die Auskunft ist noch nicht vollständig; es fehlen: {missing}.")
    data = []
    for service in SERVICES:
        answer = row["answers"][service]
        about = {c["table"]: c for c in answer.get("catalogue", [])}
        for table, rows in sorted((answer.get("data") or {}).items()):
            entry = about.get(table, {})
            data.append(
                {
                    "service": service,
                    "table": table,
                    "purpose": entry.get("purpose"),
                    "legal_basis": entry.get("legal_basis"),
                    "retention": entry.get("retention"),
                    "recipients": entry.get("recipients", []),
                    "rows": rows,
                }
            )
    return plain(
        {
            "request_id": row["id"],
            "tenant": ctx.tenant.key,
            "controller": ctx.tenant.rules["contact_point"],
            "subject": row["subject"],
            "requested_at": row["created_at"],
            "completed_at": row["completed_at"],
            "data": data,
        }
    )


def privacy_summary(conn, ctx: Context, *, request_id) -> str:
    """The access request's export as a readable German HTML page (a heading per service, a table
    per kind of data with purpose, legal basis, retention); raises NotFound, Conflict (as
    privacy_export)."""
    export = privacy_export(conn, ctx, request_id=request_id)
    return domain.summary_html(export, ctx.tenant.name, ctx.tz)


def processing_record(conn, ctx: Context) -> dict:
    """The Art. 30 record from the services' catalogues (the newest complete `record` request);
    raises NotFound when none was asked for yet."""
    row = ctx.store.privacy.latest_complete(conn, "record")
    if row is None:
        raise NotFound(
            "Das Verzeichnis der Verarbeitungstätigkeiten wurde noch nicht zusammengestellt: "
            'bitte zuerst POST privacy/requests mit {"kind": "record"}.'
        )
    activities = [
        entry for service in SERVICES for entry in row["answers"][service].get("catalogue", [])
    ]
    return plain(
        {
            "tenant": ctx.tenant.key,
            "controller": ctx.tenant.rules["contact_point"],
            "retention_rules": ctx.tenant.rules.get("privacy", {}),
            "compiled_at": row["completed_at"],
            "request_id": row["id"],
            "activities": activities,
        }
    )


@dataclass(frozen=True)
class ApplyRetention:
    """Delete what the tenant's retention rules say is no longer needed (privacy section)."""


def apply_retention(cmd: ApplyRetention, conn, ctx: Context) -> dict:
    """Rejected or withdrawn applications after privacy.applications_months, former partners'
    contact data after privacy.former_member_months; returns the counts; raises nothing."""
    rules = ctx.tenant.rules["privacy"]
    applications_before = add_months(ctx.now, -rules["applications_months"])
    left_before = add_months(ctx.now, -rules["former_member_months"]).astimezone(ctx.tz).date()
    return {
        "applications": ctx.store.privacy.delete_closed_applications(conn, applications_before),
        "former_member_contacts": ctx.store.privacy.delete_former_contacts(conn, left_before),
    }
