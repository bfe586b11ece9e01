"""Membership service: the Flask app factory."""

from __future__ import annotations

import os

from knotenpunkt.shared.web import create_service_app


def oparl_base_url(settings) -> str:
    """The base of the OParl ids: OPARL_BASE_URL, else PUBLIC_URL where set (the gateway's public
    address), else empty: each request's own origin (behind the gateway, its host)."""
    extra = settings.extra if settings is not None else {}
    return (
        extra.get("oparl_base_url")
        or os.environ.get("OPARL_BASE_URL")
        or os.environ.get("PUBLIC_URL")
        or ""
    )


def create_app(settings=None, tenants=None, clock=None):
    """Build the membership app (raises TenantConfigError when a tenant file is broken)."""
    from knotenpunkt.services.membership.api import BLUEPRINTS
    from knotenpunkt.services.membership.api.oparl import OPARL_BLUEPRINTS

    return create_service_app(
        "membership",
        BLUEPRINTS + OPARL_BLUEPRINTS,
        settings=settings,
        tenants=tenants,
        title="Knotenpunkt Mitgliedschaft",
        clock=clock,
        deps={"oparl_base_url": oparl_base_url(settings)},
    )
