"""Membership service: the Flask app factory."""

from __future__ import annotations

from knotenpunkt.shared.web import create_service_app


def create_app(settings=None, tenants=None, clock=None):
    """Build the membership app (raises TenantConfigError when a tenant file is broken).

    Its dependencies come from ``bootstrap.deps``, as its worker's do; clock: where the
    handlers take the time from (tests pass their own; default: UTC now).
    """
    from knotenpunkt.services.membership.api import BLUEPRINTS
    from knotenpunkt.services.membership.api.oparl import OPARL_BLUEPRINTS
    from knotenpunkt.services.membership.bootstrap import deps

    return create_service_app(
        "membership",
        BLUEPRINTS + OPARL_BLUEPRINTS,
        settings=settings,
        tenants=tenants,
        title="Knotenpunkt Mitgliedschaft",
        deps=deps,
        clock=clock,
    )
