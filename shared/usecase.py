"""The use-case layer's common parts: the context a handler gets, and the clock.

Every use case is a function ``handler(cmd, conn, ctx)`` in a service's
``handlers`` module: ``cmd`` is a dataclass with an imperative name
(``CheckApplication``, ``CastVote``), ``conn`` the open unit of work of the
tenant, ``ctx`` a :class:`Context`. Routes build the context from the request
(:func:`shared.web.context`), the worker from the event or the timed job
(:meth:`shared.worker.Worker.context`): both paths call the same handler.

A handler never reads the environment, a module-level global or the wall
clock: settings, the tenant, the time and the service's own dependencies
(a renderer, a mailer …) all come in the context.

The unit of work is the pair ``conn`` and ``ctx``: ``conn`` is the open transaction,
``ctx.store`` the service's store (its SQL, the ``store`` package that ``bootstrap.deps``
provides) and :func:`emit` adds an event to the outbox through ``ctx.outbox``. Unit tests
give a handler a fake store and a fake outbox in the context (``tests/fakes``) and
no connection at all, so that a use case's rules run without a database.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.tenants import Tenant

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The real clock (UTC, aware); tests pass their own clock instead."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    """What a use case may reach besides its command and its connection."""

    settings: Settings
    tenant: Tenant
    now: datetime
    actor: str = "system"
    deps: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    service: str = ""

    @property
    def store(self):
        """The service's store: its SQL modules (``ctx.store.ballots.get(conn, …)``), or a fake."""
        return self.dep("store")

    @property
    def outbox(self) -> Callable[..., dict]:
        """Writes an event into the caller's transaction: ``add_event``'s signature (a fake in
        unit tests)."""
        found = self.deps.get("outbox")
        if found is None:
            from knotenpunkt.shared.messaging import add_event

            return add_event
        return found

    @property
    def rules(self) -> dict:
        return self.tenant.rules

    @property
    def tz(self):
        return self.tenant.tz

    def dep(self, name: str):
        """A dependency the composition root provided (KeyError names it when missing)."""
        try:
            return self.deps[name]
        except KeyError as exc:
            raise KeyError(f"the composition root provides no {name!r}") from exc


def plain(value):
    """The value as JSON carries it (dates, times, UUIDs and decimals as text)."""
    return json.loads(json.dumps(value, default=str))


def emit(conn, ctx: Context, aggregate: str, event: str, data: dict, subject=None) -> dict:
    """Add ``<ctx.service>.<aggregate>.<event>`` of the context's tenant to the outbox, in the
    caller's transaction; the data as JSON carries it. Returns the envelope."""
    return ctx.outbox(
        conn,
        ctx.service,
        ctx.tenant.key,
        aggregate,
        event,
        plain(data),
        None if subject is None else str(subject),
    )


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
