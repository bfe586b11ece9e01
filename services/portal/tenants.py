"""The networks the portal serves and their rules, as membership publishes them (GET rules)."""

from __future__ import annotations

import time

from flask import current_app

from .client import public

TTL = 60.0


def keys() -> list[str]:
    configured = current_app.config.get("TENANTS")
    if configured:
        return list(configured)
    cache = current_app.extensions.setdefault("portal_tenant_keys", {})
    if "keys" not in cache:
        from knotenpunkt.shared.tenants import TenantRegistry

        kp = current_app.config["KNOTENPUNKT_SETTINGS"]
        cache["keys"] = sorted(TenantRegistry.load(kp.tenants_dir).keys())
    return cache["keys"]


def network(key: str) -> dict | None:
    """The network's rules (name, contact point, membership, bodies, …), None if unknown."""
    if key not in keys():
        return None
    cache = current_app.extensions.setdefault("portal_rules", {})
    hit = cache.get(key)
    if hit and hit[0] > time.monotonic() - TTL:
        return hit[1]
    reply = public("membership", key, "rules")
    if reply.status == 404:
        return None
    rules = reply.data if reply.ok and isinstance(reply.data, dict) else None
    if rules is not None:
        cache[key] = (time.monotonic(), rules)
    return rules


def networks() -> list[dict]:
    out = []
    for key in keys():
        rules = network(key)
        if rules:
            out.append({"key": key, "name": rules.get("name", key)})
    return out


def body_rules(rules: dict, key: str) -> dict:
    return next((b for b in rules.get("bodies", []) if b.get("key") == key), {})
