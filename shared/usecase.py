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
"""

from __future__ import annotations

import calendar
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


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
