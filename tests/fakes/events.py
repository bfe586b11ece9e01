"""A fake store of the events service: plain dictionaries behind the store functions the
invitation use cases call (``handlers/invitations.py``), with the return shapes of the SQL.

``FakeEventsStore()`` is what ``ctx.store`` is in production (the ``store`` package): its
attributes ``meetings``, ``agendas``, ``invitations`` and ``copies`` are the modules, their
methods the functions, taking the (unused) connection first. Test data goes in with
``add_event``, ``add_body_member``, ``add_group_member`` and ``add_partner``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from knotenpunkt.shared.errors import NotFound

INVITEE_FIELDS = ("invitee", "name", "email", "via", "answer", "answered_at")


@dataclass
class Tables:
    """The rows, keyed as the tables' primary keys are (the tenant is the context's)."""

    events: dict = field(default_factory=dict)  # id -> row
    agenda_items: dict = field(default_factory=dict)  # event id -> [row, …] by position
    invitations: dict = field(default_factory=dict)  # (event id, invitee) -> row
    body_members: dict = field(default_factory=dict)  # (body, person id) -> row
    group_members: dict = field(default_factory=dict)  # (group id, person id) -> row
    partners: dict = field(default_factory=dict)  # partner id -> row


class _Module:
    def __init__(self, tables: Tables):
        self.t = tables


class Meetings(_Module):
    """store/meetings.py: the events."""

    def get_event(self, conn, event_id, lock: bool = False) -> dict:
        found = self.t.events.get(UUID(str(event_id)))
        if found is None:
            raise NotFound(f"Einen Termin {event_id} gibt es nicht.")
        return dict(found)

    def set_event_status(self, conn, event_id, status: str) -> dict:
        row = self.t.events[UUID(str(event_id))]
        row["status"] = status
        return dict(row)


class Agendas(_Module):
    """store/agendas.py: an event's agenda items."""

    def items(self, conn, event_id) -> list[dict]:
        return [dict(i) for i in self.t.agenda_items.get(UUID(str(event_id)), [])]


class Invitations(_Module):
    """store/invitations.py: who is invited, and their answers."""

    def add_invitation(self, conn, tenant: str, event_id, person: dict, via: str) -> bool:
        key = (UUID(str(event_id)), person["invitee"])
        if key in self.t.invitations:
            return False
        self.t.invitations[key] = {
            "tenant": tenant,
            "event_id": key[0],
            "invitee": person["invitee"],
            "name": person["name"],
            "email": person.get("email"),
            "via": via,
            "answer": None,
            "answered_at": None,
        }
        return True

    def _of(self, event_id) -> list[dict]:
        wanted = UUID(str(event_id))
        rows = [r for (e, _), r in self.t.invitations.items() if e == wanted]
        return sorted(rows, key=lambda r: r["name"])

    def invitees(self, conn, event_id) -> list[dict]:
        return [{k: r[k] for k in INVITEE_FIELDS} for r in self._of(event_id)]

    def invitations_by_email(self, conn, event_id, email: str, lock: bool = False) -> list[dict]:
        return [
            {k: r[k] for k in INVITEE_FIELDS}
            for r in self._of(event_id)
            if (r["email"] or "").lower() == email.lower()
        ]

    def set_answer(self, conn, event_id, invitee: str, answer: str, now) -> dict | None:
        row = self.t.invitations.get((UUID(str(event_id)), invitee))
        if row is None:
            return None
        row.update(answer=answer, answered_at=now)
        return dict(row)


class Copies(_Module):
    """store/copies.py: the copies of membership's partners, bodies' and groups' members."""

    def body_members(self, conn, body: str) -> list[dict]:
        rows = [r for (b, _), r in self.t.body_members.items() if b == body]
        return [
            {"person_id": r["person_id"], "name": r["name"], "email": r["email"]}
            for r in sorted(rows, key=lambda r: r["name"])
        ]

    def group_members(self, conn, group_id) -> list[dict]:
        rows = [r for (g, _), r in self.t.group_members.items() if g == str(group_id)]
        found = []
        for r in sorted(rows, key=lambda r: r["name"]):
            # group_member_copies.partner_id is text, joined on partner_copies.partner_id::text
            partner = next(
                (p for p in self.t.partners.values() if str(p["partner_id"]) == r["partner_id"]),
                None,
            )
            email = partner["email"] if partner else None
            found.append({"person_id": r["person_id"], "name": r["name"], "email": email})
        return found

    def active_partners(self, conn) -> list[dict]:
        rows = [r for r in self.t.partners.values() if r["status"] == "active"]
        return [
            {"partner_id": r["partner_id"], "name": r["name"], "email": r["email"]}
            for r in sorted(rows, key=lambda r: r["name"])
        ]


class FakeEventsStore:
    """The events store over dictionaries: the modules the invitation use cases reach."""

    def __init__(self):
        self.tables = Tables()
        self.meetings = Meetings(self.tables)
        self.agendas = Agendas(self.tables)
        self.invitations = Invitations(self.tables)
        self.copies = Copies(self.tables)

    def add_event(
        self, tenant: str, starts_at: datetime, *, status: str = "planned", **values
    ) -> dict:
        """An event as its row reads (defaults as the table's), with one agenda item."""
        row = {
            "tenant": tenant,
            "id": uuid4(),
            "kind": "body_meeting",
            "body": None,
            "working_group_id": None,
            "title": "Sitzung",
            "description": None,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "place": None,
            "online_url": None,
            "public": False,
            "status": status,
            "sequence": 0,
            "agenda_published_at": None,
            "created_at": starts_at - timedelta(days=30),
            "modified_at": starts_at - timedelta(days=30),
            "withdrawn_at": None,
            **values,
        }
        self.tables.events[row["id"]] = row
        self.tables.agenda_items[row["id"]] = [
            {
                "tenant": tenant,
                "id": uuid4(),
                "event_id": row["id"],
                "position": 1,
                "title": "Begrüßung",
                "minutes": 10,
                "presenter": None,
                "kind": "topic",
                "ballot_id": None,
                "partner_id": None,
                "submission_id": None,
            }
        ]
        return dict(row)

    def add_body_member(self, body: str, person_id: str, name: str, email: str | None) -> None:
        self.tables.body_members[(body, person_id)] = {
            "body": body,
            "person_id": person_id,
            "name": name,
            "email": email,
        }

    def add_group_member(
        self, group_id, person_id: str, name: str, partner_id: str | None = None
    ) -> None:
        self.tables.group_members[(str(group_id), person_id)] = {
            "working_group_id": str(group_id),
            "person_id": person_id,
            "name": name,
            "partner_id": partner_id,
        }

    def add_partner(self, name: str, email: str | None, status: str = "active") -> UUID:
        partner_id = uuid4()
        self.tables.partners[partner_id] = {
            "partner_id": partner_id,
            "name": name,
            "email": email,
            "status": status,
        }
        return partner_id
