"""Events service: the Flask app factory."""

from __future__ import annotations

from knotenpunkt.shared.web import create_service_app


def create_app(settings=None, tenants=None, clock=None):
    """Build the events app (raises TenantConfigError when a tenant file is broken).

    clock: the use cases' clock (tests pass a fixed one); the real clock by default.
    """
    from knotenpunkt.services.events.api import blueprints

    return create_service_app(
        "events",
        blueprints(),
        settings=settings,
        tenants=tenants,
        title="Knotenpunkt Termine",
        clock=clock,
    )
