"""The membership service's dependencies, built once per process for its app and its worker."""

from __future__ import annotations

from knotenpunkt.services.membership import store
from knotenpunkt.shared import oparl
from knotenpunkt.shared.federation import FederationClient


def deps(settings, tenants) -> dict:
    """store: the SQL (``ctx.store``); federation: the client that pulls peers' shared
    directories, signing with the instance's key (FEDERATION_KEY_FILE); oparl_base_url: the
    base of the OParl ids."""
    return {
        "store": store,
        "federation": FederationClient(settings),
        "oparl_base_url": oparl.base_url(settings),
    }
