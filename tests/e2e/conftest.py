"""End-to-end fixtures: each service's real worker pieces (relay, consumer) on the test broker."""

from __future__ import annotations

import importlib

import pytest
from kombu import Connection

from shared.messaging import declare
from shared.worker import Worker
from tests.support import drain


class Flow:
    """Runs the workers of all four services until the broker is quiet."""

    def __init__(self, settings, tenants):
        self.workers = {}
        self.conns = {}
        for service in ("membership", "voting", "events", "notifications"):
            module = importlib.import_module(f"services.{service}.worker")
            w = Worker(service, module.HANDLERS, module.JOBS, settings=settings, tenants=tenants)
            w.db.open()
            conn = Connection(settings.broker_url)
            from shared.messaging import EventConsumer

            w.consumer = EventConsumer(
                conn,
                w.db,
                service,
                module.HANDLERS,
                tenants.keys(),
                max_retries=2,
                retry_delay=0.01,
            )
            declare(conn, service, w.consumer.queue_keys)
            self.workers[service] = w
            self.conns[service] = conn

    def settle(self, rounds: int = 4) -> None:
        """Relay every outbox and consume every queue, a few rounds (events cause events)."""
        for _ in range(rounds + 2):
            sent = sum(w.relay.run_once() for w in self.workers.values())
            before = sum(w.consumer.processed for w in self.workers.values())
            for w in self.workers.values():
                drain(w.consumer, idle=0.5)
            handled = sum(w.consumer.processed for w in self.workers.values()) - before
            if not sent and not handled:
                break

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
