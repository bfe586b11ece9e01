"""Use cases of a person's rights (DSGVO): what membership holds about a contact, and its erasure.

A contact's e-mail address finds the person's copies: applications naming it,
body memberships under it; the person ids of those memberships (and the address
itself, where it is the id) find working-group memberships, working papers and
proposals. Erasure removes what is only a copy and pseudonymises what must stay
(the application, a paper's version).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from knotenpunkt.services.membership.domain import partners as domain
from knotenpunkt.services.membership.handlers import federation
from knotenpunkt.services.membership.handlers.partners import RemoveBodyMember, remove_body_member
from knotenpunkt.services.membership.handlers.working_groups import remove_group_member
from knotenpunkt.services.membership.privacy_catalogue import CATALOGUE
from knotenpunkt.shared.privacy import (
    AnswerPrivacyRequest,
    answer_request,
    digest,
    forget_sent_events,
    json_replacements,
    replace_in_jsonb,
)
from knotenpunkt.shared.usecase import Context, emit, plain

COPIES = (
    "body_memberships",
    "applications",
    "working_groups",
    "working_papers",
    "working_group_proposals",
    "responsibilities",
    "person_ids",
)


@dataclass(frozen=True)
class EraseContact:
    contact_id: UUID


@dataclass(frozen=True)
class WithdrawConsent:
    """The person behind the address withdrew their consent (the link in a mail,
    notifications.consent.withdrawn): the contacts held on that basis are erased."""

    email: str


def _copies(conn, ctx: Context, email: str | None) -> dict:
    """Where the person behind the e-mail address appears in membership."""
    if not email:
        return dict.fromkeys(COPIES, [])
    memberships = ctx.store.partners.memberships_of(conn, email)
    person_ids = domain.person_ids(email, memberships)
    return {
        "body_memberships": memberships,
        "applications": ctx.store.applications.applications_of(conn, email),
        "working_groups": ctx.store.working_groups.memberships_of(conn, person_ids),
        "working_papers": ctx.store.working_groups.papers_by(conn, person_ids),
        "working_group_proposals": ctx.store.working_groups.proposals_by(conn, person_ids),
        "responsibilities": ctx.store.directories.responsibilities_of(conn, email),
        "person_ids": person_ids,
    }


def export_contact(conn, ctx: Context, *, contact_id) -> dict:
    """Everything held about a person (Art. 15 GDPR): the contact and where its e-mail appears.

    Raises NotFound.
    """
    contact = ctx.store.partners.get_contact(conn, contact_id)
    copies = _copies(conn, ctx, contact["email"])
    copies.pop("person_ids")
    return plain({"contact": contact, **copies})


def erase_contact(cmd: EraseContact, conn, ctx: Context) -> None:
    """Erase a person's contact record and membership's copies; other services erase theirs.

    Body and working-group memberships end (with their events); applications
    and working papers keep a pseudonym. Sent events naming the person are
    forgotten. Raises NotFound.
    """
    contact = ctx.store.partners.get_contact(conn, cmd.contact_id)
    email = contact["email"]
    ctx.store.partners.delete_contact(conn, cmd.contact_id)
    federation.note_change(conn, ctx, "contact", contact, None)
    _erase_copies(conn, ctx, email)
    emit(
        conn,
        ctx,
        "contact",
        "erased",
        {"contact_id": str(cmd.contact_id), "email": email},
        str(cmd.contact_id),
    )


def withdraw_consent(cmd: WithdrawConsent, conn, ctx: Context) -> int:
    """Erase every contact of the address whose legal basis is consent, as the coordinator's
    DELETE does (contact.erased: the other services erase their copies); returns how many
    (none when there is none any more: a repeated withdrawal changes nothing); raises nothing."""
    held = [
        c for c in ctx.store.privacy.contacts_of(conn, cmd.email) if c["legal_basis"] == "consent"
    ]
    for contact in held:
        erase_contact(EraseContact(contact["id"]), conn, ctx)
    return len(held)


def _erase_copies(conn, ctx: Context, email: str | None) -> dict:
    """End the person's memberships, pseudonymise applications and papers, forget sent events;
    returns how many rows per table."""
    copies = _copies(conn, ctx, email)
    for m in copies["body_memberships"]:
        remove_body_member(RemoveBodyMember(m["body"], m["person_id"]), conn, ctx)
    for m in copies["working_groups"]:
        remove_group_member(conn, ctx, m["working_group_id"], m["person_id"])
    for app in copies["applications"]:
        ctx.store.applications.set_contact(
            conn, app["id"], domain.erased_applicant(app["contact"], ctx.now)
        )
    ids = copies["person_ids"]
    ctx.store.working_groups.rename_person(conn, ids, domain.ERASED_NAME)
    if email:
        ctx.store.directories.clear_responsibility_contact(conn, email)
        ctx.store.partners.forget_sent_events(conn, email, ids)
    return {
        "body_members": len(copies["body_memberships"]),
        "working_group_members": len(copies["working_groups"]),
        "applications": len(copies["applications"]),
        "working_papers": len(copies["working_papers"]),
        "working_group_proposals": len(copies["working_group_proposals"]),
        "responsibilities": len(copies["responsibilities"]),
    }


def answer_privacy_request(cmd: AnswerPrivacyRequest, conn, ctx: Context) -> dict:
    """Access: every datum with its catalogue entry; erasure: contacts deleted and the copies
    erased (counts per table); record: the catalogue. Publishes membership.privacy.answered;
    returns the answer; raises nothing."""

    def held() -> dict:
        data = {"contacts": ctx.store.privacy.contacts_of(conn, cmd.email) if cmd.email else []}
        data.update(export_person(conn, ctx, cmd.email))
        return data

    def erase() -> dict:
        contacts = ctx.store.privacy.contacts_of(conn, cmd.email) if cmd.email else []
        erased = {
            "contacts": ctx.store.privacy.delete_contacts_of(conn, cmd.email) if cmd.email else 0,
            **_erase_copies(conn, ctx, cmd.email),
        }
        # the partner networks that pulled the person's shared contact remove it at their sync
        erased["federation_tombstones"] = federation.erased_by_request(
            conn, ctx, cmd.request_id, "contact", contacts
        )
        replacements = json_replacements(
            cmd.names, cmd.person_ids, domain.ERASED_NAME, cmd.pseudonym
        )
        erased["applications_decisions"] = sum(
            replace_in_jsonb(conn, "applications", column, replacements)
            for column in ("decision", "history")
        )
        erased["outbox"] = forget_sent_events(conn, [cmd.email, *cmd.person_ids, *cmd.names])
        digests = [digest(x) for x in (cmd.email, *cmd.person_ids) if x]
        erased["privacy_requests"] = ctx.store.privacy.forget_requests(
            conn, digests, cmd.request_id
        )
        return erased

    return answer_request(conn, ctx, cmd, CATALOGUE, held=held, erase=erase)


def export_person(conn, ctx: Context, email: str | None) -> dict:
    """Where the person of the e-mail address appears in membership (without the contacts)."""
    copies = _copies(conn, ctx, email)
    copies.pop("person_ids")
    return copies
