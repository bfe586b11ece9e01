"""Every error leaves a service as problem+json (RFC 9457): the one place that says how.

Domain errors carry their German sentence and status (``shared.errors``), validation errors
name the field and the rule (German, English with ``Accept-Language: en``), a database that
is away is 503 with Retry-After, anything unexpected 500 without details.
"""

from __future__ import annotations

import logging

import psycopg
from flask import Flask, current_app, g, jsonify, request
from psycopg_pool import PoolTimeout
from werkzeug.exceptions import HTTPException

from knotenpunkt.shared.errors import DomainError, TooManyRequests, status_of
from knotenpunkt.shared.i18n import german, prefers_english
from knotenpunkt.shared.inputs import BadInput

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
TYPE_BASE = "https://knotenpunkt.invalid/problems/"


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
        current_app.extensions["knotenpunkt"].database().check_soon()
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


def register_error_handlers(app: Flask) -> None:
    """Every exception a view may raise, answered as problem+json."""
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(DomainError, _handle_domain)
    app.register_error_handler(PoolTimeout, _handle_unavailable)
    # the server went away mid-request (restart, failover): nothing was committed
    app.register_error_handler(psycopg.OperationalError, _handle_unavailable)
    app.register_error_handler(BadInput, _handle_bad_input)
    app.register_error_handler(psycopg.errors.DataError, _handle_out_of_range)
    app.register_error_handler(OverflowError, _handle_out_of_range)
    app.register_error_handler(Exception, _handle_unexpected)
