"""Membership worker: relays the outbox; consumes the events membership reacts to."""

from __future__ import annotations

from shared import worker

# Filled by the admission flow (ballot.closed → admitted or rejected) in issue #3.
HANDLERS: dict = {}
JOBS: list = []


def main() -> None:
    worker.main("membership", HANDLERS, JOBS)
