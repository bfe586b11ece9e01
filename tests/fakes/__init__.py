"""Fakes for unit tests of the use cases: the unit of work without a database.

A handler's unit of work is its connection and its context: the SQL comes through
``ctx.store`` and the events through ``ctx.outbox`` (``shared.usecase``). Here the store is a
service's fake store (``tests/fakes/<service>.py``, plain dictionaries behind the same
functions as the service's SQL) and the outbox a list: a use case's rules run in
milliseconds, and the integration tests keep the SQL and the broker honest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.messaging import TYPE_PREFIX, envelope
from knotenpunkt.shared.tenants import TenantRegistry
from knotenpunkt.shared.usecase import Context

TENANTS = TenantRegistry.load(Settings().tenants_dir)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# what a handler gets as its connection: the fakes never look at it
NO_CONNECTION = None


@dataclass
class FakeOutbox:
    """The outbox as a list of envelopes; called like ``shared.messaging.add_event``."""

    events: list[dict] = field(default_factory=list)

    def __call__(self, conn, service, tenant, aggregate, event, data, subject=None) -> dict:
        env = envelope(service, tenant, aggregate, event, data, subject)
        self.events.append(env)
        return env

    def names(self) -> list[str]:
        """``<service>.<aggregate>.<event>`` of every event added, in order."""
        return [e["type"].removeprefix(TYPE_PREFIX) for e in self.events]

    def of(self, name: str) -> list[dict]:
        """The data of every event named ``<service>.<aggregate>.<event>``, in order."""
        return [e["data"] for e in self.events if e["type"] == TYPE_PREFIX + name]


def context(
    service: str,
    tenant: str,
    store,
    *,
    now: datetime = NOW,
    outbox: FakeOutbox | None = None,
    actor: str = "coordinator",
    **deps,
) -> Context:
    """The use-case context a route or a consumer would build, over a fake store and outbox."""
    return Context(
        settings=Settings(),
        tenant=TENANTS.get(tenant),
        now=now,
        actor=actor,
        deps=MappingProxyType({"store": store, "outbox": outbox or FakeOutbox(), **deps}),
        service=service,
    )
