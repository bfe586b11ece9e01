"""Notifications' copies of other services' data: whom it may tell, from membership events.

Body members (``membership.body.*``), partners (``membership.partner.*``) and the
addresses of contacts whose legal basis is consent (``membership.contact.*``: their mails
carry a withdrawal link), erased with every other trace of a person (preferences, delivery
log) on ``membership.contact.erased``.
The SQL of the copies and the use cases that keep them, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from knotenpunkt.services.notifications import store
from knotenpunkt.shared.privacy import forget_sent_events
from knotenpunkt.shared.usecase import Context

ERASED_NOTE = "nicht zugestellt: die genannte Person wurde gelöscht"

BODY_MEMBER, PARTNER, CONTACT = "body_member", "partner", "contact"
PARTNERS_SCOPE, CONSENT_SCOPE = "partners", "consent"

# --- Commands -----------------------------------------------------------------


@dataclass(frozen=True)
class AddBodyMember:
    """A member joined a body (or their details changed): they get the body's mails."""

    body: str
    person_id: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class RemoveBodyMember:
    """A member left a body: they get none of its mails any more."""

    body: str
    person_id: str


@dataclass(frozen=True)
class KeepPartner:
    """A partner was created, changed or admitted: keep its name and address."""

    partner_id: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class KeepContact:
    """A contact was created or changed: keep its address while its legal basis is consent."""

    contact_id: str
    email: str | None
    legal_basis: str


@dataclass(frozen=True)
class EraseContact:
    """Membership erased a person: erase every copy of them here too."""

    email: str | None


# --- Handlers -----------------------------------------------------------------


def add_body_member(cmd: AddBodyMember, conn, ctx: Context) -> None:
    """Add the member to the copy of the body's members, or update them; raises nothing."""
    upsert_recipient(
        conn, ctx.tenant.key, BODY_MEMBER, cmd.body, cmd.person_id, cmd.name, cmd.email, ctx.now
    )


def remove_body_member(cmd: RemoveBodyMember, conn, ctx: Context) -> None:
    """Remove the member from the copy of the body's members; raises nothing."""
    remove_recipient(conn, BODY_MEMBER, cmd.body, cmd.person_id)


def keep_partner(cmd: KeepPartner, conn, ctx: Context) -> None:
    """Add or update the copy of a partner; raises nothing."""
    upsert_recipient(
        conn,
        ctx.tenant.key,
        PARTNER,
        PARTNERS_SCOPE,
        cmd.partner_id,
        cmd.name,
        cmd.email,
        ctx.now,
    )


def keep_contact(cmd: KeepContact, conn, ctx: Context) -> None:
    """Keep the contact's address while it is held on consent, forget it otherwise; raises
    nothing."""
    if cmd.legal_basis == "consent" and cmd.email:
        upsert_recipient(
            conn, ctx.tenant.key, CONTACT, CONSENT_SCOPE, cmd.contact_id, "", cmd.email, ctx.now
        )
    else:
        remove_recipient(conn, CONTACT, CONSENT_SCOPE, cmd.contact_id)


def erase_contact(cmd: EraseContact, conn, ctx: Context) -> int:
    """Erase every trace of the address (recipients, preferences, deliveries to it, other deliveries naming it, sent events naming it: a consent withdrawal); returns how many rows; raises nothing."""
    if not cmd.email:
        return 0
    return (
        erase_email(conn, cmd.email)
        + store.erase_preferences(conn, cmd.email)
        + store.erase_deliveries(conn, cmd.email, ERASED_NOTE)
        + forget_sent_events(conn, [cmd.email])
    )


# --- SQL ----------------------------------------------------------------------


def upsert_recipient(
    conn, tenant: str, kind: str, scope: str, ref: str, name: str, email, now: datetime
) -> None:
    """Insert or update one recipient of a kind in a scope (a body, the partners); raises nothing."""
    conn.execute(
        """
        insert into recipients (tenant, kind, scope, ref, name, email, updated_at)
        values (%s, %s, %s, %s, %s, %s, %s)
        on conflict (tenant, kind, scope, ref) do update
           set name = excluded.name, email = excluded.email, updated_at = excluded.updated_at
        """,
        (tenant, kind, scope, ref, name, email, now),
    )


def remove_recipient(conn, kind: str, scope: str, ref: str) -> None:
    """Delete one recipient (nothing when there is none); raises nothing."""
    conn.execute(
        "delete from recipients where kind = %s and scope = %s and ref = %s", (kind, scope, ref)
    )


def erase_email(conn, email: str) -> int:
    """Delete every recipient entry with this e-mail address (any case); returns how many; raises nothing."""
    return conn.execute("delete from recipients where lower(email) = lower(%s)", (email,)).rowcount


def consented(conn, email: str) -> bool:
    """Whether a contact with this address (any case) is held on consent; raises nothing."""
    return (
        conn.execute(
            "select 1 from recipients where kind = %s and scope = %s and lower(email) = lower(%s)",
            (CONTACT, CONSENT_SCOPE, email),
        ).fetchone()
        is not None
    )


def body_members(conn, body: str) -> list[dict]:
    """The copy of a body's members (ref, name, email) by name; raises nothing."""
    return conn.execute(
        "select ref, name, email from recipients where kind = %s and scope = %s order by name",
        (BODY_MEMBER, body),
    ).fetchall()
