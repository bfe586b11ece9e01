"""SQL of the webhook subscriptions. Runs inside the caller's unit of work."""

from __future__ import annotations

from knotenpunkt.shared.db import insert


def webhooks_for(conn) -> list[dict]:
    """The active webhook subscriptions; raises nothing."""
    return conn.execute("select * from webhooks where active").fetchall()


def webhook_secret(conn, webhook_id) -> str | None:
    """The signing secret of a subscription, None when it was deleted; raises nothing."""
    row = conn.execute("select secret from webhooks where id = %s", (webhook_id,)).fetchone()
    return row["secret"] if row else None


def create_webhook(conn, tenant: str, url: str, secret: str, event_types: list[str]) -> dict:
    """Add a subscription; returns it; raises nothing."""
    return insert(
        conn,
        "webhooks",
        {"tenant": tenant, "url": url, "secret": secret, "event_types": event_types},
    )


def list_webhooks(conn) -> list[dict]:
    """Every subscription, oldest first; raises nothing."""
    return conn.execute("select * from webhooks order by created_at").fetchall()


def delete_webhook(conn, webhook_id) -> bool:
    """Delete a subscription; False when there is none; raises nothing."""
    return (
        conn.execute("delete from webhooks where id = %s returning id", (webhook_id,)).fetchone()
        is not None
    )
