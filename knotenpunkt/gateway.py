"""The nginx gateway's configuration, generated from the four services' OpenAPI documents.

`knotenpunkt gateway-config` builds each service's app (no database is
touched: the pool opens on first use), reads ``/api/v1/openapi.json`` and
writes an nginx configuration that sends ``/api/v1/<tenant>/<resource>…`` (and the OParl
read API, ``/oparl/v1/<tenant>/<type>…``) to the service owning the resource:

- a first path segment (``partners``, ``ballots`` …) that only one service
  serves is routed by one regex location per service;
- a first segment that several services serve (``bodies/…``: membership's
  members, events' ``bodies/{key}/calendar.ics``) is routed by one exact
  regex per full path, most specific first;
- two services claiming the same path (after renaming the parameters) is an
  error (:class:`GatewayConfigError`), never a silent choice.

The two roots are routed alike and apart: ``/api/v1/`` and ``/oparl/v1/`` each have their
own first segments. A few paths outside the documents have a fixed owner
(:data:`FIXED`: the instance's signing keys, ``/.well-known/jwks.json``, at membership).

Every other path goes to the web portal (upstream ``portal``, port 8000); an
unknown ``/api/…`` or ``/oparl/…`` path is a 404 problem. The gateway itself answers
``/healthz``; each service's OpenAPI document is reachable as
``/api/v1/<service>/openapi.json``. Request bodies are limited, timeouts set,
``X-Request-ID`` passed through (generated when absent or malformed),
``X-Forwarded-For/Proto/Host/Port`` set. With a certificate the same routes are also
served over TLS.
"""

from __future__ import annotations

import importlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from knotenpunkt.shared.config import PORTAL_PORT, PORTS, SERVICES, Settings, from_env

API = "/api/v1/"
OPARL = "/oparl/v1/"
ROOTS = (API, OPARL)
TENANT_PREFIX = "/api/v1/{tenant}/"
TENANT_PREFIXES = tuple(root + "{tenant}/" for root in ROOTS)
# Paths served outside the OpenAPI documents, and their owners.
FIXED = {"/.well-known/jwks.json": "membership"}
TENANT_RE = "[a-z][a-z0-9_-]*"
PARAM = re.compile(r"\{[^}/]+\}")


class GatewayConfigError(Exception):
    """The routes cannot be made unambiguous (two services claim the same path)."""


@dataclass(frozen=True)
class Route:
    """One OpenAPI path below /api/v1/{tenant}/ or /oparl/v1/{tenant}/ and its service."""

    service: str
    path: str  # as in the document, e.g. /api/v1/{tenant}/bodies/{key}/members

    @property
    def root(self) -> str:
        """/api/v1/ or /oparl/v1/."""
        return next(r for r in ROOTS if self.path.startswith(r))

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path[len(self.root + "{tenant}/") :].split("/"))

    @property
    def shape(self) -> tuple[str, ...]:
        """The root and the segments with every parameter renamed to {}: equal shapes are the
        same path."""
        return (self.root, *(PARAM.sub("{}", s) for s in self.segments))

    def regex(self) -> str:
        """A regex for nginx that matches exactly this path (parameters: one segment each)."""
        parts = [_segment_regex(s) for s in self.segments]
        return f"^{self.root}{TENANT_RE}/" + "/".join(parts) + "$"


def _escape(literal: str) -> str:
    """Regex metacharacters escaped (PCRE and Python alike); '-' and '_' stay readable."""
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", literal)


def _segment_regex(segment: str) -> str:
    out, pos = [], 0
    for m in PARAM.finditer(segment):
        out.append(_escape(segment[pos : m.start()]))
        out.append("[^/]+")
        pos = m.end()
    out.append(_escape(segment[pos:]))
    return "".join(out)


def _segments_overlap(a: str, b: str) -> bool:
    """Could one concrete path segment match both templates? (Conservative: yes when unsure.)"""
    if "{" not in a and "{" not in b:
        return a == b
    if "{" in a and "{" in b:
        # both with parameters: compatible unless their literal ends differ
        ta, tb = PARAM.split(a)[-1], PARAM.split(b)[-1]
        ha, hb = PARAM.split(a)[0], PARAM.split(b)[0]
        return (ta.endswith(tb) or tb.endswith(ta)) and (ha.startswith(hb) or hb.startswith(ha))
    literal, template = (a, b) if "{" in b else (b, a)
    return re.fullmatch(_segment_regex(template), literal) is not None


def overlap(a: Route, b: Route) -> bool:
    """Whether some concrete URL matches both routes."""
    sa, sb = a.segments, b.segments
    return (
        a.root == b.root
        and len(sa) == len(sb)
        and all(_segments_overlap(x, y) for x, y in zip(sa, sb, strict=True))
    )


def specificity(route: Route) -> tuple:
    """Sort key: more literal segments (and literal text) first, like Flask's own matching."""
    literal = [0 if "{" in s else 1 for s in route.segments]
    return (tuple(-x for x in literal), -len(PARAM.sub("", route.path)), route.path)


@dataclass
class RouteTable:
    """Which service serves which path below /api/v1/{tenant}/ and /oparl/v1/{tenant}/."""

    routes: list[Route]
    services: tuple[str, ...] = SERVICES
    # (root, first segment) -> service, for segments only one service serves below the root
    by_prefix: dict[tuple[str, str], str] = field(default_factory=dict)
    # routes under shared first segments, most specific first
    explicit: list[Route] = field(default_factory=list)

    @classmethod
    def build(cls, paths: dict[str, Iterable[str]]) -> RouteTable:
        """From {service: OpenAPI paths}; raises GatewayConfigError when two services claim a path."""
        routes: list[Route] = []
        other: list[str] = []
        for service, service_paths in paths.items():
            for p in service_paths:
                if any(p.startswith(t) and len(p) > len(t) for t in TENANT_PREFIXES):
                    routes.append(Route(service, p))
                else:
                    other.append(f"{service}: {p}")
        if other:
            raise GatewayConfigError(
                "paths outside /api/v1/{tenant}/ and /oparl/v1/{tenant}/ cannot be routed by "
                "the gateway: " + ", ".join(sorted(other))
            )
        claimed: dict[tuple[str, ...], Route] = {}
        clashes = []
        for r in routes:
            first = claimed.setdefault(r.shape, r)
            if first.service != r.service:
                clashes.append(f"{first.path} ({first.service}) and {r.path} ({r.service})")
        if clashes:
            raise GatewayConfigError(
                "two services claim the same path, the gateway cannot route it: "
                + "; ".join(sorted(set(clashes)))
            )
        owners: dict[tuple[str, str], set[str]] = {}
        for r in routes:
            owners.setdefault((r.root, r.segments[0]), set()).add(r.service)
        by_prefix = {seg: next(iter(s)) for seg, s in owners.items() if len(s) == 1}
        shared = {seg for seg, s in owners.items() if len(s) > 1}
        explicit = sorted((r for r in routes if (r.root, r.segments[0]) in shared), key=specificity)
        # Overlapping paths of different services are routed by the more specific one;
        # if neither is more specific, the choice would be arbitrary: refuse.
        for i, a in enumerate(explicit):
            for b in explicit[i + 1 :]:
                if (
                    a.service != b.service
                    and overlap(a, b)
                    and specificity(a)[:2] == specificity(b)[:2]
                ):
                    raise GatewayConfigError(
                        f"{a.path} ({a.service}) and {b.path} ({b.service}) match the same URLs "
                        "and neither is more specific"
                    )
        return cls(routes=routes, services=tuple(paths), by_prefix=by_prefix, explicit=explicit)

    def locations(self) -> list[tuple[str, str]]:
        """(regex, service) in the order nginx must try them: explicit paths, then prefixes."""
        out = [(r.regex(), r.service) for r in self.explicit]
        for root in ROOTS:
            for service in self.services:
                segs = sorted(
                    seg for (r, seg), s in self.by_prefix.items() if (r, s) == (root, service)
                )
                if segs:
                    alt = "|".join(_segment_regex(s) for s in segs)
                    out.append((f"^{root}{TENANT_RE}/(?:{alt})(?:/|$)", service))
        return out

    def fixed(self) -> dict[str, str]:
        """The paths outside the documents with a fixed owner among these services."""
        return {path: s for path, s in FIXED.items() if s in self.services}

    def owner(self, uri: str) -> str | None:
        """The service nginx would send this URI to (first matching regex location), or None."""
        if uri in self.fixed():
            return self.fixed()[uri]
        for regex, service in self.locations():
            if re.search(regex, uri):
                return service
        return None


def openapi_paths(services: Iterable[str] = SERVICES, settings: Settings | None = None) -> dict:
    """{service: paths of its OpenAPI document}, built without a database or broker."""
    from knotenpunkt.shared.tenants import TenantRegistry

    # TENANTS_DIR and TENANTS from the environment; the database is never connected (the pool
    # opens on first use, the document needs none) and the secrets sign nothing.
    settings = settings or from_env().with_(
        database_url="postgresql://gateway-config@127.0.0.1:9/none",
        jwt_secret=secrets.token_urlsafe(48),
        link_secret=secrets.token_urlsafe(48),
        jwt_jwks_url="",
        # the documents are read in this process only, by its test client (Host: localhost)
        allowed_hosts=("localhost",),
    )
    tenants = TenantRegistry.from_settings(settings)
    out = {}
    for service in services:
        app = importlib.import_module(f"knotenpunkt.services.{service}.app").create_app(
            settings, tenants
        )
        try:
            resp = app.test_client().get("/api/v1/openapi.json")
            if resp.status_code != 200:
                raise GatewayConfigError(
                    f"{service}: /api/v1/openapi.json answered {resp.status_code}"
                )
            out[service] = list(resp.get_json()["paths"])
        finally:
            app.extensions["knotenpunkt"].db.close()
    return out


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


DOCS_TITLES = {
    "membership": "Mitgliedschaft, Partner, Gremien, Arbeitsgruppen, Verzeichnisse",
    "voting": "Abstimmungen",
    "events": "Sitzungen, Veranstaltungen, Beteiligung",
    "notifications": "Benachrichtigungen",
}


def docs_index_html(services: Iterable[str]) -> str:
    """The page of /api/v1/docs: each service's Swagger UI and document."""
    items = "".join(
        f'<li><a href="/api/v1/{s}/docs">{s}</a> – {DOCS_TITLES.get(s, s)} '
        f'(<a href="/api/v1/{s}/openapi.json">OpenAPI</a>)</li>'
        for s in services
    )
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        "<title>Knotenpunkt – API</title></head><body><main><h1>Knotenpunkt – API</h1>"
        f"<p>Die Schnittstellen der vier Dienste (OpenAPI 3):</p><ul>{items}</ul></main></body></html>"
    )


def docs_index(services: Iterable[str]) -> str:
    """The gateway's /api/v1/docs: one page linking each service's Swagger UI and document."""
    html = docs_index_html(services)
    return (
        "location = /api/v1/docs {\n"
        "    default_type text/html;\n"
        "    add_header Content-Security-Policy \"default-src 'none'\" always;\n"
        "    add_header X-Content-Type-Options nosniff always;\n"
        f"    return 200 '{html}';\n"
        "}\n"
    )


def render(
    table: RouteTable,
    *,
    upstreams: dict[str, str] | None = None,
    listen: int = 8080,
    tls_listen: int = 8443,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    max_body: str = "1m",
    read_timeout: int = 30,
    import_max_body: str = "11m",
    import_timeout: int = 300,
) -> str:
    """The complete nginx.conf (runs as a non-root user, logs to stdout/stderr)."""
    upstreams = upstreams or {}
    ups = []
    for service in (*table.services, "portal"):
        target = upstreams.get(service, f"{service}:{PORTS.get(service, PORTAL_PORT)}")
        ups.append(
            f"    upstream {service} {{\n        server {target};\n        keepalive 16;\n    }}\n"
        )
    routes = []
    for service in table.services:
        routes.append(
            f"location = /api/v1/{service}/openapi.json {{\n"
            f"    proxy_pass http://{service}/api/v1/openapi.json;\n}}\n"
            f"location /api/v1/{service}/docs {{\n"
            f"    proxy_pass http://{service}/api/v1/docs;\n}}\n"
        )
    routes.append(docs_index(table.services))
    for path, service in table.fixed().items():
        routes.append(f"location = {path} {{\n    proxy_pass http://{service};\n}}\n")
    # an import's spreadsheet (IMPORT_MAX_BYTES) and its apply take more than other requests:
    # these locations come before the documents' (nginx takes the first matching regex)
    if "membership" in table.services:
        for regex, service in (
            (f"^/api/v1/{TENANT_RE}/imports(?:/|$)", "membership"),
            (f"^/{TENANT_RE}/console/einzug(?:/|$)", "portal"),
        ):
            routes.append(
                f"location ~ {_q(regex)} {{\n"
                f"    client_max_body_size {import_max_body};\n"
                f"    proxy_read_timeout {import_timeout}s;\n"
                f"    proxy_send_timeout {import_timeout}s;\n"
                f"    proxy_pass http://{service};\n}}\n"
            )
    for regex, service in table.locations():
        routes.append(f"location ~ {_q(regex)} {{\n    proxy_pass http://{service};\n}}\n")
    route_block = "".join(routes)

    def server(listen_line: str, extra: str = "") -> str:
        body = "\n".join("        " + line if line else "" for line in route_block.splitlines())
        return (
            "    server {\n"
            f"        {listen_line}\n"
            "        server_name _;\n"
            f"{extra}"
            "        location = /healthz {\n"
            "            access_log off;\n"
            "            default_type application/json;\n"
            '            return 200 \'{"status": "ok", "service": "gateway"}\';\n'
            "        }\n"
            f"{body}\n"
            "        location /api/ {\n"
            "            return 404;\n"
            "        }\n"
            "        location /oparl/ {\n"
            "            return 404;\n"
            "        }\n"
            "        # everything else is the web portal (pages, its static files, login)\n"
            "        location / {\n"
            "            proxy_pass http://portal;\n"
            "        }\n"
            "        error_page 404 /_problem/404;\n"
            "        error_page 413 /_problem/413;\n"
            "        error_page 502 503 504 /_problem/502;\n"
            "        location ^~ /_problem/ {\n"
            "            internal;\n"
            "            default_type application/problem+json;\n"
            "            add_header X-Request-ID $kp_request_id always;\n"
            "            location = /_problem/404 { return 404 "
            '\'{"type": "about:blank", "title": "Not Found", "status": 404, '
            '"detail": "Keine solche Adresse (no such resource)."}\'; }\n'
            "            location = /_problem/413 { return 413 "
            '\'{"type": "about:blank", "title": "Payload Too Large", "status": 413, '
            f'"detail": "Die Anfrage ist größer als {max_body} (request body too large)."}}\'; }}\n'
            "            location = /_problem/502 { return 502 "
            '\'{"type": "about:blank", "title": "Bad Gateway", "status": 502, '
            '"detail": "Der Dienst antwortet gerade nicht (service unavailable)."}\'; }\n'
            "        }\n"
            "    }\n"
        )

    servers = server(f"listen {listen};")
    if tls_cert and tls_key:
        servers += server(
            f"listen {tls_listen} ssl;",
            f"        ssl_certificate {tls_cert};\n"
            f"        ssl_certificate_key {tls_key};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;\n"
            "        ssl_session_cache shared:tls:1m;\n"
            '        add_header Strict-Transport-Security "max-age=31536000" always;\n',
        )

    return f"""# Generated by `knotenpunkt gateway-config` from the services' OpenAPI documents.
# Do not edit: change the services, then generate again.
worker_processes auto;
pid /tmp/nginx.pid;
error_log stderr warn;
events {{
    worker_connections 1024;
}}
http {{
    default_type application/octet-stream;
    server_tokens off;
    client_body_temp_path /tmp/nginx-client-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;

    # X-Request-ID: the caller's when it is sane, otherwise nginx's own.
    map $http_x_request_id $kp_request_id {{
        "~^[A-Za-z0-9._:-]{{1,128}}$" $http_x_request_id;
        default $request_id;
    }}
    log_format knotenpunkt escape=json '{{"time": "$time_iso8601", "level": "INFO", '
        '"service": "gateway", "logger": "access", "method": "$request_method", '
        '"path": "$uri", "status": $status, "duration_ms": $request_time, '
        '"upstream": "$upstream_addr", "request_id": "$kp_request_id"}}';
    access_log /dev/stdout knotenpunkt;

    client_max_body_size {max_body};
    client_body_timeout 15s;
    client_header_timeout 15s;
    send_timeout 30s;
    keepalive_timeout 65s;
    large_client_header_buffers 4 16k;

    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Request-ID $kp_request_id;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Host $host;
    proxy_set_header X-Forwarded-Port $server_port;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_connect_timeout 5s;
    proxy_send_timeout 30s;
    proxy_read_timeout {read_timeout}s;
    proxy_buffering on;

{"".join(ups)}
{servers}}}
"""


def generate(
    services: Iterable[str] = SERVICES, settings: Settings | None = None, **render_kwargs
) -> str:
    """The nginx.conf for these services, from their OpenAPI documents."""
    return render(RouteTable.build(openapi_paths(services, settings)), **render_kwargs)
