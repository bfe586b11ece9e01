"""Use cases of notifications' copies of other services' data: whom it may tell, from
membership events.

Body members (``membership.body.*``), partners (``membership.partner.*``) and the
addresses of contacts whose legal basis is consent (``membership.contact.*``: their mails
carry a withdrawal link), erased with every other trace of a person (preferences, delivery
log) on ``membership.contact.erased``. Their SQL is ``store.copies``.
"""

from __future__ import annotations

from dataclasses import dataclass

from knotenpunkt.shared.privacy import forget_sent_events
from knotenpunkt.shared.usecase import Context

ERASED_NOTE = "nicht zugestellt: die genannte Person wurde gelöscht"

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
class DropPartner:
    """A partner was removed (an import undone): it is no recipient any more."""

    partner_id: str


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
    copies = ctx.store.copies
    copies.upsert_recipient(
        conn,
        ctx.tenant.key,
        copies.BODY_MEMBER,
        cmd.body,
        cmd.person_id,
        cmd.name,
        cmd.email,
        ctx.now,
    )


def remove_body_member(cmd: RemoveBodyMember, conn, ctx: Context) -> None:
    """Remove the member from the copy of the body's members; raises nothing."""
    copies = ctx.store.copies
    copies.remove_recipient(conn, copies.BODY_MEMBER, cmd.body, cmd.person_id)


def keep_partner(cmd: KeepPartner, conn, ctx: Context) -> None:
    """Add or update the copy of a partner; raises nothing."""
    copies = ctx.store.copies
    copies.upsert_recipient(
        conn,
        ctx.tenant.key,
        copies.PARTNER,
        copies.PARTNERS_SCOPE,
        cmd.partner_id,
        cmd.name,
        cmd.email,
        ctx.now,
    )


def drop_partner(cmd: DropPartner, conn, ctx: Context) -> None:
    """Forget a removed partner's copy; raises nothing."""
    copies = ctx.store.copies
    copies.remove_recipient(conn, copies.PARTNER, copies.PARTNERS_SCOPE, cmd.partner_id)


def keep_contact(cmd: KeepContact, conn, ctx: Context) -> None:
    """Keep the contact's address while it is held on consent, forget it otherwise; raises
    nothing."""
    copies = ctx.store.copies
    if cmd.legal_basis == "consent" and cmd.email:
        copies.upsert_recipient(
            conn,
            ctx.tenant.key,
            copies.CONTACT,
            copies.CONSENT_SCOPE,
            cmd.contact_id,
            "",
            cmd.email,
            ctx.now,
        )
    else:
        copies.remove_recipient(conn, copies.CONTACT, copies.CONSENT_SCOPE, cmd.contact_id)


def erase_contact(cmd: EraseContact, conn, ctx: Context) -> int:
    """Erase every trace of the address (recipients, preferences, deliveries to it, other deliveries naming it, sent events naming it: a consent withdrawal); returns how many rows; raises nothing."""
    if not cmd.email:
        return 0
    store = ctx.store
    return (
        store.copies.erase_email(conn, cmd.email)
        + store.preferences.erase_preferences(conn, cmd.email)
        + store.deliveries.erase_deliveries(conn, cmd.email, ERASED_NOTE)
        + forget_sent_events(conn, [cmd.email])
    )
