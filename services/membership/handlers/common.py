"""What every membership handler module uses: the outbox event and plain JSON values."""

from __future__ import annotations

import json
import uuid

from knotenpunkt.shared.messaging import add_event
from knotenpunkt.shared.usecase import Context

SERVICE = "membership"


def emit(conn, ctx: Context, aggregate: str, event: str, data: dict, subject=None) -> dict:
    """Add a membership event of the context's tenant to the outbox (the caller's transaction)."""
    return add_event(conn, SERVICE, ctx.tenant.key, aggregate, event, data, subject)


def jsonable(row: dict) -> dict:
    """The row with its UUIDs as strings (event data)."""
    return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}


def plain(value):
    """The value as JSON would carry it (dates, UUIDs and decimals as text)."""
    return json.loads(json.dumps(value, default=str))
