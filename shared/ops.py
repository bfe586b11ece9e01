"""The operations endpoints of every service's web process: health, readiness, metrics."""

from __future__ import annotations

import logging
import os
import time

from flask import Flask, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from knotenpunkt.shared.messaging import connect
from knotenpunkt.shared.problems import problem

access = logging.getLogger("access")


def add_ops(app: Flask, service: str) -> None:
    """/healthz, /readyz (database, broker, outbox age) and /metrics (requests by endpoint and
    status, latency) on the service's app."""
    registry = CollectorRegistry()
    requests_total = Counter(
        "http_requests_total", "HTTP requests", ["method", "endpoint", "status"], registry=registry
    )
    latency = Histogram(
        "http_request_duration_seconds", "HTTP request latency", ["endpoint"], registry=registry
    )

    @app.before_request
    def _timed():
        g.started = time.perf_counter()

    @app.after_request
    def _counted(resp):
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        requests_total.labels(request.method, endpoint, resp.status_code).inc()
        seconds = time.perf_counter() - g.started if "started" in g else 0.0
        latency.labels(endpoint).observe(seconds)
        # the access line: the route's rule, never the path with its ids or the query
        access.info(
            "%s %s %s",
            request.method,
            endpoint,
            resp.status_code,
            extra={
                "method": request.method,
                "path": endpoint,
                "status": resp.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
        return resp

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": service}

    @app.get("/readyz")
    def readyz():
        service_ctx = current_app.extensions["knotenpunkt"]
        checks = readiness(service_ctx)
        if any(v != "ok" for v in checks.values()):
            return problem(
                503,
                "Nicht bereit",
                "Datenbank oder Broker sind nicht erreichbar.",
                type_slug="not-ready",
                checks=checks,
            )
        late = _late_outbox(service_ctx)
        if late:
            checks["outbox"] = "degraded: " + ", ".join(
                f"{tenant} {int(age)} s" for tenant, age in late
            )
            return {"status": "degraded", "service": service, "checks": checks}
        checks["outbox"] = "ok"
        return {"status": "ready", "service": service, "checks": checks}

    @app.get("/metrics")
    def metrics():
        counted = registry
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # gunicorn's workers each count; the scrape adds them up (multiprocess mode)
            counted = CollectorRegistry()
            MultiProcessCollector(counted)
        ready = generate_latest(Ready(readiness(current_app.extensions["knotenpunkt"])))
        return generate_latest(counted) + ready, 200, {"Content-Type": CONTENT_TYPE_LATEST}


def readiness(service_ctx) -> dict[str, str]:
    """Database and broker of a web process: "ok" or what is wrong with each."""
    checks = {"database": "ok", "broker": "ok"}
    try:
        service_ctx.database().ping()
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        with connect(service_ctx.settings) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        checks["broker"] = f"error: {exc.__class__.__name__}"
    return checks


def ready_family(checks: dict[str, str]) -> GaugeMetricFamily:
    """knotenpunkt_ready{check}: 1 where the readiness check is "ok", else 0 (web processes:
    database, broker; workers: database, broker, consumer)."""
    family = GaugeMetricFamily(
        "knotenpunkt_ready", "Readiness of the process by check (1 ready, 0 not)", labels=["check"]
    )
    for check, state in sorted(checks.items()):
        family.add_metric([check], 1.0 if state == "ok" else 0.0)
    return family


class Ready:
    """The readiness figures as a collector (what generate_latest takes)."""

    def __init__(self, checks: dict[str, str]):
        self.checks = checks

    def collect(self):
        yield ready_family(self.checks)


def _late_outbox(service) -> list[tuple[str, float]]:
    """Tenants whose oldest unsent outbox event is older than the setting allows (its worker
    is down, or does not serve the tenant yet).

    One transaction, the tenants' statements sent as one pipeline: a round trip in all, not
    a transaction per tenant (400 tenants made /readyz a few hundred round trips).
    """
    limit = service.settings.outbox_degraded_seconds
    now = service.clock()
    oldest = []
    with service.database().connection(timeout=2.0) as conn:
        with conn.transaction(), conn.pipeline():
            for tenant in service.tenants.keys():
                conn.execute("select set_config('app.tenant', %s, true)", (tenant,))
                cur = conn.execute("select min(created_at) from outbox where sent_at is null")
                oldest.append((tenant, cur))
        late = []
        for tenant, cur in oldest:
            row = cur.fetchone()
            value = row["min"] if isinstance(row, dict) else row[0]
            if value is not None and (now - value).total_seconds() > limit:
                late.append((tenant, (now - value).total_seconds()))
    return late
