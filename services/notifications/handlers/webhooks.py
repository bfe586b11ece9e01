"""Use cases of the webhook subscriptions: list, subscribe (internal addresses only where the
network allows them), end."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from knotenpunkt.services.notifications.domain import webhooks as webhook_rules
from knotenpunkt.shared import net
from knotenpunkt.shared.errors import NotFound, RuleViolation
from knotenpunkt.shared.usecase import Context

# --- Commands -----------------------------------------------------------------


@dataclass(frozen=True)
class SubscribeWebhook:
    """Subscribe a URL to event types (a secret is made when none is given)."""

    url: str
    event_types: list[str] = field(default_factory=list)
    secret: str | None = None


@dataclass(frozen=True)
class DeleteWebhook:
    """End a webhook subscription."""

    webhook_id: str


# --- Reads --------------------------------------------------------------------


def list_webhooks(conn, ctx: Context) -> list[dict]:
    """The subscriptions, without their secrets; raises nothing."""
    return [
        {k: v for k, v in h.items() if k != "secret"}
        for h in ctx.store.webhooks.list_webhooks(conn)
    ]


# --- Writes -------------------------------------------------------------------


def subscribe_webhook(cmd: SubscribeWebhook, conn, ctx: Context) -> dict:
    """Add a webhook subscription, returned with its secret (shown this once); raises RuleViolation (url: internal address not in webhooks.allowed_internal_hosts, or no address)."""
    # Internal: loopback, link-local, private, unique-local and the numeric forms of them.
    try:
        net.resolve_checked(cmd.url, webhook_rules.allowed_hosts(ctx.tenant.rules))
    except net.UnsafeTarget as exc:
        raise RuleViolation(exc.reason, field="url") from exc
    secret = cmd.secret or secrets.token_urlsafe(32)
    return ctx.store.webhooks.create_webhook(
        conn, ctx.tenant.key, cmd.url, secret, list(cmd.event_types)
    )


def delete_webhook(cmd: DeleteWebhook, conn, ctx: Context) -> None:
    """End a webhook subscription; raises NotFound."""
    if not ctx.store.webhooks.delete_webhook(conn, cmd.webhook_id):
        raise NotFound(f"Ein Webhook {cmd.webhook_id} gibt es nicht.")
