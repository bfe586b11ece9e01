"""Voting worker: keeps the electorate from membership events; relays the outbox."""

from __future__ import annotations

from services.voting import store
from shared import worker


def on_member_added(conn, env: dict) -> None:
    data = env["data"]
    store.upsert_voter(conn, env["tenant"], data["body"], data)


def on_member_removed(conn, env: dict) -> None:
    data = env["data"]
    store.remove_voter(conn, data["body"], data["person_id"])


HANDLERS = {
    "membership.body.member_added": on_member_added,
    "membership.body.member_removed": on_member_removed,
}
JOBS: list = []


def main() -> None:
    worker.main("voting", HANDLERS, JOBS)
