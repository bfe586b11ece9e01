"""Notifications service: the Flask app factory."""

from __future__ import annotations

from knotenpunkt.shared.web import create_service_app


def create_app(settings=None, tenants=None, clock=None):
    """Build the notifications app (raises TenantConfigError when a tenant file is broken).

    Its dependencies come from ``bootstrap.deps``, as its worker's do; clock: where the
    handlers take the time from (tests pass their own; default: UTC now).
    """
    from knotenpunkt.services.notifications.api import BLUEPRINTS
    from knotenpunkt.services.notifications.bootstrap import deps

    return create_service_app(
        "notifications",
        BLUEPRINTS,
        settings=settings,
        tenants=tenants,
        title="Knotenpunkt Benachrichtigungen",
        deps=deps,
        clock=clock,
    )
