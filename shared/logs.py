"""JSON logs: one line per record with the same fields from every process.

Every line has ``time`` (ISO 8601, UTC), ``level``, ``service`` (``membership``,
``voting-worker``, ``portal`` …), ``tenant``, ``request_id``, ``event_id``, ``logger`` and
``message``; fields that do not apply are null. The tenant and the request id come from the
current request (web processes), the tenant and the event id from the event being handled or
the tenant a job runs for (workers, :func:`context`). Access lines (logger ``access``) add
``method``, ``path``, ``status`` and ``duration_ms``. No line carries personal data: names,
addresses and bodies are never logged (tests/e2e/test_privacy.py reads the logs).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import g, has_request_context, request

FIELDS = ("time", "level", "service", "tenant", "request_id", "event_id", "logger", "message")
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")
_CONTEXT: ContextVar[dict | None] = ContextVar("knotenpunkt_log_context", default=None)


@contextlib.contextmanager
def context(**fields):
    """Log lines inside carry these fields (``tenant``, ``event_id``)."""
    token = _CONTEXT.set({**(_CONTEXT.get() or {}), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the request's (or the handled event's) tenant, request id and event id on a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        found = _CONTEXT.get() or {}
        record.request_id = found.get("request_id")
        record.tenant = found.get("tenant")
        record.event_id = found.get("event_id")
        if has_request_context():
            record.request_id = g.get("request_id") or record.request_id
            record.tenant = (request.view_args or {}).get("tenant") or record.tenant
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "tenant": getattr(record, "tenant", None),
            "request_id": getattr(record, "request_id", None),
            "event_id": getattr(record, "event_id", None),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def handler(service: str, stream=None) -> logging.Handler:
    """A handler writing this process's JSON lines (to stderr unless another stream is given)."""
    out = logging.StreamHandler(stream or sys.stderr)
    out.setFormatter(JsonFormatter(service))
    out.addFilter(RequestIdFilter())
    out._knotenpunkt = True
    return out


def setup(service: str, level: str = "INFO") -> None:
    """Route the root logger to stderr as JSON lines (once per process)."""
    root = logging.getLogger()
    if any(getattr(h, "_knotenpunkt", False) for h in root.handlers):
        return
    root.addHandler(handler(service))
    root.setLevel(level)
    logging.getLogger("amqp").setLevel("WARNING")
    logging.getLogger("kombu").setLevel("WARNING")
    # kombu warns that filesystem:// has no host name; that is how the transport is used.
    logging.getLogger("kombu.connection").setLevel("ERROR")
