"""The composition root of a worker process: the service's consumers, jobs and dependencies.

Every service has a ``bootstrap`` module with ``deps(settings, tenants) -> dict`` (its store,
a renderer, a mailer factory …); its app factory (``create_app``, through
``shared.web.create_service_app``) and its worker (:func:`worker_for`) get the same
dependencies from it, through the use-case context (:class:`shared.usecase.Context`).
"""

from __future__ import annotations

import importlib

from knotenpunkt.shared.config import SERVICES, Settings, from_env
from knotenpunkt.shared.tenants import TenantRegistry
from knotenpunkt.shared.usecase import Clock, utcnow
from knotenpunkt.shared.worker import Worker


def service_deps(service: str, settings: Settings, tenants: TenantRegistry) -> dict:
    """The service's dependencies, from its bootstrap module."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; services: {', '.join(SERVICES)}")
    bootstrap = importlib.import_module(f"knotenpunkt.services.{service}.bootstrap")
    return bootstrap.deps(settings, tenants)


def worker_for(
    service: str,
    *,
    settings: Settings | None = None,
    tenants: TenantRegistry | None = None,
    clock: Clock = utcnow,
) -> Worker:
    """The worker of a service, wired: consumers, timed jobs, dependencies, clock."""
    settings = settings or from_env()
    tenants = tenants or TenantRegistry.from_settings(settings)
    module = importlib.import_module(f"knotenpunkt.services.{service}.worker")
    return Worker(
        service,
        module.CONSUMERS,
        module.JOBS,
        settings=settings,
        tenants=tenants,
        deps=service_deps(service, settings, tenants),
        clock=clock,
        gauges=getattr(module, "GAUGES", None),
    )
