"""Events service: the Flask app factory."""

from __future__ import annotations

from knotenpunkt.shared.web import create_service_app


def create_app(settings=None, tenants=None, clock=None):
    """Build the events app (raises TenantConfigError when a tenant file is broken).

    Its dependencies come from ``bootstrap.deps``, as its worker's do; clock: where the
    handlers take the time from (tests pass their own; default: UTC now).
    """
    from knotenpunkt.services.events.api import blueprints
    from knotenpunkt.services.events.api.oparl import OPARL_BLUEPRINTS
    from knotenpunkt.services.events.bootstrap import deps

    return create_service_app(
        "events",
        blueprints() + OPARL_BLUEPRINTS,
        settings=settings,
        tenants=tenants,
        title="Knotenpunkt Termine",
        deps=deps,
        clock=clock,
    )
