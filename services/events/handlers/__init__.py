"""The use cases of the events service, one module per aggregate: meetings, planning, consultations.

A write takes a command (a frozen dataclass with an imperative name), the open
connection and the use-case context: ``plan_event(cmd, conn, ctx)``; a read
takes the connection, the context and keyword filters. This module holds what
the three modules share: the outbox events and a body's meeting rules.
"""

from __future__ import annotations

import json

from knotenpunkt.shared.messaging import add_event
from knotenpunkt.shared.usecase import Context

SERVICE = "events"


def jsonable(value):
    """The value as JSON would carry it (dates, times and ids as strings); raises nothing."""
    return json.loads(json.dumps(value, default=str))


def emit(conn, ctx: Context, aggregate: str, event: str, data: dict, subject) -> None:
    """Add events.<aggregate>.<event> to the outbox in the caller's transaction; raises nothing."""
    add_event(conn, SERVICE, ctx.tenant.key, aggregate, event, jsonable(data), str(subject))


def meeting_rules(ctx: Context, body_key: str | None) -> dict:
    """The meeting rules of the body (none without a body); raises NotFound for an unknown body."""
    return ctx.tenant.body_or_404(body_key)["meeting"] if body_key is not None else {}
