"""A service's worker process: outbox relay, broker consumer and timed jobs in one process.

The relay and the timed jobs run in threads; the consumer runs in the main
thread. SIGTERM and SIGINT stop all three cleanly; SIGHUP reads the tenant
files again. Readiness and metrics are served on the worker's own port
(:mod:`shared.workerops`, setting WORKER_OPS_PORT).
"""

from __future__ import annotations

import collections
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from knotenpunkt.shared.config import Settings, from_env
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.messaging import (
    EventConsumer,
    OutboxRelay,
    Publisher,
    binding_keys,
    connect,
    declare,
    events_queue,
)
from knotenpunkt.shared.tenants import TenantConfigError, TenantRegistry
from knotenpunkt.shared.usecase import Clock, Context, utcnow
from knotenpunkt.shared.workerops import OpsServer

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
        gauges: dict | None = None,
    ):
        self.service = service
        self.settings = settings or from_env()
        self.settings.check_secrets()
        self.tenants = tenants or TenantRegistry.from_settings(self.settings)
        self.handlers = handlers
        self.jobs = jobs or []
        self.deps = dict(deps or {})
        self.clock = clock
        self.db = Database(
            self.settings.app_url(service), min_size=1, max_size=4, name=f"{service}-worker"
        )
        self.stop = threading.Event()
        self.consuming = threading.Event()
        self.running: EventConsumer | None = None
        # name -> (help, fn(conn) -> {((label, value), ...): figure}): the service's own gauges
        self.gauges = dict(gauges or {})
        self.unknown_tenants: collections.Counter = collections.Counter()
        self.relay = OutboxRelay(
            self.db,
            Publisher(self.settings),
            self.tenants.keys(),
            batch=self.settings.outbox_batch,
            on_unknown_tenant=self._unknown_tenant,
        )

    def _unknown_tenant(self, tenant: str) -> None:
        if not self.unknown_tenants[tenant]:
            log.warning(
                "%s worker: events for tenant %r wait in the outbox, but this worker does not "
                "serve it (its file was added after the start): reload the worker (SIGHUP)",
                self.service,
                tenant,
            )
        self.unknown_tenants[tenant] += 1

    def reload(self) -> None:
        """Read the tenant files again (SIGHUP): the relay, jobs and consumer serve the new set.

        A broken file keeps the tenants as they were and logs why.
        """
        try:
            tenants = TenantRegistry.from_settings(self.settings)
        except TenantConfigError as exc:
            log.error("%s worker: tenant files not reloaded: %s", self.service, exc)
            return
        added = sorted(set(tenants.keys()) - set(self.tenants.keys()))
        removed = sorted(set(self.tenants.keys()) - set(tenants.keys()))
        self.tenants = tenants
        self.relay.tenants = list(tenants.keys())
        for key in added:
            self.unknown_tenants.pop(key, None)
        log.info(
            "%s worker: tenants reloaded (%d; added: %s; removed: %s)",
            self.service,
            len(tenants.keys()),
            ", ".join(added) or "none",
            ", ".join(removed) or "none",
        )

    def readiness(self) -> dict[str, str]:
        """Database, broker and consumer: "ok" or what is wrong with each."""
        checks = {"database": "ok", "broker": "ok", "consumer": "ok"}
        try:
            self.db.ping()
        except Exception as exc:
            checks["database"] = f"error: {exc.__class__.__name__}"
        try:
            with connect(self.settings) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            checks["broker"] = f"error: {exc.__class__.__name__}"
        if (
            checks["broker"] != "ok"
            or self.running is None
            or self.running.should_stop
            or not self.consuming.is_set()
        ):
            checks["consumer"] = "error: not consuming"
        return checks

    def queue_depths(self) -> dict[str, int]:
        """Messages waiting in this service's queue, delay queue and dead-letter queue."""
        from knotenpunkt.shared.workerops import queue_depths

        return queue_depths(
            self.settings, self.service, events_queue(self.service, binding_keys(self.handlers))
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

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
            signal.signal(signal.SIGHUP, lambda *_: self.reload())
        ops = None
        if self.settings.worker_ops_port(self.service):
            ops = OpsServer(
                self, self.settings.worker_ops_host, self.settings.worker_ops_port(self.service)
            ).start()
        log.info("%s worker started", self.service)
        while not self.stop.is_set():
            with connect(self.settings) as conn:
                try:
                    conn.ensure_connection(max_retries=3)
                    self.running = self.consumer(conn)
                    declare(conn, self.service, self.running.queue_keys)
                    self.consuming.set()
                    self.running.run()
                except Exception as exc:
                    log.warning("%s consumer: %s; reconnecting", self.service, exc)
                    self.consuming.clear()
                    self.stop.wait(2.0)
                finally:
                    self.consuming.clear()
        if ops is not None:
            ops.stop()
        for t in threads:
            t.join(timeout=10)
        self.db.close()
        log.info("%s worker stopped", self.service)
