"""Events worker: keeps its copy of the partners from membership events; relays the outbox."""

from __future__ import annotations

from services.events import store
from shared import worker


def on_partner(conn, env: dict) -> None:
    store.upsert_partner(conn, env["tenant"], env["data"])


HANDLERS = {
    "membership.partner.created": on_partner,
    "membership.partner.updated": on_partner,
    "membership.partner.admitted": on_partner,
}
JOBS: list = []


def main() -> None:
    worker.main("events", HANDLERS, JOBS)
