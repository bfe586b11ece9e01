"""The app factory every service uses, and what a route reaches of the current request.

The app gets the tenant check, token check, sane queries and bodies and the rate limit of
anonymous writes (before every view), problem+json errors (``shared.problems``), the
operations endpoints (``shared.ops``) and the Swagger UI (``shared.docs``); routes get
:func:`uow`, :func:`context`, :func:`principal` and :func:`conditional`.

A service's ``create_app`` calls :func:`create_service_app` with its
blueprints; nothing is created at import time and the connection pool opens
on first use, i.e. after gunicorn has forked.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, g, request
from flask_smorest.arguments import ArgumentsMixin
from werkzeug.middleware.proxy_fix import ProxyFix

from knotenpunkt.shared import logs
from knotenpunkt.shared.auth import ANONYMOUS, Principal, TokenVerifier
from knotenpunkt.shared.config import Settings, from_env
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.docs import ServiceApi, add_docs
from knotenpunkt.shared.inputs import check_query, parse_json_body
from knotenpunkt.shared.net import host_allowed
from knotenpunkt.shared.ops import add_ops
from knotenpunkt.shared.pagecache import PageCache
from knotenpunkt.shared.problems import problem, register_error_handlers
from knotenpunkt.shared.ratelimit import Rate, bucket_of, emails_in, hit
from knotenpunkt.shared.tenants import Tenant, TenantRegistry
from knotenpunkt.shared.usecase import Clock, Context, utcnow

log = logging.getLogger(__name__)
ARGUMENTS_PARSER = ArgumentsMixin.ARGUMENTS_PARSER


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


def version_read():
    """Reads of the current request's tenant, each statement one read-only transaction in a
    single round trip (shared.db.OneTrip): the version behind a conditional read, so that a
    304 costs one trip to the database. The page itself, when it must be rendered, is read
    in a unit of work of its own begun afterwards (read_uow): never older than the version
    it is filed under, since every change moves the version in its own transaction."""
    return service_context().database().one_trip(current_tenant().key)


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
            g.principal = service_context().verifier.verify(
                token.strip(), request.view_args.get("tenant")
            )
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


def _takes_json(app: Flask, endpoint: str | None, method: str) -> bool:
    """Whether the route's operation reads a JSON body (flask-smorest's ``arguments`` in json)."""
    view = app.view_functions.get(endpoint) if endpoint else None
    if view is None:
        return False
    fn = getattr(getattr(view, "view_class", None), method.lower(), None) or view
    params = getattr(fn, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(isinstance(p, dict) and p.get("in") == "json" for p in params)


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")


def _not_json(app: Flask):
    """415 for a write to a route that reads JSON whose body is something else (text, a form,
    XML …), and for a PUT or PATCH without a body: nothing is parsed, nothing changes. An empty
    POST stays what it is (an action whose parameters are all optional)."""
    known = app.extensions.setdefault("knotenpunkt.json_routes", {})
    key = (request.endpoint, request.method)
    takes = known.get(key)
    if takes is None:
        takes = known[key] = _takes_json(app, *key)
    has_body = _has_body()
    if not takes or not (has_body or request.method in ("PUT", "PATCH")):
        return None
    given = request.mimetype or "keiner"
    return problem(
        415,
        "Nicht unterstützter Medientyp",
        f"Erwartet wird ein JSON-Körper mit Content-Type: application/json (gegeben: {given}).",
        type_slug="unsupported-media-type",
        errors={"_body": ["Content-Type: application/json erwartet"]},
    )


# Reached by address (probes, scrapes): no id or link is built there, the Host is not checked.
OPS_ENDPOINTS = ("healthz", "readyz", "metrics")


def unknown_host(allowed) -> Response | None:
    """400 problem+json when ALLOWED_HOSTS is set and the request's host (its Host header, or
    X-Forwarded-Host from a trusted proxy) is not one of them; None otherwise."""
    if not allowed or request.endpoint in OPS_ENDPOINTS or host_allowed(request.host, allowed):
        return None
    return problem(
        400,
        "Unbekannter Host",
        "Diese Instanz antwortet nur unter den Hostnamen, die ALLOWED_HOSTS nennt; der Host der "
        "Anfrage gehört nicht dazu.",
        type_slug="unknown-host",
        errors={"Host": ["nicht in ALLOWED_HOSTS"]},
    )


def _guard_requests(app: Flask) -> None:
    """Before every view: a request id, the tenant known, a presented token valid, the query
    and a JSON body sane (parsed once), anonymous writes within their rate; after it: the
    request id and the security headers."""

    @app.before_request
    def _guard():
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        refused = unknown_host(service_context().settings.allowed_hosts)
        if refused is not None:
            return refused
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
        if request.method in ("POST", "PUT", "PATCH") and not request.is_json:
            refused = _not_json(app)
            if refused is not None:
                return refused
        data = None
        # a GET (HEAD, OPTIONS) reads no body: its Content-Type, whatever it says, is ignored
        if (
            request.is_json
            and request.content_length != 0
            and request.method not in ("GET", "HEAD", "OPTIONS")
        ):
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
    def _secured(resp):
        resp.headers["X-Request-ID"] = g.get("request_id", "")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers.setdefault(
            "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"
        )
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        if "Authorization" in request.headers:
            # an answer for this caller only: no cache keeps it (conditional reads say their own)
            resp.headers.setdefault("Cache-Control", "private, no-store")
        return resp


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
    settings.check_hosts()
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
    api = ServiceApi(
        app,
        spec_kwargs={
            "info": {"description": f"Knotenpunkt {service} service"},
            # the one origin (PUBLIC_URL): Swagger UI's "Try it out" goes through the gateway
            "servers": [{"url": settings.public_url, "description": "Knotenpunkt"}],
        },
    )
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for bp in blueprints:
        api.register_blueprint(bp)
    add_ops(app, service)
    _guard_requests(app)
    add_docs(app, app.config["API_TITLE"])
    # the one parser flask-smorest's blueprints share (registering again replaces the same)
    ARGUMENTS_PARSER.location_loader("json")(_json_parsed_once)
    register_error_handlers(app)
    return app
