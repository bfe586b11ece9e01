"""Use cases of partners, bodies (their members) and contacts."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from uuid import UUID

from knotenpunkt.services.membership.domain import partners as domain
from knotenpunkt.services.membership.handlers import federation, oparl
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.usecase import Context, emit, plain

PARTNER_EVENT_FIELDS = ("id", "name", "kind", "email", "city", "status", "public", "shared")
MEMBER_EVENT_FIELDS = ("body", "person_id", "name", "email", "partner_id", "department", "role")
# What notifications needs of a contact: whether mails to its address carry a withdrawal link.
CONTACT_EVENT_FIELDS = ("id", "email", "legal_basis")


@dataclass(frozen=True)
class CreatePartner:
    name: str
    kind: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    topics: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    since: date | None = None
    public: bool = True
    shared: bool = False


@dataclass(frozen=True)
class UpdatePartner:
    partner_id: UUID
    changes: dict


@dataclass(frozen=True)
class AddBodyMember:
    body: str
    name: str
    person_id: str | None = None
    email: str | None = None
    partner_id: UUID | None = None
    department: str | None = None
    role: str = "member"


@dataclass(frozen=True)
class RemoveBodyMember:
    body: str
    person_id: str


@dataclass(frozen=True)
class CreateContact:
    name: str
    legal_basis: str
    partner_id: UUID | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    languages: list = field(default_factory=list)
    responsibilities: list = field(default_factory=list)
    consent_at: datetime | None = None
    public: bool = False
    shared: bool = False


@dataclass(frozen=True)
class UpdateContact:
    contact_id: UUID
    changes: dict


def network_rules(ctx: Context) -> dict:
    """The network's rules as its file states them (plain JSON values)."""
    return plain(ctx.rules)


# --- Partners -------------------------------------------------------------------


def partner_event_data(row: dict) -> dict:
    """What a partner event tells the other services about the partner."""
    return {k: row[k] for k in PARTNER_EVENT_FIELDS}


def create_partner(cmd: CreatePartner, conn, ctx: Context) -> dict:
    """Record a partner (admitted now) and announce it; raises Conflict (name taken)."""
    row = ctx.store.partners.insert_partner(
        conn, ctx.tenant.key, {**asdict(cmd), "admitted_at": ctx.now, "updated_at": ctx.now}
    )
    emit(conn, ctx, "partner", "created", partner_event_data(row), str(row["id"]))
    return {**row, "warnings": domain.sharing_warnings(row)}


def update_partner(cmd: UpdatePartner, conn, ctx: Context) -> dict:
    """Change a partner and announce it; raises NotFound, Conflict (name taken)."""
    if not cmd.changes:
        return ctx.store.partners.get_partner(conn, cmd.partner_id)
    before = ctx.store.partners.get_partner(conn, cmd.partner_id)
    row = ctx.store.partners.update_partner(
        conn, cmd.partner_id, {**cmd.changes, "updated_at": ctx.now}
    )
    federation.note_change(conn, ctx, "partner", before, row)
    emit(conn, ctx, "partner", "updated", partner_event_data(row), str(row["id"]))
    return {**row, "warnings": domain.sharing_warnings(row)}


def find_partners(
    conn,
    ctx: Context,
    *,
    caller: Principal,
    q=None,
    kind=None,
    topic=None,
    language=None,
    status="active",
    page=1,
    page_size=20,
) -> dict:
    """A page of partners; outsiders see only public partners and public fields."""
    public_only = not domain.sees_all_partners(caller)
    hide = None if domain.sees_embargoed(caller, ctx.rules) else ctx.now
    rows, total = ctx.store.partners.find_partners(
        conn,
        hide_embargoed_at=hide,
        q=q,
        kind=kind,
        topic=topic,
        language=language,
        status=None if status == "all" else status,
        public_only=public_only,
        page=page,
        page_size=page_size,
    )
    if public_only:
        rows = [domain.public_view(r) for r in rows]
    return {"items": rows, "total": total, "page": page, "page_size": page_size}


def partner_list_version(conn, ctx: Context, *, caller: Principal, **query) -> str:
    """What a page of find_partners depends on, as text: the tenant, the view the caller reads
    (public, internal, everyone), the query and the version of that view (issue 27 point 1:
    computed from exactly what the caller may see, so that a decision under its embargo
    changes no version but that of the deciding body and the Koordinierungsstelle)."""
    view = domain.list_view(caller, ctx.rules)
    args = ",".join(f"{k}={query[k]!r}" for k in sorted(query))
    version = ctx.store.partners.partners_version(conn, ctx.tenant.key, view, ctx.now)
    return f"partners|{ctx.tenant.key}|{view}|{args}|{version}"


def get_partner(conn, ctx: Context, *, partner_id, caller: Principal) -> dict:
    """A partner as the caller may see it; raises NotFound (also for a hidden one)."""
    partner = ctx.store.partners.get_partner(conn, partner_id)
    return domain.partner_for(caller, partner, ctx.rules, ctx.now)


# --- Bodies -----------------------------------------------------------------------


def list_bodies(ctx: Context) -> list[dict]:
    """The network's bodies as configured."""
    return ctx.tenant.bodies


def get_body(conn, ctx: Context, *, key: str, caller: Principal) -> dict:
    """A body; signed-in callers see its members too. Raises NotFound (no such body)."""
    body = dict(ctx.tenant.body_or_404(key))
    if domain.sees_members(caller):
        body["members"] = ctx.store.partners.list_members(conn, key)
    return body


def list_body_members(conn, ctx: Context, *, key: str) -> list[dict]:
    """The members of a body; raises NotFound (no such body)."""
    ctx.tenant.body_or_404(key)
    return ctx.store.partners.list_members(conn, key)


def add_body_member(cmd: AddBodyMember, conn, ctx: Context) -> dict:
    """Add a person to a body (or change their entry); raises NotFound (body, partner)."""
    ctx.tenant.body_or_404(cmd.body)
    person_id = cmd.person_id or f"p-{uuid.uuid4().hex[:12]}"
    if cmd.partner_id:
        ctx.store.partners.get_partner(conn, cmd.partner_id)
    values = {k: v for k, v in asdict(cmd).items() if k != "body"}
    row = ctx.store.partners.upsert_member(
        conn, ctx.tenant.key, cmd.body, {**values, "person_id": person_id}
    )
    emit(
        conn,
        ctx,
        "body",
        "member_added",
        {k: row[k] for k in MEMBER_EVENT_FIELDS},
        f"{cmd.body}/{person_id}",
    )
    return row


def remove_body_member(cmd: RemoveBodyMember, conn, ctx: Context) -> None:
    """Remove a person from a body; raises NotFound (body, not a member)."""
    ctx.tenant.body_or_404(cmd.body)
    oparl.note_removal(conn, ctx, cmd.body, cmd.person_id)
    ctx.store.partners.delete_member(conn, cmd.body, cmd.person_id)
    emit(
        conn,
        ctx,
        "body",
        "member_removed",
        {"body": cmd.body, "person_id": cmd.person_id},
        f"{cmd.body}/{cmd.person_id}",
    )


# --- Contacts -----------------------------------------------------------------------


def find_contacts(conn, ctx: Context, *, caller: Principal) -> list[dict]:
    """Contacts; outside the Koordinierungsstelle only those marked public."""
    return ctx.store.partners.find_contacts(conn, public_only=not domain.sees_every_contact(caller))


def create_contact(cmd: CreateContact, conn, ctx: Context) -> dict:
    """Record a contact person; raises NotFound (partner)."""
    domain.check_sharing(asdict(cmd))
    if cmd.partner_id:
        ctx.store.partners.get_partner(conn, cmd.partner_id)
    row = ctx.store.partners.insert_contact(
        conn, ctx.tenant.key, {**asdict(cmd), "updated_at": ctx.now}
    )
    announce_contact(conn, ctx, row, "created")
    return row


def announce_contact(conn, ctx: Context, row: dict, event: str) -> None:
    """contact.created/updated with the address and the legal basis only (notifications puts a
    consent withdrawal link into every mail to a contact whose basis is consent)."""
    emit(
        conn,
        ctx,
        "contact",
        event,
        {k: row[k] for k in CONTACT_EVENT_FIELDS},
        str(row["id"]),
    )


def get_contact(conn, ctx: Context, *, contact_id, caller: Principal) -> dict:
    """A contact person; raises NotFound (also for a non-public one outside the staff)."""
    return domain.contact_for(caller, ctx.store.partners.get_contact(conn, contact_id))


def update_contact(cmd: UpdateContact, conn, ctx: Context) -> dict:
    """Change a contact person; the changed record must hold as a whole. Raises NotFound, RuleViolation."""
    current = ctx.store.partners.get_contact(conn, cmd.contact_id)
    if not cmd.changes:
        return current
    domain.check_legal_basis({**current, **cmd.changes})
    domain.check_sharing({**current, **cmd.changes})
    row = ctx.store.partners.update_contact(
        conn, cmd.contact_id, {**cmd.changes, "updated_at": ctx.now}
    )
    federation.note_change(conn, ctx, "contact", current, row)
    announce_contact(conn, ctx, row, "updated")
    return row
