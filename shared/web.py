"""The app factory base every service uses: problem+json errors, auth, tenants, health, metrics.

A service's ``create_app`` calls :func:`create_service_app` with its
blueprints; nothing is created at import time and the connection pool opens
on first use, i.e. after gunicorn has forked.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from flask import Flask, Response, current_app, g, jsonify, request
from flask_smorest.arguments import ArgumentsMixin
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from psycopg_pool import PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from knotenpunkt.shared import logs
from knotenpunkt.shared.auth import ANONYMOUS, Principal, TokenVerifier
from knotenpunkt.shared.config import Settings, from_env
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.docs import ServiceApi, add_docs
from knotenpunkt.shared.errors import DomainError, TooManyRequests, status_of
from knotenpunkt.shared.i18n import german, prefers_english
from knotenpunkt.shared.inputs import BadInput, check_query, parse_json_body
from knotenpunkt.shared.messaging import connect
from knotenpunkt.shared.ratelimit import Rate, bucket_of, emails_in, hit
from knotenpunkt.shared.tenants import Tenant, TenantRegistry
from knotenpunkt.shared.usecase import Clock, Context, utcnow

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
ARGUMENTS_PARSER = ArgumentsMixin.ARGUMENTS_PARSER
TYPE_BASE = "https://knotenpunkt.invalid/problems/"


class PageCache:
    """Serialized answers of hot reads by their version (an ETag), least recently used out.

    An entry is only ever looked up by a version the database has just confirmed, so it
    cannot be stale; the bound keeps a process small (entries and bytes).
    """

    def __init__(self, max_entries: int = 1024, max_bytes: int = 8 * 1024 * 1024):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes -= len(old) if old is not None else 0
            self._entries[key] = body
            self._bytes += len(body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)


@dataclass
class ServiceContext:
    """What a request handler may reach: settings, tenants, the pool, the verifier."""

    service: str
    settings: Settings
    tenants: TenantRegistry
    db: Database
    verifier: TokenVerifier
    deps: dict = field(default_factory=dict)
    clock: Clock = utcnow
    pages: PageCache = field(default_factory=PageCache)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _opened: bool = False

    def database(self) -> Database:
        """The pool, opened on first use (after gunicorn forked)."""
        if not self._opened:
            with self._lock:
                if not self._opened:
                    self.db.open(wait=False)
                    self._opened = True
        return self.db


def service_context() -> ServiceContext:
    """The process's service parts (settings, tenants, pool, verifier, deps) of the current app."""
    return current_app.extensions["knotenpunkt"]


def uow():
    """The unit of work of the current request's tenant (a transaction on the service's pool)."""
    return service_context().database().transaction(current_tenant().key)


@contextlib.contextmanager
def read_uow():
    """A unit of work for a hot read: like uow(), but BEGIN, the tenant setting and the first
    statement reach the server as one pipeline (one round trip instead of three; psycopg's
    pipeline mode). Each fetch waits for its own answer, so later statements run as usual.
    """
    with service_context().database().connection() as conn:
        with conn.pipeline():
            conn.execute("select set_config('app.tenant', %s, true)", (current_tenant().key,))
            yield conn


def context() -> Context:
    """The use-case context of the current request: settings, tenant, time, caller, deps."""
    service = service_context()
    who = principal()
    return Context(
        settings=service.settings,
        tenant=current_tenant(),
        now=service.clock(),
        actor=who.person or "anonymous",
        deps=service.deps,
        service=service.service,
    )


def current_tenant() -> Tenant:
    """The tenant of the current request (checked to exist before the view runs)."""
    return service_context().tenants.get(request.view_args["tenant"])


def principal() -> Principal:
    """The caller; anonymous without a token. A bad token raises at once."""
    if "principal" not in g:
        header = request.headers.get("Authorization", "")
        if not header:
            g.principal = ANONYMOUS
        else:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token:
                from knotenpunkt.shared.errors import Unauthorized

                raise Unauthorized("Erwartet wird 'Authorization: Bearer <token>'.")
            g.principal = service_context().verifier.verify(token.strip(), request.view_args.get("tenant"))
    return g.principal


def conditional(version: str, render: Callable[[], object], *, public: bool) -> Response:
    """Answer a GET from the version of what it shows (a conditional, cacheable read).

    ``version`` must change whenever the answer would (the tenant, what the caller may
    see, the query and the state of the data it reads); ``render`` builds the answer (a
    JSON value) and runs only when neither the client nor this process holds it. The
    weak ETag is a digest of the version: ``If-None-Match`` naming it (or ``*``) gets 304
    without a body, otherwise 200 from the process's page cache or from ``render``.
    Public answers may be kept by shared caches but are revalidated on every use
    (``public, no-cache``: a 304 costs no page read), so that an erased, hidden or embargoed
    entry is never shown from a cache; answers that depend on the caller's token are
    ``private`` (browser only) and revalidated as well.
    """
    tag = hashlib.sha256(version.encode()).hexdigest()[:32]
    headers = {
        "ETag": f'W/"{tag}"',
        "Cache-Control": "public, no-cache" if public else "private, no-cache",
        "Vary": "Authorization",
    }
    if request.if_none_match.contains_weak(tag):
        return Response(status=304, headers=headers)
    pages = service_context().pages
    body = pages.get(tag)
    if body is None:
        body = current_app.json.dumps(render()).encode()
        pages.put(tag, body)
    return Response(body, status=200, headers=headers, mimetype="application/json")


def problem(status: int, title: str, detail: str, *, type_slug: str | None = None, **extra):
    body = {
        "type": TYPE_BASE + (type_slug or str(status)),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if "request_id" in g:
        body["instance"] = f"urn:request:{g.request_id}"
    body.update({k: v for k, v in extra.items() if v is not None})
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = PROBLEM
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="knotenpunkt"'
    return resp


def _flatten(messages, prefix="") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_body"] = list(messages)
    elif isinstance(messages, list):
        for m in messages:
            for k, v in _flatten(m, prefix).items():
                out.setdefault(k, []).extend(v)
    else:
        out[prefix or "_body"] = [str(messages)]
    return out


def _validation_errors(messages: dict) -> dict[str, list[str]]:
    """webargs messages ({location: {field: [msg]}}) as {field: [msg]}; query fields prefixed."""
    out: dict[str, list[str]] = {}
    for location, fields_ in messages.items():
        prefix = "" if location in ("json", "form") else location
        for k, v in _flatten(fields_, prefix).items():
            out.setdefault(k, []).extend(v)
    return out


def _handle_http(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if (
        exc.code == 400
        and messages
        and "json" in messages
        and messages["json"] == ["Invalid JSON body."]
    ):
        return problem(
            400,
            "Ungültiges JSON",
            "Der Anfragekörper ist kein gültiges JSON (malformed JSON body).",
            type_slug="malformed-json",
        )
    if exc.code == 422 and messages:
        errors = _validation_errors(messages)
        fields_ = ", ".join(sorted(errors))
        if prefers_english(request.headers.get("Accept-Language")):
            return problem(
                422,
                "Invalid input",
                f"The input is invalid in: {fields_}.",
                type_slug="validation",
                errors=errors,
            )
        return problem(
            422,
            "Ungültige Eingabe",
            f"Die Eingabe ist ungültig in: {fields_}.",
            type_slug="validation",
            errors={k: [german(m) for m in v] for k, v in errors.items()},
        )
    detail = data.get("message") or exc.description or exc.name
    return problem(exc.code or 500, exc.name, detail, type_slug=str(exc.code))


def _handle_domain(exc: DomainError):
    status = status_of(exc)
    errors = {exc.field: [exc.detail]} if exc.field else None
    resp = problem(
        status, exc.title, exc.detail, type_slug=exc.type_slug, errors=errors, **exc.extra
    )
    if isinstance(exc, TooManyRequests):
        resp.headers["Retry-After"] = str(exc.retry_after)
    return resp


def _handle_bad_input(exc: BadInput):
    errors = {exc.field: [exc.rule]}
    if exc.status == 400:
        return problem(
            400,
            "Ungültige Anfrage",
            f"Der Anfragekörper {exc.rule}",
            type_slug="malformed-json",
            errors=errors,
        )
    return problem(
        422,
        "Ungültige Eingabe",
        f"Die Eingabe ist ungültig in: {exc.field}.",
        type_slug="validation",
        errors=errors,
    )


def _handle_out_of_range(exc: Exception):
    log.info("value out of range: %s", exc)
    return problem(
        422,
        "Ungültige Eingabe",
        "Ein Wert liegt außerhalb des zulässigen Bereichs (Zahl zu groß oder Datum zu weit entfernt).",
        type_slug="out-of-range",
    )


def _handle_unavailable(exc: Exception):
    log.error("database unavailable: %s: %s", exc.__class__.__name__, exc)
    if isinstance(exc, psycopg.OperationalError):
        # a connection broke: the pool's other idle ones may be dead too (server restarted)
        service_context().database().check_soon()
    resp = problem(
        503,
        "Dienst nicht verfügbar",
        "Die Datenbank ist gerade nicht erreichbar; bitte später erneut versuchen.",
        type_slug="unavailable",
    )
    resp.headers["Retry-After"] = "5"
    return resp


def _handle_unexpected(exc: Exception):
    log.exception("unhandled error")
    return problem(
        500,
        "Interner Fehler",
        "Ein unerwarteter Fehler ist aufgetreten; er wurde protokolliert.",
        type_slug="internal",
    )


def _json_parsed_once(req, schema):
    """webargs' "json" location: the body before_request has already parsed strictly (so it is
    not parsed a second time); without one (not JSON, or empty), webargs' own loader."""
    if "json_body" in g:
        return g.json_body
    return ARGUMENTS_PARSER.load_json(req, schema)


def create_service_app(
    service: str,
    blueprints=(),
    *,
    settings: Settings | None = None,
    tenants: TenantRegistry | None = None,
    title: str | None = None,
    deps: Callable[[Settings, TenantRegistry], dict] | None = None,
    clock: Clock | None = None,
) -> Flask:
    """Build a service's Flask app; ``deps`` is the service's ``bootstrap.deps`` (the worker
    gets its dependencies from the same function, ``knotenpunkt.wiring.worker_for``).

    Raises TenantConfigError when a tenant file is broken (start-up stops).
    """
    settings = settings or from_env()
    settings.check_secrets()
    logs.setup(service, settings.log_level)
    tenants = tenants or TenantRegistry.load(settings.tenants_dir)
    app = Flask(f"knotenpunkt.{service}")
    if settings.trusted_proxies:
        # Behind the gateway: client address, scheme, host and port from X-Forwarded-*,
        # believed for exactly that many proxies (never from a client directly).
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    app.config.update(
        API_TITLE=title or f"Knotenpunkt {service}",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_body_bytes,
    )
    app.json.ensure_ascii = False
    db = Database(
        settings.app_url(service),
        min_size=settings.pool_min,
        max_size=settings.pool_max,
        name=f"{service}-web",
    )
    db.pool.timeout = settings.db_pool_timeout
    app.extensions["knotenpunkt"] = ServiceContext(
        service=service,
        settings=settings,
        tenants=tenants,
        db=db,
        verifier=TokenVerifier(settings),
        deps=dict(deps(settings, tenants) if deps is not None else {}),
        clock=clock or utcnow,
    )
    api = ServiceApi(app, spec_kwargs={"info": {"description": f"Knotenpunkt {service} service"}})
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for bp in blueprints:
        api.register_blueprint(bp)
    _add_ops(app, service)
    add_docs(app, app.config["API_TITLE"])
    # the one parser flask-smorest's blueprints share (registering again replaces the same)
    ARGUMENTS_PARSER.location_loader("json")(_json_parsed_once)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(DomainError, _handle_domain)
    app.register_error_handler(PoolTimeout, _handle_unavailable)
    # the server went away mid-request (restart, failover): nothing was committed
    app.register_error_handler(psycopg.OperationalError, _handle_unavailable)
    app.register_error_handler(BadInput, _handle_bad_input)
    app.register_error_handler(psycopg.errors.DataError, _handle_out_of_range)
    app.register_error_handler(OverflowError, _handle_out_of_range)
    app.register_error_handler(Exception, _handle_unexpected)
    return app


def _limit_anonymous(tenant_key: str, data) -> None:
    """Anonymous writes: at most so many per client address and per e-mail address named."""
    service = service_context()
    settings = service.settings
    client = request.remote_addr or "unknown"
    buckets = [
        (
            bucket_of("client", client),
            Rate.parse(settings.rate_anonymous_client),
            "von dieser Adresse",
        )
    ]
    for email in emails_in(data):
        buckets.append(
            (
                bucket_of("target", email),
                Rate.parse(settings.rate_anonymous_target),
                "an diese E-Mail-Adresse",
            )
        )
    hit(service.database(), tenant_key, buckets, service.clock())


def _add_ops(app: Flask, service: str) -> None:
    registry = CollectorRegistry()
    requests_total = Counter(
        "http_requests_total", "HTTP requests", ["method", "endpoint", "status"], registry=registry
    )
    latency = Histogram(
        "http_request_duration_seconds", "HTTP request latency", ["endpoint"], registry=registry
    )

    @app.before_request
    def _start():
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        g.started = time.perf_counter()
        tenant_key = (request.view_args or {}).get("tenant")
        if tenant_key is not None and tenant_key not in service_context().tenants:
            return problem(
                404,
                "Unbekanntes Netzwerk",
                f"Ein Netzwerk '{tenant_key}' gibt es hier nicht (unknown tenant).",
                type_slug="unknown-tenant",
            )
        if tenant_key is not None and "Authorization" in request.headers:
            principal()  # a presented token is checked on every route, public ones too
        check_query(request.args)
        data = None
        if request.is_json and request.content_length != 0:
            # parsed once: webargs' json location takes it from g (_json_parsed_once)
            data = g.json_body = parse_json_body(request.get_data(cache=True))
        if (
            tenant_key is not None
            and request.method not in ("GET", "HEAD", "OPTIONS")
            and "Authorization" not in request.headers
        ):
            _limit_anonymous(tenant_key, data)
        return None

    @app.after_request
    def _finish(resp):
        resp.headers["X-Request-ID"] = g.get("request_id", "")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers.setdefault(
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"
        )
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        requests_total.labels(request.method, endpoint, resp.status_code).inc()
        if "started" in g:
            latency.labels(endpoint).observe(time.perf_counter() - g.started)
        return resp

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": service}

    @app.get("/readyz")
    def readyz():
        service_ctx = service_context()
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
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # gunicorn's workers each count; the scrape adds them up (multiprocess mode)
            merged = CollectorRegistry()
            MultiProcessCollector(merged)
            return generate_latest(merged), 200, {"Content-Type": CONTENT_TYPE_LATEST}
        return generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST}


def _late_outbox(service: ServiceContext) -> list[tuple[str, float]]:
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
