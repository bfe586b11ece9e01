"""Membership service: the Flask app factory."""

from __future__ import annotations

from knotenpunkt.shared.web import create_service_app


def create_app(settings=None, tenants=None, clock=None):
    """Build the membership app (raises TenantConfigError when a tenant file is broken)."""
    from knotenpunkt.services.membership.api import BLUEPRINTS

    return create_service_app(
        "membership",
        BLUEPRINTS,
        settings=settings,
        tenants=tenants,
        title="Knotenpunkt Mitgliedschaft",
        clock=clock,
    )
