"""The membership service's dependencies, built once per process by its composition root."""

from __future__ import annotations

from knotenpunkt.shared.federation import FederationClient


def deps(settings, tenants) -> dict:
    """federation: the client that pulls peers' shared directories, signing with the
    instance's key (FEDERATION_KEY_FILE)."""
    return {"federation": FederationClient(settings)}
