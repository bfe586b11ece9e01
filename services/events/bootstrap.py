"""The events service's dependencies, built once per process for its app and its worker."""

from __future__ import annotations

from knotenpunkt.services.events import store
from knotenpunkt.shared import oparl


def deps(settings, tenants) -> dict:
    """store: the SQL (``ctx.store``); oparl_base_url: the base of the OParl ids."""
    return {"store": store, "oparl_base_url": oparl.base_url(settings)}
