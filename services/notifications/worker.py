"""Notifications worker: keeps its recipients from membership events; relays the outbox."""

from __future__ import annotations

from services.notifications import store
from shared import worker


def on_member_added(conn, env: dict) -> None:
    d = env["data"]
    store.upsert_recipient(
        conn, env["tenant"], "body_member", d["body"], d["person_id"], d["name"], d.get("email")
    )


def on_member_removed(conn, env: dict) -> None:
    d = env["data"]
    store.remove_recipient(conn, "body_member", d["body"], d["person_id"])


def on_partner(conn, env: dict) -> None:
    d = env["data"]
    store.upsert_recipient(
        conn, env["tenant"], "partner", "partners", d["id"], d["name"], d.get("email")
    )


def on_contact_erased(conn, env: dict) -> None:
    """Membership erased a person: erase every copy of them here too."""
    if env["data"].get("email"):
        store.erase_email(conn, env["data"]["email"])


HANDLERS = {
    "membership.contact.erased": on_contact_erased,
    "membership.body.member_added": on_member_added,
    "membership.body.member_removed": on_member_removed,
    "membership.partner.created": on_partner,
    "membership.partner.updated": on_partner,
    "membership.partner.admitted": on_partner,
}
JOBS: list = []


def main() -> None:
    worker.main("notifications", HANDLERS, JOBS)
