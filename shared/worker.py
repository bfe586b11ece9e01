"""A service's worker process: outbox relay, broker consumer and timed jobs in one process.

The relay and the timed jobs run in threads; the consumer runs in the main
thread. SIGTERM and SIGINT stop all three cleanly; SIGHUP reads the tenant
files again. Readiness and metrics are served on the worker's own port
(:mod:`shared.workerops`, setting WORKER_OPS_PORT).

When the broker or the database goes away the worker waits for it by itself
(backoff from 0.5 s doubling up to 5 s: a try costs little, and a server that is
back is seen soon) and says so once per change, not once per try. A message whose handling met an unreachable database is put back in
its queue (neither retried nor dead-lettered: it is not the message's fault),
the consumer pauses until the database answers again, then resumes.
"""

from __future__ import annotations

import collections
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from kombu.exceptions import OperationalError as KombuOperationalError
from psycopg_pool import PoolTimeout

from knotenpunkt.shared import logs
from knotenpunkt.shared.config import Settings, from_env
from knotenpunkt.shared.consumer import EventConsumer
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.messaging import binding_keys, connect, declare, events_queue
from knotenpunkt.shared.outbox import OutboxRelay, Publisher
from knotenpunkt.shared.privacy import log_retention, request_fields
from knotenpunkt.shared.tenants import TenantConfigError, TenantRegistry
from knotenpunkt.shared.usecase import Clock, Context, utcnow
from knotenpunkt.shared.workerops import OpsServer

log = logging.getLogger(__name__)

# SQLSTATEs of a server that is away: class 08 (connection exception) and, of class 57
# (operator intervention), only admin/crash shutdown, "the database system is starting up" and
# an idle session ended by its timeout. 57014 (query cancelled: statement_timeout,
# pg_cancel_backend) is the work's own failure: retried, then dead-lettered.
AWAY_CLASSES = ("08",)
AWAY_STATES = ("57P01", "57P02", "57P03", "57P05")


def database_away(exc: BaseException) -> bool:
    """Is this error the database being unreachable (restart, failover), not the work's fault?"""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, psycopg.OperationalError):
        state = exc.sqlstate
        return state is None or state[:2] in AWAY_CLASSES or state in AWAY_STATES
    return False


class Link:
    """Whether the worker reaches one server (database, broker): a log line per change of state,
    and the backoff between tries while it is away (thread-safe)."""

    def __init__(self, service: str, name: str, first: float = 0.5, cap: float = 5.0):
        self.service, self.name = service, name
        self.first, self.cap = first, cap
        self.delay = first
        self.reachable: bool | None = None
        self.since = 0.0
        self._lock = threading.Lock()

    def up(self) -> None:
        with self._lock:
            if self.reachable is False:
                log.warning(
                    "%s worker: %s reachable again after %.1f s",
                    self.service,
                    self.name,
                    time.monotonic() - self.since,
                )
            self.reachable, self.delay = True, self.first

    def down(self, exc: BaseException) -> None:
        with self._lock:
            if self.reachable is not False:
                log.warning(
                    "%s worker: %s unreachable (%s: %s); waiting for it (backoff up to %.0f s)",
                    self.service,
                    self.name,
                    exc.__class__.__name__,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                    self.cap,
                )
                self.since = time.monotonic()
            self.reachable = False

    def wait(self, stop: threading.Event) -> None:
        """Sleep the current backoff (or until stop), then double it."""
        with self._lock:
            delay = self.delay
            self.delay = min(self.cap, self.delay * 2)
        stop.wait(delay)


class _DatabaseAway(BaseException):
    """Carries a database outage past EventConsumer's catch-all (which would count it as the
    message's failure: retry, then dead letter) to WorkerConsumer.on_message."""


class WorkerConsumer(EventConsumer):
    """The worker's consumer: an unreachable database pauses it instead of failing messages.

    ``run()`` consumes over one connection; a lost broker connection ends it with the
    connection error, for the worker's loop to wait and reconnect (kombu's own retry
    loop would log every try).
    """

    connect_max_retries = 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.away: BaseException | None = None

    def handle(self, env: dict) -> bool:
        try:
            return super().handle(env)
        except Exception as exc:
            if database_away(exc):
                raise _DatabaseAway(exc) from exc
            raise

    def on_message(self, message) -> None:
        if self.away is not None:
            message.requeue()  # prefetched before the pause: back to the queue, untouched
            return
        try:
            super().on_message(message)
        except _DatabaseAway as away:
            self.away = away.args[0]
            self.should_stop = True
            message.requeue()

    def on_connection_error(self, exc, interval) -> None:
        """The worker's loop says it (once per outage)."""

    def run(self, _tokens=1, **kwargs) -> None:
        for _ in self.consume(limit=None, **kwargs):
            pass


def privacy_consumer(privacy) -> Callable:
    """The consumer of ``membership.privacy.requested`` for a service whose privacy handlers
    (``handlers.privacy``) answer with what it holds or erased (DSGVO Art. 15, 17)."""

    def on_privacy_requested(conn, env: dict, ctx) -> None:
        privacy.answer_privacy_request(
            privacy.AnswerPrivacyRequest(**request_fields(env)), conn, ctx
        )

    return on_privacy_requested


def retention_job(privacy, every: float = 86400) -> Job:
    """The daily job that deletes what the tenant's retention rules say is due, logged with
    counts (the service's ``handlers.privacy.apply_retention``)."""

    def privacy_retention(w, ctx) -> None:
        with w.db.transaction(ctx.tenant.key) as conn:
            counts = privacy.apply_retention(privacy.ApplyRetention(), conn, ctx)
        log_retention(log, w.service, ctx.tenant.key, counts)

    return Job("privacy-retention", every, privacy_retention)


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
        consumers: dict,
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
        self.consumers = consumers
        self.jobs = jobs or []
        self.deps = dict(deps or {})
        self.clock = clock
        self.db = Database(
            self.settings.app_url(service), min_size=1, max_size=4, name=f"{service}-worker"
        )
        # a unit of work waits this long for a connection, then counts the database as away
        self.db.pool.timeout = self.settings.db_pool_timeout
        self.database = Link(service, "database")
        self.broker = Link(service, "broker")
        self.stop = threading.Event()
        self.consuming = threading.Event()
        self.running: EventConsumer | None = None
        # name -> (help, fn(conn, ctx) -> {((label, value), ...): figure}): the service's own gauges
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
            self.db.ping()  # a connection of its own with a connect timeout
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
            self.settings, self.service, events_queue(self.service, binding_keys(self.consumers))
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
            service=self.service,
        )

    def consumer(self, connection, **options) -> WorkerConsumer:
        """This service's consumer on a broker connection (options: max_retries, retry_delay …)."""
        options.setdefault("max_retries", self.settings.consumer_max_retries)
        return WorkerConsumer(
            connection, self.db, self.service, self.consumers, self.context, **options
        )

    def _run_job(self, job: Job) -> None:
        for t in self.tenants:
            try:
                with logs.context(tenant=t.key):
                    job.fn(self, self.context(t.key))
            except Exception as exc:
                if database_away(exc):
                    self.database.down(exc)
                    return  # the other tenants would meet the same outage
                log.exception("job %s failed for %s", job.name, t.key)

    def reach_database(self) -> bool:
        """True once the database answers; else records the outage and waits its backoff.

        Back after an outage, the pool's idle connections (broken by the server's restart)
        are checked and replaced at once, before the relay or a handler meets them.
        """
        try:
            self.db.ping(pooled=True)
        except Exception as exc:
            if not database_away(exc):
                raise
            self.database.down(exc)
            self.database.wait(self.stop)
            return False
        if self.database.reachable is False:
            self.db.pool.check()
        self.database.up()
        return True

    def run_jobs_once(self) -> None:
        """Run every timed job for every tenant once (tests and the job loop call this)."""
        for job in self.jobs:
            self._run_job(job)

    def _job_loop(self) -> None:
        while not self.stop.is_set():
            # a ping a second: an outage is seen (and the pool renewed after it) even when
            # no message arrives
            if not self.reach_database():
                continue
            now = time.monotonic()
            for job in self.jobs:
                if now - job.last >= job.every:
                    job.last = now
                    self._run_job(job)
            self.stop.wait(1.0)

    def run(self) -> None:
        """Run until SIGTERM/SIGINT; waits for the database and the broker by itself."""
        # the pool would log every failed try; the worker's Link lines say each change once
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        self.db.open(wait=False)
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
            if not self.reach_database():
                continue
            self._consume()
        if ops is not None:
            ops.stop()
        for t in threads:
            t.join(timeout=10)
        self.db.close()
        log.info("%s worker stopped", self.service)

    def _consume(self) -> None:
        """Consume over one broker connection until it is lost, the database goes away or stop."""
        with connect(self.settings) as conn:
            errors = conn.connection_errors + conn.channel_errors
            try:
                conn.ensure_connection(max_retries=1, timeout=5)
                consumer = self.running = self.consumer(conn)
                declare(conn, self.service, consumer.queue_keys)
                self.broker.up()
                self.consuming.set()
                consumer.run()
            except (*errors, KombuOperationalError) as exc:
                self.broker.down(exc)
                self.broker.wait(self.stop)
                return
            except Exception:
                log.exception("%s consumer failed; starting it again", self.service)
                self.stop.wait(2.0)
                return
            finally:
                self.consuming.clear()
        if consumer.away is not None:
            self.database.down(consumer.away)
