"""End-to-end fixtures: each service's real worker pieces (relay, consumer) on the test broker."""

from __future__ import annotations

import time

import pytest
from kombu import Connection

from knotenpunkt.shared.messaging import declare, delay_queue
from knotenpunkt.wiring import worker_for
from tests.support import drain

SERVICES = ("membership", "voting", "events", "notifications")


class Flow:
    """Runs the workers of all four services until nothing is left to do."""

    def __init__(self, settings, tenants):
        self.workers = {}
        self.conns = {}
        self.consumers = {}
        for service in SERVICES:
            w = worker_for(service, settings=settings, tenants=tenants)
            w.db.open()
            conn = Connection(settings.broker_url)
            consumer = w.consumer(conn, max_retries=2, retry_delay=0.01)
            declare(conn, service, consumer.queue_keys)
            self.workers[service] = w
            self.conns[service] = conn
            self.consumers[service] = consumer

    def _waiting(self) -> int:
        """Messages in the services' queues and delay queues (confirmed publishes are counted)."""
        total = 0
        for service, consumer in self.consumers.items():
            channel = self.conns[service].default_channel
            for queue in (consumer.queue, delay_queue(service)):
                total += queue(channel).queue_declare(passive=True).message_count
        return total

    def settle(self, timeout: float = 60.0) -> None:
        """Relay every outbox and consume every queue until a round finds nothing to do.

        Ends on the effect (empty outboxes, empty queues, nothing handled), not after idle rounds.
        """
        deadline = time.monotonic() + timeout
        while True:
            sent = sum(w.relay.run_once() for w in self.workers.values())
            before = sum(c.processed for c in self.consumers.values())
            for consumer in self.consumers.values():
                drain(consumer, idle=0.02)
            handled = sum(c.processed for c in self.consumers.values()) - before
            waiting = self._waiting()
            if not sent and not handled and not waiting:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"flows did not settle: {waiting} messages still waiting")
            if waiting and not sent and not handled:
                time.sleep(0.02)  # a retry is waiting for its delay to expire

    def jobs(self) -> None:
        for w in self.workers.values():
            w.run_jobs_once()

    def close(self):
        for service, w in self.workers.items():
            w.relay.publisher.reset()
            self.conns[service].release()
            w.db.close()


@pytest.fixture(scope="session")
def flow(settings, tenants, apps):
    f = Flow(settings, tenants)
    f.settle()
    yield f
    f.close()


def invite_body_to_meeting(
    events, coord, title: str, days_ahead: int, body: str = "vorbereitungsgremium"
) -> dict:
    """A meeting of the Chemnitz body `days_ahead` days from now, its members invited; the event."""
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days_ahead)
    event = events.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "body_meeting",
            "body": body,
            "title": title,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
        },
        headers=coord,
    ).get_json()
    invited = events.post(
        f"/api/v1/chemnitz/events/{event['id']}/invitations", json={"body": body}, headers=coord
    )
    assert invited.status_code == 201, invited.get_json()
    return event
