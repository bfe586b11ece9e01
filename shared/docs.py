"""The OpenAPI document of a service (its error answers) and its Swagger UI at ``/api/v1/docs``.

:class:`ServiceApi` is flask-smorest's ``Api`` with the answers every route of
the platform can give declared on each operation: problem+json (RFC 9457, the
shape :func:`knotenpunkt.shared.problems.problem` writes) for 400/401/403/404/409/
413/422/429/503, derived from the route itself (its action in the access
table, its method, parameters and body), so a client — and the fuzz test —
can rely on every status being documented. There is no catch-all ``default``
answer: a status the document does not name is a bug.

The Swagger UI page is served from the service itself (no CDN). The page and
its script use relative addresses only, so the same page works at the service
(``/api/v1/docs``) and behind the gateway (``/api/v1/<service>/docs``, whose
``openapi.json`` sits beside it). Its Content-Security-Policy allows scripts
and styles from the same origin only.
"""

from __future__ import annotations

import http
from html import escape
from pathlib import Path

import marshmallow as ma
from apispec import BasePlugin
from flask import Flask, abort, request, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from swagger_ui_bundle import swagger_ui_path

from knotenpunkt.shared.access import ACCESS, ANONYMOUS_ROLE, action_of

PROBLEM = "application/problem+json"
WRITES = ("post", "put", "patch", "delete")


class ProblemSchema(ma.Schema):
    """An error answer (problem+json): what went wrong, in German unless English was asked for."""

    class Meta:
        # a domain error may add its own members (e.g. the state that conflicts)
        unknown = ma.INCLUDE

    type = ma.fields.String(
        required=True, metadata={"format": "uri", "description": "Art des Fehlers (URI)"}
    )
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    instance = ma.fields.String(metadata={"description": "urn:request:<X-Request-ID>"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "je Feld die verletzten Regeln"},
    )


# Headers the platform sends with some error answers (shared.problems).
RETRY_AFTER = {
    "Retry-After": {
        "description": "Sekunden bis zum nächsten Versuch",
        "schema": {"type": "integer", "minimum": 0},
        "required": True,
    }
}
ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
    429: RETRY_AFTER,
    503: RETRY_AFTER,
}

# The schema of an HTML page a route answers with where the caller prefers HTML
# (``@blp.alt_response(200, schema=HTML_PAGE, content_type="text/html")``).
HTML_PAGE = {"type": "string", "description": "HTML-Seite, wenn der Aufrufer HTML bevorzugt"}

# A conditional read (an operation that answers 304): what it takes and sends.
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "description": "ETag einer früheren Antwort: unverändert → 304 ohne Inhalt",
    "schema": {"type": "string"},
}
CONDITIONAL_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "required": True},
    "Cache-Control": {"schema": {"type": "string"}, "required": True},
}

# Why an operation may answer with a status (the description in the document).
WHY = {
    400: "Der Anfragekörper ist kein gültiges JSON (malformed JSON).",
    401: "Kein oder ein ungültiges Token.",
    403: "Das Token hat keine Rolle, die das darf, oder gehört zu einem anderen Netzwerk.",
    404: "Netzwerk oder Eintrag unbekannt.",
    409: "Der Zustand lässt das nicht zu (z. B. Frist abgelaufen, schon entschieden).",
    413: "Der Anfragekörper ist zu groß.",
    415: "Der Anfragekörper ist kein JSON (Content-Type: application/json erwartet).",
    422: "Eine Eingabe verletzt das Schema oder eine Regel des Netzwerks (Feld und Regel in errors).",
    429: "Zu viele anonyme Schreibzugriffe (Retry-After).",
    503: "Die Datenbank ist gerade nicht erreichbar (Retry-After).",
}


def error_statuses(method: str, rule, action: str | None, operation: dict) -> set[int]:
    """The error statuses the platform can answer an operation with (shared.problems).

    Every route below ``/<tenant>/`` checks the tenant (404), a presented token (401; a token
    of another network 403, public routes too) and uses the database (503). Bodies can be
    malformed (400), too large (413), not JSON (415) or invalid (422), so can queries (422); writes meet
    the current state (409), the network's rules (422) and, without a token, the
    anonymous rate limit (429, checked before the route's role).
    """
    found: set[int] = set()
    if "tenant" in rule.arguments:
        found |= {401, 403, 404, 503}
    elif action is not None and ANONYMOUS_ROLE not in ACCESS[action]:
        found |= {401, 403}
    if len(rule.arguments - {"tenant"}):
        found.add(404)
    params = operation.get("parameters", [])
    if any(isinstance(p, dict) and p.get("in") == "query" for p in params):
        found.add(422)
    if "requestBody" in operation:
        found |= {400, 413, 415, 422}
    if method in WRITES:
        found |= {409, 422, 429}
    return found


def bare_successes(fn) -> dict[str, str | None]:
    """Success answers a route declares without a schema: status → the content type it named.

    flask-smorest documents such an answer without any content (its content type is lost),
    so the document would promise nothing about a CSV, a calendar or a JSON answer.
    """
    responses = getattr(fn, "_apidoc", {}).get("response", {}).get("responses", {})
    found = {}
    for status, docs in responses.items():
        for doc in docs:
            if isinstance(doc, dict) and "schema" not in doc and int(status) not in (204, 304):
                found[str(status)] = doc.get("content_type")
    return found


def conditional(operation: dict) -> None:
    """An operation that answers 304 takes If-None-Match and sends its ETag with 200 and 304."""
    operation.setdefault("parameters", []).append(dict(IF_NONE_MATCH))
    for code, answer in operation["responses"].items():
        if str(code) in ("200", "304") and isinstance(answer, dict):
            answer["headers"] = {**CONDITIONAL_HEADERS, **answer.get("headers", {})}


class ErrorResponses(BasePlugin):
    """apispec plugin: adds the statuses of :func:`error_statuses` to every operation, the
    content type of success answers declared without a schema (text as a string, JSON as an
    object) and the headers of conditional reads."""

    def __init__(self, app: Flask):
        self.app = app

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view = self.app.view_functions.get(rule.endpoint)
        for method, operation in operations.items():
            if method not in ("get", "head", "options", *WRITES):
                continue
            fn = getattr(getattr(view, "view_class", None), method, view)
            responses = operation.setdefault("responses", {})
            for status, content_type in bare_successes(fn).items():
                answer = next((r for c, r in responses.items() if str(c) == status), None)
                if isinstance(answer, dict) and "content" not in answer:
                    content_type = content_type or Api.DEFAULT_RESPONSE_CONTENT_TYPE
                    schema = {"type": "object"} if "json" in content_type else {"type": "string"}
                    answer["content"] = {content_type: {"schema": schema}}
            if any(str(code) == "304" for code in responses):
                conditional(operation)
            declared = {str(code) for code in responses}
            for status in sorted(error_statuses(method, rule, action_of(fn), operation)):
                if str(status) not in declared:
                    responses[status] = http.HTTPStatus(status).name


class ServiceApi(Api):
    """flask-smorest's Api with problem+json error answers declared on every operation."""

    ERROR_SCHEMA = ProblemSchema
    # no catch-all: every status an operation can answer with is named (ErrorResponses)
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app: Flask, *, spec_kwargs: dict | None = None, **kwargs):
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs["extra_plugins"] = [*spec_kwargs.get("extra_plugins", ()), ErrorResponses(app)]
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def _register_responses(self):
        """One response per status (referenced by name, e.g. ``CONFLICT``); errors as problem+json."""
        for status in http.HTTPStatus:
            response = {"description": WHY.get(status.value, status.phrase)}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM
                if status.value in ERROR_HEADERS:
                    response["headers"] = ERROR_HEADERS[status.value]
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)


ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)

INIT_JS = """\
window.addEventListener("load", function () {
  var here = window.location.href.split("#")[0].split("?")[0].replace(/\\/+$/, "");
  window.ui = SwaggerUIBundle({
    url: here.replace(/\\/docs$/, "/openapi.json"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false
  });
});
"""


def page(title: str, base: str) -> str:
    """The HTML page; ``base`` is the relative prefix of the assets (e.g. ``docs/``)."""
    t = escape(title)
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} – API</title>
<link rel="icon" href="{base}static/favicon-32x32.png">
<link rel="stylesheet" href="{base}static/swagger-ui.css">
</head>
<body>
<main id="swagger-ui" aria-label="{t}: API-Dokumentation"></main>
<script src="{base}static/swagger-ui-bundle.js"></script>
<script src="{base}init.js"></script>
</body>
</html>
"""


def add_docs(app: Flask, title: str) -> None:
    """Register /api/v1/docs, its script and the Swagger UI assets on the app."""

    @app.get("/api/v1/docs")
    @app.get("/api/v1/docs/")
    def api_docs():
        # Relative links must resolve below .../docs/ whether or not the URL ends in a slash.
        base = "" if request.path.endswith("/") else "docs/"
        return (
            page(title, base),
            200,
            {
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": CSP,
                "Cache-Control": "no-cache",
            },
        )

    @app.get("/api/v1/docs/init.js")
    def api_docs_init():
        return (
            INIT_JS,
            200,
            {
                "Content-Type": "text/javascript; charset=utf-8",
                "Cache-Control": "public, max-age=3600",
            },
        )

    @app.get("/api/v1/docs/static/<name>")
    def api_docs_asset(name: str):
        if name not in ASSETS:
            abort(404)
        return send_from_directory(Path(swagger_ui_path), name, max_age=86400)
