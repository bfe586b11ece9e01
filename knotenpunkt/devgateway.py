"""make run's one origin: the portal's process routes what the nginx gateway routes.

In production the nginx gateway (``knotenpunkt gateway-config``) is the one address: it sends
``/api/v1/<tenant>/…`` and ``/oparl/v1/<tenant>/…`` to the service owning the path, each
service's Swagger UI and document to ``/api/v1/<service>/docs`` and ``…/openapi.json``, the
fixed paths (``/.well-known/jwks.json``) to their owner, answers an unknown ``/api/`` or
``/oparl/`` path with a 404 problem, and everything else to the portal. Under ``make run`` the
portal's process (``knotenpunkt web portal --gateway``, port 8000) does the same in front of the
portal's own app, from the SAME route table (:class:`knotenpunkt.gateway.RouteTable`, built
from the same OpenAPI documents; ``knotenpunkt gateway-config --routes`` writes it once at the
start, ``GATEWAY_ROUTES`` names the file), in the same order nginx tries its locations: exact
paths, then the regex locations, then the prefixes. So every link the system writes starts with
one origin, ``PUBLIC_URL`` (``http://127.0.0.1:8000`` under make run).

The request goes on with its own ``Host`` (the services build absolute URLs from it where no
base is configured), the caller's sane ``X-Request-ID`` (else a new one) and ``X-Forwarded-*``
as nginx sets them. Bodies above MAX_BODY_BYTES answer 413, an unreachable service 502, a
service too slow 504: all problem+json, as the gateway's.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

from knotenpunkt.gateway import API, RouteTable, docs_index_html, openapi_paths
from knotenpunkt.shared.config import PORTS, from_env

ROUTES_ENV = "GATEWAY_ROUTES"
# Hop-by-hop headers (RFC 9110, 7.6.1) are the connection's, never forwarded.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
CHUNK = 64 * 1024
PROBLEMS = {
    404: ("Not Found", "Keine solche Adresse (no such resource)."),
    413: (
        "Payload Too Large",
        "Die Anfrage ist größer als {limit} Bytes (request body too large).",
    ),
    502: ("Bad Gateway", "Der Dienst antwortet gerade nicht (service unavailable)."),
    504: ("Gateway Timeout", "Der Dienst antwortet nicht rechtzeitig (service timed out)."),
}
REASONS = {404: "Not Found", 413: "Payload Too Large", 502: "Bad Gateway", 504: "Gateway Timeout"}


def write_routes(path: Path, paths: dict | None = None) -> Path:
    """Write the route table's source (each service's OpenAPI paths) as JSON; returns the path."""
    paths = openapi_paths() if paths is None else paths
    RouteTable.build(paths)  # refuses an ambiguous table here, not in the portal's process
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"paths": paths}, indent=1), encoding="utf-8")
    return path


def load_table(path: str | Path | None = None) -> RouteTable:
    """The route table from the file ``write_routes`` wrote, else from the OpenAPI documents."""
    if path:
        return RouteTable.build(json.loads(Path(path).read_text(encoding="utf-8"))["paths"])
    return RouteTable.build(openapi_paths())


def target(table: RouteTable, path: str) -> tuple[str, str | None, str | None]:
    """Where nginx would send this path: ("proxy", service, upstream path), ("docs", None,
    None) for the index of the documents, ("404", …) for an unknown API path, ("portal", …)."""
    if path == API + "docs":
        return "docs", None, None
    for service in table.services:
        if path == f"{API}{service}/openapi.json":
            return "proxy", service, API + "openapi.json"
    owner = table.owner(path)  # the fixed paths, then the regex locations, in nginx's order
    if owner:
        return "proxy", owner, path
    for service in table.services:
        prefix = f"{API}{service}/docs"
        if path.startswith(prefix):
            return "proxy", service, API + "docs" + path[len(prefix) :]
    if path.startswith(("/api/", "/oparl/")):
        return "404", None, None
    return "portal", None, None


def _problem(start_response, status: int, **fmt):
    title, detail = PROBLEMS[status]
    body = json.dumps(
        {"type": "about:blank", "title": title, "status": status, "detail": detail.format(**fmt)},
        ensure_ascii=False,
    ).encode()
    start_response(
        f"{status} {REASONS[status]}",
        [
            ("Content-Type", "application/problem+json"),
            ("Content-Length", str(len(body))),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [body]


class Gateway:
    """WSGI: the gateway's routes in front of the portal's app."""

    def __init__(
        self,
        portal,
        table: RouteTable,
        upstreams: dict[str, str],
        *,
        max_body: int = 1024 * 1024,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
    ):
        self.portal = portal
        self.table = table
        self.upstreams = {s: urlsplit(u) for s, u in upstreams.items()}
        self.max_body = max_body
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.docs_page = docs_index_html(table.services).encode()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        kind, service, upstream_path = target(self.table, path)
        if kind == "portal":
            return self.portal(environ, start_response)
        if kind == "docs":
            start_response(
                "200 OK",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(self.docs_page))),
                    ("Content-Security-Policy", "default-src 'none'"),
                    ("X-Content-Type-Options", "nosniff"),
                ],
            )
            return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.docs_page]
        if kind == "404":
            return _problem(start_response, 404)
        return self.forward(environ, start_response, service, upstream_path)

    def _uri(self, environ, upstream_path: str) -> str:
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if raw and upstream_path == environ.get("PATH_INFO") and raw.startswith("/"):
            return raw  # exactly as the client sent it (its escapes too)
        # PEP 3333: PATH_INFO holds the path's bytes as latin-1
        text = upstream_path.encode("latin-1").decode("utf-8", "replace")
        query = environ.get("QUERY_STRING")
        return quote(text, safe="/:@!$&'()*+,;=-._~%") + (f"?{query}" if query else "")

    def _headers(self, environ) -> dict[str, str]:
        headers = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                name = key[5:].replace("_", "-").title()
                if name.lower() not in HOP_BY_HOP:
                    headers[name] = value
        for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
            if environ.get(key):
                headers[name] = environ[key]
        remote = environ.get("REMOTE_ADDR", "")
        forwarded = headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{forwarded}, {remote}" if forwarded else remote
        headers["X-Real-Ip"] = remote
        headers["X-Forwarded-Proto"] = environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        headers["Host"] = host
        headers["X-Forwarded-Host"] = host
        headers["X-Forwarded-Port"] = str(environ.get("SERVER_PORT", ""))
        rid = headers.get("X-Request-Id", "")
        headers["X-Request-Id"] = rid if SANE_REQUEST_ID.match(rid) else uuid.uuid4().hex
        return headers

    def _body(self, environ) -> bytes | None:
        """The request's body (at most max_body bytes), or None when it is larger."""
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        if length:
            if int(length) > self.max_body:
                return None
            return stream.read(int(length))
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            data = stream.read(self.max_body + 1)
            return None if len(data) > self.max_body else data
        return b""

    def forward(self, environ, start_response, service: str, upstream_path: str):
        body = self._body(environ)
        if body is None:
            return _problem(start_response, 413, limit=self.max_body)
        headers = self._headers(environ)
        headers["Content-Length"] = str(len(body))
        headers.pop("Transfer-Encoding", None)
        up = self.upstreams[service]
        conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=self.connect_timeout)
        try:
            conn.connect()
            conn.sock.settimeout(self.read_timeout)
            conn.request(
                environ.get("REQUEST_METHOD", "GET"),
                self._uri(environ, upstream_path),
                body=body if body or environ.get("CONTENT_LENGTH") else None,
                headers=headers,
            )
            resp = conn.getresponse()
        except TimeoutError:
            conn.close()
            return _problem(start_response, 504)
        except OSError:
            conn.close()
            return _problem(start_response, 502)
        start_response(
            f"{resp.status} {resp.reason}",
            [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP],
        )
        return _stream(resp, conn)


def _stream(resp, conn):
    try:
        while chunk := resp.read(CHUNK):
            yield chunk
    finally:
        resp.close()
        conn.close()


def upstreams_from_env(services, env=None) -> dict[str, str]:
    """Where each service listens: <SERVICE>_URL (as the portal reads them), else its port."""
    env = os.environ if env is None else env
    return {
        s: (env.get(f"{s.upper()}_URL") or f"http://127.0.0.1:{PORTS[s]}").rstrip("/")
        for s in services
    }


def create_app():
    """The portal's app behind the gateway's routes (gunicorn: ``knotenpunkt web portal
    --gateway``); GATEWAY_ROUTES names the route table's file, else it is built here."""
    from knotenpunkt.services.portal.app import create_app as portal_app

    app = portal_app()
    table = load_table(os.environ.get(ROUTES_ENV))
    app.wsgi_app = Gateway(
        app.wsgi_app,
        table,
        upstreams_from_env(table.services),
        max_body=from_env().max_body_bytes,
    )
    return app
