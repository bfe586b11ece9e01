"""Events service: the Flask app factory."""

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
    """Build the events app (raises TenantConfigError when a tenant file is broken).

    clock: the use cases' clock (tests pass a fixed one); the real clock by default.
    """
    from knotenpunkt.services.events.api import blueprints
    from knotenpunkt.services.events.api.oparl import OPARL_BLUEPRINTS

    return create_service_app(
        "events",
        blueprints() + OPARL_BLUEPRINTS,
        settings=settings,
        tenants=tenants,
        title="Knotenpunkt Termine",
        clock=clock,
        deps={"oparl_base_url": oparl_base_url(settings)},
    )
