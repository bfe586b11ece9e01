"""Membership's store without a database: dictionaries behind the store functions that the
admission (check, decision, announcement) and the erasure use cases call.

Each attribute is one of ``services/membership/store``'s modules (``store.applications``,
``store.partners`` …) with the same functions, arguments and return shapes as the SQL: rows
are fresh dicts (a handler changing one changes nothing here), ids are UUIDs, JSON columns
come back as JSON carries them, a missing row raises the store's NotFound, a taken partner name
its Conflict. What the tables hold is in :class:`Tables`, for the tests to set up and look at.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field

from knotenpunkt.shared.errors import Conflict, NotFound
from tests.fakes import NOW

APPLICATION_JSON = ("organisation", "contact", "statements", "decision", "history")


def _json(value):
    """A JSON column's value as it comes back from PostgreSQL (dates and UUIDs as text)."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def _lower(text) -> str | None:
    return text.lower() if isinstance(text, str) else None


@dataclass
class Tables:
    """The rows of the membership tables the fakes serve (keyed by id where there is one)."""

    applications: dict = field(default_factory=dict)
    partners: dict = field(default_factory=dict)
    contacts: dict = field(default_factory=dict)
    body_members: list = field(default_factory=list)
    group_members: list = field(default_factory=list)
    papers: list = field(default_factory=list)
    proposals: list = field(default_factory=list)
    responsibilities: list = field(default_factory=list)
    tombstones: dict = field(default_factory=dict)  # (kind, entry id) → {reason, removed_at}
    erasures: list = field(default_factory=list)  # (request id, kind, entry id, removed_at)
    seat_removals: list = field(default_factory=list)
    # the sent outbox rows' texts: forget_sent_events deletes those naming the person
    sent_events: list = field(default_factory=list)


class _Module:
    def __init__(self, tables: Tables):
        self.t = tables


class Applications(_Module):
    """store.applications"""

    def add(self, tenant: str = "chemnitz", **values) -> dict:
        """A row as insert_application leaves it (for a test's setup); returns it."""
        row = {
            "tenant": tenant,
            "id": uuid.uuid4(),
            "token_hash": "hash",
            "status": "submitted",
            "organisation": {"name": "Verein Beispiel e.V.", "kind": "association"},
            "contact": {"name": "Ada Antrag", "email": "ada@example.org", "language": "de"},
            "statements": {},
            "motivation": None,
            "check_note": None,
            "checked_by": None,
            "checked_at": None,
            "ballot_id": None,
            "decision": None,
            "partner_id": None,
            "history": [],
            "checked_event": None,
            "announce_at": None,
            "announced_at": None,
            "created_at": NOW,
            "updated_at": NOW,
        }
        row.update(values)
        for name in APPLICATION_JSON:
            row[name] = _json(row[name])
        self.t.applications[row["id"]] = row
        return copy.deepcopy(row)

    def get_application(self, conn, application_id, *, lock: bool = False) -> dict:
        row = self.t.applications.get(_uuid(application_id))
        if row is None:
            raise NotFound(f"Einen Antrag {application_id} gibt es nicht.")
        return copy.deepcopy(row)

    def update_application(self, conn, application_id, values: dict, *, step=None) -> dict | None:
        row = self.t.applications.get(_uuid(application_id))
        if row is None:
            return None
        for name, value in values.items():
            row[name] = _json(value) if name in APPLICATION_JSON else value
        if step is not None:
            row["history"] = row["history"] + _json([step])
        return copy.deepcopy(row)

    def unannounced(self, conn, *, now) -> list[dict]:
        due = [
            r
            for r in self.t.applications.values()
            if r["status"] in ("admitted", "rejected")
            and r["announced_at"] is None
            and r["announce_at"] <= now
        ]
        return [copy.deepcopy(r) for r in sorted(due, key=lambda r: r["announce_at"])]

    def applications_of(self, conn, email: str) -> list[dict]:
        rows = [
            r
            for r in self.t.applications.values()
            if _lower(r["contact"].get("email")) == _lower(email)
        ]
        names = ("id", "status", "organisation", "contact", "created_at")
        return [{k: copy.deepcopy(r[k]) for k in names} for r in rows]

    def set_contact(self, conn, application_id, contact: dict) -> None:
        self.t.applications[_uuid(application_id)]["contact"] = _json(contact)


class Partners(_Module):
    """store.partners"""

    def insert_partner(self, conn, tenant: str, values: dict) -> dict:
        if self.partner_named(conn, values["name"]) is not None:
            raise Conflict("Ein Partner mit diesem Namen ist schon verzeichnet.", field="name")
        row = {
            "tenant": tenant,
            "id": uuid.uuid4(),
            "street": None,
            "postcode": None,
            "city": None,
            "website": None,
            "email": None,
            "phone": None,
            "topics": [],
            "languages": [],
            "since": None,
            "status": "active",
            "left_on": None,
            "public": True,
            "shared": False,
            "admitted_at": None,
            "embargoed_until": None,
            "created_at": NOW,
            "updated_at": NOW,
            **values,
        }
        self.t.partners[row["id"]] = row
        return dict(row)

    def update_partner(self, conn, partner_id, values: dict) -> dict:
        row = self._partner(partner_id)
        other = self.partner_named(conn, values.get("name") or row["name"])
        if other is not None and other["id"] != row["id"]:
            raise Conflict("Ein Partner mit diesem Namen ist schon verzeichnet.", field="name")
        row.update(values)
        return dict(row)

    def get_partner(self, conn, partner_id) -> dict:
        return dict(self._partner(partner_id))

    def partner_named(self, conn, name: str) -> dict | None:
        found = [p for p in self.t.partners.values() if p["name"].lower() == name.lower()]
        return dict(found[0]) if found else None

    def _partner(self, partner_id) -> dict:
        row = self.t.partners.get(_uuid(partner_id))
        if row is None:
            raise NotFound(f"Einen Partner {partner_id} gibt es nicht.")
        return row

    def delete_member(self, conn, body: str, person_id: str) -> None:
        before = len(self.t.body_members)
        self.t.body_members = [
            m
            for m in self.t.body_members
            if not (m["body"] == body and m["person_id"] == person_id)
        ]
        if len(self.t.body_members) == before:
            raise NotFound(f"{person_id} ist kein Mitglied des Gremiums {body}.")

    def memberships_of(self, conn, email: str) -> list[dict]:
        names = ("body", "person_id", "name", "role", "added_at")
        rows = [m for m in self.t.body_members if _lower(m.get("email")) == _lower(email)]
        return [{k: m.get(k) for k in names} for m in sorted(rows, key=lambda m: m["body"])]

    def insert_contact(self, conn, tenant: str, values: dict) -> dict:
        row = {
            "tenant": tenant,
            "id": uuid.uuid4(),
            "partner_id": None,
            "role": None,
            "email": None,
            "phone": None,
            "languages": [],
            "responsibilities": [],
            "consent_at": None,
            "public": False,
            "shared": False,
            "created_at": NOW,
            "updated_at": NOW,
            **values,
        }
        self.t.contacts[row["id"]] = row
        return dict(row)

    def get_contact(self, conn, contact_id) -> dict:
        row = self.t.contacts.get(_uuid(contact_id))
        if row is None:
            raise NotFound(f"Eine Kontaktperson {contact_id} gibt es nicht.")
        return dict(row)

    def delete_contact(self, conn, contact_id) -> None:
        self.t.contacts.pop(_uuid(contact_id), None)

    def forget_sent_events(self, conn, email: str, person_ids: list[str]) -> None:
        self.t.sent_events = [
            text
            for text in self.t.sent_events
            if email.lower() not in text.lower() and not any(p in text for p in person_ids)
        ]


class Federation(_Module):
    """store.federation (the tombstones of the shared directory)"""

    def put_tombstone(self, conn, tenant: str, kind: str, entry_id, reason: str, at) -> None:
        self.t.tombstones[(kind, _uuid(entry_id))] = {"reason": reason, "removed_at": at}

    def drop_tombstone(self, conn, kind: str, entry_id) -> None:
        self.t.tombstones.pop((kind, _uuid(entry_id)), None)

    def record_erasure(self, conn, tenant: str, request_id, kind: str, entry_id, at) -> None:
        self.t.erasures.append((str(request_id), kind, _uuid(entry_id), at))


class Oparl(_Module):
    """store.oparl (seats of public persons remembered when they are removed)"""

    def public_seat(self, conn, body: str, person_id: str) -> dict | None:
        public = {_lower(c["email"]) for c in self.t.contacts.values() if c["public"]}
        for m in self.t.body_members:
            if (m["body"], m["person_id"]) == (body, person_id) and m.get("email"):
                if _lower(m["email"]) in public:
                    return {"body": body, "person_id": person_id}
        return None

    def note_removal(self, conn, tenant, body, membership_key, person_key, at) -> None:
        self.t.seat_removals.append((body, membership_key, person_key, at))


class Privacy(_Module):
    """store.privacy (what the erasure reads)"""

    def contacts_of(self, conn, email: str) -> list[dict]:
        rows = [c for c in self.t.contacts.values() if _lower(c["email"]) == _lower(email)]
        return [dict(c) for c in sorted(rows, key=lambda c: c["created_at"])]


class WorkingGroups(_Module):
    """store.working_groups (a person's memberships, papers and proposals)"""

    def memberships_of(self, conn, person_ids: list[str]) -> list[dict]:
        return [dict(m) for m in self.t.group_members if m["person_id"] in person_ids]

    def papers_by(self, conn, person_ids: list[str]) -> list[dict]:
        return [dict(p) for p in self.t.papers if p["changed_by"] in person_ids]

    def proposals_by(self, conn, person_ids: list[str]) -> list[dict]:
        return [dict(p) for p in self.t.proposals if p["proposed_by"] in person_ids]

    def rename_person(self, conn, person_ids: list[str], pseudonym: str) -> None:
        for paper in self.t.papers:
            if paper["changed_by"] in person_ids:
                paper["changed_by"] = pseudonym
        for proposal in self.t.proposals:
            if proposal["proposed_by"] in person_ids:
                proposal["proposed_by"] = pseudonym

    def delete_group_member(self, conn, group_id, person_id: str) -> None:
        key = (str(group_id), person_id)
        kept = [
            m for m in self.t.group_members if (str(m["working_group_id"]), m["person_id"]) != key
        ]
        if len(kept) == len(self.t.group_members):
            raise NotFound(f"{person_id} ist kein Mitglied dieser Arbeitsgruppe.")
        self.t.group_members = kept


class Directories(_Module):
    """store.directories (the responsibility matrix's contact persons)"""

    def responsibilities_of(self, conn, email: str) -> list[dict]:
        rows = [r for r in self.t.responsibilities if _lower(r["contact_email"]) == _lower(email)]
        return [dict(r) for r in rows]

    def clear_responsibility_contact(self, conn, email: str) -> None:
        for cell in self.t.responsibilities:
            if _lower(cell["contact_email"]) == _lower(email):
                cell.update(contact_name=None, contact_email=None, contact_phone=None)


class FakeMembershipStore:
    """``ctx.store`` of membership over :class:`Tables` (``store.tables``)."""

    def __init__(self, tables: Tables | None = None):
        self.tables = tables or Tables()
        self.applications = Applications(self.tables)
        self.partners = Partners(self.tables)
        self.federation = Federation(self.tables)
        self.oparl = Oparl(self.tables)
        self.privacy = Privacy(self.tables)
        self.working_groups = WorkingGroups(self.tables)
        self.directories = Directories(self.tables)


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
