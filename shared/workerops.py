"""What a worker tells its operators: ``/healthz``, ``/readyz`` and ``/metrics`` on a port of its own.

- ``/readyz``: database and broker reachable and the consumer running (503 otherwise);
- ``/metrics`` (Prometheus): per tenant the outbox backlog and the age of the oldest
  unsent event; the messages waiting in the service's queue (consumer lag), in its
  delay queue and in its dead-letter queue; events processed; events announced for
  tenants this worker does not know; and the service's own gauges
  (``worker.GAUGES``, e.g. notifications' deliveries by status).

``dead_letters`` and ``replay_dead_letters`` list and give back what a service's
dead-letter queue holds (``knotenpunkt dead-letters list|replay``).

Each figure is read when scraped (a scrape costs one query per tenant and one
passive queue declaration per queue), so there is no state to get out of step.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from amqp.exceptions import ChannelError
from kombu import Producer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from knotenpunkt.shared.messaging import (
    RETRY_EXCHANGE,
    connect,
    dead_queue,
    delay_queue,
    exchange,
)
from knotenpunkt.shared.ops import Ready, ready_family

log = logging.getLogger(__name__)


def outbox_figures(db, tenant: str, now) -> tuple[int, float]:
    """(unsent events, age in seconds of the oldest) of one tenant's outbox."""
    with db.transaction(tenant) as conn:
        row = conn.execute(
            "select count(*) as n, min(created_at) as oldest from outbox where sent_at is null"
        ).fetchone()
    oldest = row["oldest"]
    return row["n"], (now - oldest).total_seconds() if oldest else 0.0


def database_size(db) -> float:
    """Bytes the service's database takes on the server (its disk is what an operator watches)."""
    with db.connection() as conn:
        row = conn.execute("select pg_database_size(current_database()) as n").fetchone()
    return float(row["n"] if isinstance(row, dict) else row[0])


class _Collector:
    def __init__(self, worker):
        self.worker = worker

    def collect(self):
        w = self.worker
        yield ready_family(w.readiness())
        size = GaugeMetricFamily(
            "knotenpunkt_database_size_bytes",
            "Size of the service's database on the PostgreSQL server",
        )
        size.add_metric([], database_size(w.db))
        yield size
        backlog = GaugeMetricFamily(
            "knotenpunkt_outbox_backlog", "Outbox events not yet published", labels=["tenant"]
        )
        age = GaugeMetricFamily(
            "knotenpunkt_outbox_oldest_unsent_seconds",
            "Age of the oldest unpublished outbox event",
            labels=["tenant"],
        )
        now = w.clock()
        for t in w.tenants:
            n, seconds = outbox_figures(w.db, t.key, now)
            backlog.add_metric([t.key], n)
            age.add_metric([t.key], seconds)
        yield backlog
        yield age
        queues = GaugeMetricFamily(
            "knotenpunkt_queue_messages",
            "Messages waiting in the service's queues",
            labels=["queue"],
        )
        for name, count in w.queue_depths().items():
            queues.add_metric([name], count)
        yield queues
        processed = CounterMetricFamily(
            "knotenpunkt_events_processed", "Events this worker's consumer handled"
        )
        processed.add_metric([], w.running.processed if w.running else 0)
        yield processed
        unknown = CounterMetricFamily(
            "knotenpunkt_outbox_unknown_tenant_notices",
            "Outbox events announced for tenants this worker does not serve (reload it: SIGHUP)",
            labels=["tenant"],
        )
        for tenant, count in sorted(w.unknown_tenants.items()):
            unknown.add_metric([tenant], count)
        yield unknown
        for name, (help_text, fn) in w.gauges.items():
            samples = []
            for t in w.tenants:
                with w.db.transaction(t.key) as conn:
                    values: dict[tuple[str, ...], float] = fn(conn, w.context(t.key))
                samples += [(t.key, labels, value) for labels, value in values.items()]
            keys = [k for k, _ in samples[0][1]] if samples else []
            # named even without samples: the alert rules and dashboards can rely on it
            family = GaugeMetricFamily(name, help_text, labels=["tenant", *keys])
            for tenant, labels, value in samples:
                family.add_metric([tenant, *[v for _, v in labels]], value)
            yield family


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        log.debug("ops %s", format % args)


class OpsServer:
    """The worker's ops endpoints on host:port, served from a daemon thread."""

    def __init__(self, worker, host: str, port: int):
        self.worker = worker
        self.registry = CollectorRegistry()
        self.registry.register(_Collector(worker))
        self.server: WSGIServer = make_server(host, port, self.app, handler_class=_QuietHandler)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, name="ops", daemon=True)

    def start(self) -> OpsServer:
        self.thread.start()
        log.info("%s worker: ops endpoints on port %d", self.worker.service, self.port)
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def app(self, environ, start_response: Callable):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return self._json(start_response, 200, {"status": "ok", "service": self.worker.service})
        if path == "/readyz":
            checks = self.worker.readiness()
            ok = all(v == "ok" for v in checks.values())
            body = {
                "status": "ready" if ok else "not ready",
                "service": f"{self.worker.service}-worker",
                "checks": checks,
            }
            return self._json(start_response, 200 if ok else 503, body)
        if path == "/metrics":
            try:
                data = generate_latest(self.registry)
            except Exception as exc:
                # the database or the broker is away: the scrape still says so (knotenpunkt_ready
                # 0 for the check), for the alert to name what is away
                log.warning("%s worker metrics: %s", self.worker.service, exc)
                data = generate_latest(Ready(self.worker.readiness()))
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [data]
        return self._json(start_response, 404, {"status": 404, "title": "Not Found"})

    @staticmethod
    def _json(start_response, status: int, body: dict):
        reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
        kind = "application/json" if status == 200 else "application/problem+json"
        start_response(f"{status} {reason}", [("Content-Type", kind)])
        return [json.dumps(body).encode()]


def queue_depths(settings, service: str, queue) -> dict[str, int]:
    """Messages waiting in the service's queue, its delay queue and its dead-letter queue."""
    depths = {}
    with connect(settings) as conn:
        for q in (queue, delay_queue(service), dead_queue(service)):
            channel = conn.channel()  # a passive declare of a missing queue closes its channel
            try:
                depths[q.name] = q(channel).queue_declare(passive=True).message_count
            except ChannelError:
                depths[q.name] = 0  # not declared yet (the consumer has not started): none wait
            finally:
                channel.close()
    return depths


def _dead_entry(service: str, message) -> dict:
    headers = message.headers or {}
    try:
        env = json.loads(message.body)
    except (TypeError, ValueError):
        env = {}
    if not isinstance(env, dict):
        env = {}
    return {
        "service": service,
        "id": env.get("id") or message.properties.get("message_id"),
        "type": env.get("type"),
        "tenant": env.get("tenant"),
        "routing_key": headers.get("x-original-routing-key"),
        "reason": headers.get("x-dead-reason", ""),
    }


def dead_letters(settings, service: str, limit: int = 1000) -> list[dict]:
    """The messages in the service's dead-letter queue (at most limit), left where they are.

    Each: service, id, type, tenant, routing_key (where it first came from) and reason.
    """
    found = []
    with connect(settings) as conn:
        channel = conn.channel()
        queue = dead_queue(service)(channel)
        queue.declare()
        try:
            while len(found) < limit:
                message = queue.get(no_ack=False)
                if message is None:
                    break
                found.append(_dead_entry(service, message))
        finally:
            channel.close()  # the unacknowledged messages go back to the queue, untouched
    return found


def replay_dead_letters(settings, service: str, ids: set[str] | None = None) -> list[dict]:
    """Give dead letters (all, or those whose event id is in ids) back to the service's queue.

    Each is published to the retry exchange with routing key ``service`` (only this
    service's queue receives it again; its retry count starts afresh), the broker
    confirms it, and only then is it removed from the dead-letter queue. Consumers are
    idempotent, so a replay that is interrupted and repeated changes nothing twice.
    Returns the entries replayed.
    """
    replayed = []
    with connect(settings, confirm_publish=True) as conn:
        channel = conn.channel()
        queue = dead_queue(service)(channel)
        queue.declare()
        producer = Producer(conn.channel(), exchange=exchange(RETRY_EXCHANGE))
        try:
            while True:
                message = queue.get(no_ack=False)
                if message is None:
                    break
                entry = _dead_entry(service, message)
                if ids is not None and entry["id"] not in ids:
                    continue  # stays unacknowledged: back to the queue when the channel closes
                headers = {
                    k: v
                    for k, v in (message.headers or {}).items()
                    if k not in ("x-retries", "x-dead-reason")
                }
                headers["x-replayed-reason"] = entry["reason"]
                producer.publish(
                    message.body,
                    routing_key=service,
                    headers=headers,
                    content_type=message.content_type or "application/octet-stream",
                    content_encoding=message.content_encoding or "binary",
                    delivery_mode=2,
                    declare=[exchange(RETRY_EXCHANGE)],
                )
                message.ack()
                replayed.append(entry)
        finally:
            channel.close()
    return replayed
