"""The rules of webhooks: which subscription wants an event, the signature, the hosts on
internal addresses a network allows, what the delivery log says about a failed call."""

from __future__ import annotations

import hashlib
import hmac


def webhook_error(status: int | None) -> str:
    """What the delivery log says about a failed webhook call: the HTTP status at most, never
    the network's answer (that would make the log a port scanner; details go to the process
    log)."""
    if status is not None:
        return f"Zustellung fehlgeschlagen (HTTP {status})"
    return "Empfänger nicht erreichbar"


def allowed_hosts(tenant_rules: dict) -> frozenset[str]:
    """The hosts on internal addresses the network's webhooks may call (lower case)."""
    hosts = (tenant_rules.get("webhooks") or {}).get("allowed_internal_hosts") or []
    return frozenset(h.strip().rstrip(".").lower() for h in hosts if h.strip())


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex; sent as `t=<timestamp>,v1=<hex>`."""
    return hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()


def webhook_wants(event_types: list[str], name: str) -> bool:
    """A subscription matches an event name exactly, by a trailing wildcard, or with '*'."""
    for t in event_types:
        if t == "*" or t == name or (t.endswith(".*") and name.startswith(t[:-1])):
            return True
    return False
