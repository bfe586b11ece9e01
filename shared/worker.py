"""A service's worker process: outbox relay, broker consumer and timed jobs in one process.

The relay and the timed jobs run in threads; the consumer runs in the main
thread. SIGTERM and SIGINT stop all three cleanly.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from shared.config import Settings, from_env
from shared.db import Database
from shared.messaging import EventConsumer, OutboxRelay, Publisher, connect, declare
from shared.tenants import TenantRegistry
from shared.usecase import Clock, Context, utcnow

log = logging.getLogger(__name__)


@dataclass
class Job:
    """A timed job: fn(worker, ctx) every `every` seconds for each tenant (ctx: its Context)."""

    name: str
    every: float
    fn: Callable
    last: float = field(default=0.0)


class Worker:
    """Wires the pieces of one service's worker (the composition root of the process)."""

    def __init__(
        self,
        service: str,
        handlers: dict,
        jobs: list[Job] | None = None,
        settings: Settings | None = None,
        tenants: TenantRegistry | None = None,
        deps: dict | None = None,
        clock: Clock = utcnow,
    ):
        self.service = service
        self.settings = settings or from_env()
        self.settings.check_secrets()
        self.tenants = tenants or TenantRegistry.load(self.settings.tenants_dir)
        self.handlers = handlers
        self.jobs = jobs or []
        self.deps = dict(deps or {})
        self.clock = clock
        self.db = Database(
            self.settings.app_url(service), min_size=1, max_size=4, name=f"{service}-worker"
        )
        self.stop = threading.Event()
        self.running: EventConsumer | None = None
        self.relay = OutboxRelay(
            self.db, Publisher(self.settings), self.tenants.keys(), batch=self.settings.outbox_batch
        )

    def context(self, tenant_key: str) -> Context:
        """The use-case context for one tenant now (raises KeyError for an unknown tenant)."""
        tenant = self.tenants.get(tenant_key)
        if tenant is None:
            raise KeyError(tenant_key)
        return Context(
            settings=self.settings,
            tenant=tenant,
            now=self.clock(),
            actor=f"worker:{self.service}",
            deps=self.deps,
        )

    def consumer(self, connection, **options) -> EventConsumer:
        """This service's consumer on a broker connection (options: max_retries, retry_delay …)."""
        options.setdefault("max_retries", self.settings.consumer_max_retries)
        return EventConsumer(
            connection, self.db, self.service, self.handlers, self.context, **options
        )

    def _run_job(self, job: Job) -> None:
        for t in self.tenants:
            try:
                job.fn(self, self.context(t.key))
            except Exception:
                log.exception("job %s failed for %s", job.name, t.key)

    def run_jobs_once(self) -> None:
        """Run every timed job for every tenant once (tests and the job loop call this)."""
        for job in self.jobs:
            self._run_job(job)

    def _job_loop(self) -> None:
        import time

        while not self.stop.is_set():
            now = time.monotonic()
            for job in self.jobs:
                if now - job.last >= job.every:
                    job.last = now
                    self._run_job(job)
            self.stop.wait(1.0)

    def run(self) -> None:
        """Run until SIGTERM/SIGINT."""
        self.db.open(wait=True, timeout=60)
        threads = [
            threading.Thread(
                target=self.relay.run,
                args=(self.stop, self.settings.outbox_poll_seconds),
                name="relay",
                daemon=True,
            ),
            threading.Thread(target=self._job_loop, name="jobs", daemon=True),
        ]
        for t in threads:
            t.start()

        def _stop(*_):
            self.stop.set()
            if self.running is not None:
                self.running.should_stop = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        log.info("%s worker started", self.service)
        while not self.stop.is_set():
            with connect(self.settings) as conn:
                try:
                    conn.ensure_connection(max_retries=3)
                    self.running = self.consumer(conn)
                    declare(conn, self.service, self.running.queue_keys)
                    self.running.run()
                except Exception as exc:
                    log.warning("%s consumer: %s; reconnecting", self.service, exc)
                    self.stop.wait(2.0)
        for t in threads:
            t.join(timeout=10)
        self.db.close()
        log.info("%s worker stopped", self.service)
