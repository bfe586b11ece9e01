"""The composition root: builds a service's web app or worker with its dependencies.

Each service may have a ``bootstrap`` module with ``deps(settings, tenants) -> dict``
(a renderer, a mailer factory …); both its app and its worker get the same
dependencies through the use-case context (:class:`shared.usecase.Context`).
"""

from __future__ import annotations

import importlib

from knotenpunkt.shared.config import SERVICES, Settings, from_env
from knotenpunkt.shared.tenants import TenantRegistry
from knotenpunkt.shared.usecase import Clock, utcnow
from knotenpunkt.shared.worker import Worker


def service_deps(service: str, settings: Settings, tenants: TenantRegistry) -> dict:
    """The service's dependencies from its bootstrap module (none when it has no such module)."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; services: {', '.join(SERVICES)}")
    try:
        bootstrap = importlib.import_module(f"knotenpunkt.services.{service}.bootstrap")
    except ModuleNotFoundError as exc:
        if exc.name != f"knotenpunkt.services.{service}.bootstrap":
            raise
        return {}
    return bootstrap.deps(settings, tenants)


def worker_for(
    service: str,
    *,
    settings: Settings | None = None,
    tenants: TenantRegistry | None = None,
    clock: Clock = utcnow,
) -> Worker:
    """The worker of a service, wired: handlers, timed jobs, dependencies, clock."""
    settings = settings or from_env()
    tenants = tenants or TenantRegistry.from_settings(settings)
    module = importlib.import_module(f"knotenpunkt.services.{service}.worker")
    return Worker(
        service,
        module.HANDLERS,
        module.JOBS,
        settings=settings,
        tenants=tenants,
        deps=service_deps(service, settings, tenants),
        clock=clock,
        gauges=getattr(module, "GAUGES", None),
    )
