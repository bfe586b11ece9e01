"""Use cases of the directories: partner overviews, sharing, doctors, offers, the matrix."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from uuid import UUID

from knotenpunkt.services.membership.domain import directories as domain
from knotenpunkt.shared.collation import german_sorted
from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.tenants import Tenant
from knotenpunkt.shared.usecase import Context, emit, plain

DOCTORS = ("doctors", "Ärzte mit Sprachkompetenzen")
OFFERS = ("offers", "Angebote")
MATRIX = ("responsibility_matrix", "Zuständigkeitsmatrix")


@dataclass(frozen=True)
class PublishDirectory:
    trigger: str = "manual"


@dataclass(frozen=True)
class PublishDueDirectory:
    """The timed job: publish where the network's interval has passed."""


@dataclass(frozen=True)
class CreateDoctor:
    name: str
    specialty: str
    languages: list
    last_verified: date
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class UpdateDoctor:
    doctor_id: UUID
    changes: dict


@dataclass(frozen=True)
class DeleteDoctor:
    doctor_id: UUID


@dataclass(frozen=True)
class CreateOffer:
    title: str
    kind: str
    provider: str
    target_groups: list = field(default_factory=list)
    languages: list = field(default_factory=list)
    place: str | None = None
    contact: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class UpdateOffer:
    offer_id: UUID
    changes: dict


@dataclass(frozen=True)
class DeleteOffer:
    offer_id: UUID


@dataclass(frozen=True)
class PutResponsibility:
    actor: str
    topic: str
    responsibility: str
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


# --- Partner overviews --------------------------------------------------------------


def list_publications(conn, ctx: Context) -> list[dict]:
    """Every published partner overview, newest first, with its counts."""
    return ctx.store.directories.list_publications(conn)


def publish_directory(cmd: PublishDirectory, conn, ctx: Context) -> dict:
    """Freeze the partner overview now; partners admitted since the previous one are marked new."""
    ctx.store.directories.lock_publications(conn, ctx.tenant.key)
    previous = ctx.store.directories.latest_publication(conn)
    previous_at = previous["published_at"] if previous else None
    if previous:
        cut = domain.new_since(ctx.rules, previous["previous_at"], previous_at)
        previous = {**previous, "new_since": cut}
    entries = domain.overview_entries(
        ctx.store.partners.all_partners(conn),
        domain.new_since(ctx.rules, previous_at, ctx.now),
        previous,
    )
    row = ctx.store.directories.insert_publication(
        conn,
        ctx.tenant.key,
        {
            "published_at": ctx.now,
            "previous_at": previous_at,
            "trigger": cmd.trigger,
            "entries": entries,
        },
    )
    emit(
        conn,
        ctx,
        "directory",
        "published",
        {
            "publication_id": str(row["id"]),
            "partners": len(entries),
            "new": sum(e["new"] for e in entries),
        },
        str(row["id"]),
    )
    return domain.publication_view(row)


def publish_due_directory(cmd: PublishDueDirectory, conn, ctx: Context) -> dict | None:
    """Publish the overview if the network's interval has passed (Chemnitz: 6 months); else None."""
    last = ctx.store.directories.latest_publication(conn)
    if not domain.publication_due(ctx.rules, last["published_at"] if last else None, ctx.now):
        return None
    return publish_directory(PublishDirectory(trigger="schedule"), conn, ctx)


def latest_publication(conn, ctx: Context) -> dict:
    """The newest partner overview; raises NotFound when none was published."""
    row = ctx.store.directories.latest_publication(conn)
    if row is None:
        raise NotFound("Es wurde noch keine Partnerübersicht veröffentlicht.")
    return domain.publication_view(row)


def get_publication(conn, ctx: Context, *, publication_id) -> dict:
    """One partner overview; raises NotFound."""
    return domain.publication_view(ctx.store.directories.get_publication(conn, publication_id))


def shared_directory(
    ctx: Context, *, networks: Iterable[Tenant], transaction: Callable[[str], object]
) -> list[dict]:
    """What the other sharing networks share: partners and contacts marked as shared.

    `transaction(tenant_key)` opens a unit of work of another network (one each).
    """
    out = []
    for other in networks:
        if other.key == ctx.tenant.key or not other.rules["sharing"]:
            continue
        with transaction(other.key) as conn:
            partners = [domain.shared_partner(p) for p in ctx.store.partners.shared_partners(conn)]
            contacts = [domain.shared_contact(c) for c in ctx.store.partners.shared_contacts(conn)]
        out.append(
            {
                "network": other.key,
                "network_name": other.name,
                "partners": plain(partners),
                "contacts": plain(contacts),
            }
        )
    return out


# --- Doctors and offers -----------------------------------------------------------------


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def _with_flag(ctx: Context, doctor: dict) -> dict:
    months = ctx.rules["directory"]["doctors_verify_months"]
    overdue = domain.verification_overdue(doctor["last_verified"], months, _today(ctx))
    return {**doctor, "verification_overdue": overdue}


def find_doctors(conn, ctx: Context, *, language=None, specialty=None) -> list[dict]:
    """Doctors by language and specialty, long unverified ones flagged; raises NotFound (no such directory)."""
    domain.ensure_directory(ctx.rules, *DOCTORS)
    return [
        _with_flag(ctx, d) for d in ctx.store.directories.find_doctors(conn, language, specialty)
    ]


def create_doctor(cmd: CreateDoctor, conn, ctx: Context) -> dict:
    """Enter a doctor; raises NotFound (no such directory)."""
    domain.ensure_directory(ctx.rules, *DOCTORS)
    return _with_flag(
        ctx, ctx.store.directories.insert_entry(conn, "doctors", ctx.tenant.key, asdict(cmd))
    )


def update_doctor(cmd: UpdateDoctor, conn, ctx: Context) -> dict:
    """Change an entry or confirm it as verified; raises NotFound (directory, entry)."""
    domain.ensure_directory(ctx.rules, *DOCTORS)
    row = ctx.store.directories.update_entry(
        conn, "doctors", cmd.doctor_id, cmd.changes, "Einen Arzteintrag"
    )
    return _with_flag(ctx, row)


def delete_doctor(cmd: DeleteDoctor, conn, ctx: Context) -> None:
    """Delete an entry; raises NotFound."""
    ctx.store.directories.delete_entry(conn, "doctors", cmd.doctor_id, "Einen Arzteintrag")


def find_offers(conn, ctx: Context, *, language=None, target_group=None, kind=None) -> list[dict]:
    """Offers for migrants by language, target group and kind; raises NotFound (no such directory)."""
    domain.ensure_directory(ctx.rules, *OFFERS)
    return ctx.store.directories.find_offers(conn, language, target_group, kind)


def create_offer(cmd: CreateOffer, conn, ctx: Context) -> dict:
    """Enter an offer; raises NotFound (no such directory)."""
    domain.ensure_directory(ctx.rules, *OFFERS)
    return ctx.store.directories.insert_entry(conn, "offers", ctx.tenant.key, asdict(cmd))


def update_offer(cmd: UpdateOffer, conn, ctx: Context) -> dict:
    """Change an offer; raises NotFound."""
    return ctx.store.directories.update_entry(
        conn, "offers", cmd.offer_id, cmd.changes, "Ein Angebot"
    )


def delete_offer(cmd: DeleteOffer, conn, ctx: Context) -> None:
    """Delete an offer; raises NotFound."""
    ctx.store.directories.delete_entry(conn, "offers", cmd.offer_id, "Ein Angebot")


# --- Responsibility matrix --------------------------------------------------------------


def responsibility_matrix(conn, ctx: Context) -> dict:
    """Actor × topic → responsibility and contact; raises NotFound (no matrix here)."""
    domain.ensure_directory(ctx.rules, *MATRIX)
    cells = ctx.store.directories.list_responsibilities(conn)
    return {
        "actors": german_sorted({c["actor"] for c in cells}),
        "topics": german_sorted({c["topic"] for c in cells}),
        "cells": cells,
    }


def put_responsibility(cmd: PutResponsibility, conn, ctx: Context) -> dict:
    """Set one cell (actor and topic name it); raises NotFound (no matrix here)."""
    domain.ensure_directory(ctx.rules, *MATRIX)
    return ctx.store.directories.upsert_responsibility(conn, ctx.tenant.key, asdict(cmd))
