"""Directories: the published partner overview, doctors, offers, the matrix, what networks share."""

from __future__ import annotations

from datetime import date, datetime

from knotenpunkt.services.membership.domain.partners import public_view
from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.usecase import add_months

SHARED_CONTACT_FIELDS = ("id", "name", "role", "email", "phone", "languages", "responsibilities")


def publication_due(rules: dict, last: datetime | None, now: datetime) -> bool:
    """Is a partner overview due? Only where the network publishes one at an interval."""
    months = rules["directory"].get("publication_months")
    if not months:
        return False
    return last is None or add_months(last, months) <= now


def new_since(rules: dict, previous_at: datetime | None, now: datetime) -> datetime:
    """Partners admitted after this moment are marked new: since the previous overview."""
    if previous_at is not None:
        return previous_at
    return add_months(now, -rules["directory"]["new_within_months"])


def overview_entries(
    partners: list[dict], new_since: datetime | None, previous: dict | None = None
) -> list[dict]:
    """The frozen list: active public partners (none whose admission is still unannounced),
    those admitted since new_since marked new — and those the previous overview (`previous`,
    with its rules' cut `previous["new_since"]`) would have marked new but did not list yet
    (their admission was announced only after it)."""
    listed_before = {str(e["id"]) for e in previous["entries"]} if previous else set()
    earlier = previous["new_since"] if previous else None
    entries = []
    for p in sorted(partners, key=lambda p: p["name"].lower()):
        if p["status"] != "active" or not p["public"] or p.get("embargoed_until"):
            continue
        entry = public_view(p)
        entry["id"] = str(entry["id"])
        entry["since"] = entry["since"].isoformat() if entry.get("since") else None
        admitted = p.get("admitted_at")
        late = bool(
            earlier and entry["id"] not in listed_before and admitted and admitted > earlier
        )
        entry["new"] = bool(admitted and (new_since is None or admitted > new_since)) or late
        entries.append(entry)
    return entries


def publication_view(row: dict) -> dict:
    """A publication with its counts of partners and of new partners."""
    entries = row["entries"]
    return {**row, "partners": len(entries), "new": sum(1 for e in entries if e["new"])}


def shared_partner(partner: dict) -> dict:
    """What another network sees of a shared partner: the public fields and the e-mail."""
    return public_view(partner) | {"email": partner["email"]}


def shared_contact(contact: dict) -> dict:
    """What another network sees of a shared contact."""
    return {k: contact[k] for k in SHARED_CONTACT_FIELDS}


def verification_overdue(last_verified: date, months: int, today: date) -> bool:
    """A doctor's entry not verified within `months` is flagged."""
    due = add_months(datetime.combine(last_verified, datetime.min.time()), months).date()
    return due <= today


def ensure_directory(rules: dict, name: str, label: str) -> None:
    """Raises NotFound when the network does not keep this directory."""
    if not rules["directory"].get(name):
        raise NotFound(f"Dieses Netzwerk führt kein Verzeichnis „{label}“.")
