"""SQL of the notifications service. Every function runs inside the caller's unit of work."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from shared.db import get_by_id
from shared.errors import NotFound


def upsert_recipient(conn, tenant: str, kind: str, scope: str, ref: str, name: str, email) -> None:
    conn.execute(
        """
        insert into recipients (tenant, kind, scope, ref, name, email)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (tenant, kind, scope, ref) do update
           set name = excluded.name, email = excluded.email, updated_at = now()
        """,
        (tenant, kind, scope, ref, name, email),
    )


def remove_recipient(conn, kind: str, scope: str, ref: str) -> None:
    conn.execute(
        "delete from recipients where kind = %s and scope = %s and ref = %s", (kind, scope, ref)
    )


def erase_email(conn, email: str) -> int:
    """Delete every recipient entry with this e-mail address; returns how many."""
    return conn.execute("delete from recipients where lower(email) = lower(%s)", (email,)).rowcount


# --- Delivery log -----------------------------------------------------------------


def body_members(conn, body: str) -> list[dict]:
    return conn.execute(
        "select ref, name, email from recipients where kind = 'body_member' and scope = %s order by name",
        (body,),
    ).fetchall()


def opted_out(conn, email: str, category: str) -> bool:
    row = conn.execute(
        "select opted_out from preferences where lower(email) = lower(%s) and category = %s",
        (email, category),
    ).fetchone()
    return bool(row and row["opted_out"])


def enqueue(
    conn,
    tenant: str,
    env: dict,
    *,
    channel: str,
    recipient: str,
    name,
    template: str,
    language: str,
    category: str,
    mandatory: bool,
    subject,
    body: str,
    attachments=(),
    not_before=None,
    status="queued",
) -> bool:
    """Add one delivery; False when this event already went to this recipient on this channel."""
    row = conn.execute(
        """
        insert into notifications (tenant, event_id, event_type, channel, recipient, recipient_name, template,
                                   language, category, mandatory, subject, body, attachments, status, next_attempt_at)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, coalesce(%s, now()))
        on conflict (tenant, event_id, recipient, channel) do nothing
        returning id
        """,
        (
            tenant,
            env["id"],
            env["type"],
            channel,
            recipient,
            name,
            template,
            language,
            category,
            mandatory,
            subject,
            body,
            json.dumps(list(attachments)),
            status,
            not_before,
        ),
    ).fetchone()
    return row is not None


def due(conn, limit: int = 100) -> list[dict]:
    return conn.execute(
        "select * from notifications where status in ('queued', 'retrying') and next_attempt_at <= now()"
        " order by next_attempt_at limit %s for update skip locked",
        (limit,),
    ).fetchall()


def mark_sent(conn, notification_id) -> None:
    conn.execute(
        "update notifications set status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = null"
        " where id = %s",
        (notification_id,),
    )


def mark_failed_attempt(conn, notification_id, status: str, error: str, retry_at: datetime) -> None:
    conn.execute(
        "update notifications set status = %s, attempts = attempts + 1, last_error = %s, next_attempt_at = %s"
        " where id = %s",
        (status, error[:1000], retry_at, notification_id),
    )


def list_notifications(
    conn, status=None, channel=None, recipient=None, event_type=None, limit=200
) -> list[dict]:
    where, args = [], []
    for col, val in (("status", status), ("channel", channel), ("event_type", event_type)):
        if val:
            where.append(f"{col} = %s")
            args.append(val)
    if recipient:
        where.append("lower(recipient) = lower(%s)")
        args.append(recipient)
    clause = ("where " + " and ".join(where)) if where else ""
    return conn.execute(
        f"select * from notifications {clause} order by created_at desc limit %s", (*args, limit)
    ).fetchall()


def get_notification(conn, notification_id) -> dict:
    return get_by_id(
        conn,
        "notifications",
        notification_id,
        f"Eine Benachrichtigung {notification_id} gibt es nicht.",
    )


def resend(conn, notification_id) -> dict:
    get_notification(conn, notification_id)
    return conn.execute(
        "update notifications set status = 'queued', attempts = 0, last_error = null, next_attempt_at = now()"
        " where id = %s returning *",
        (notification_id,),
    ).fetchone()


def webhooks_for(conn) -> list[dict]:
    return conn.execute("select * from webhooks where active").fetchall()


def create_webhook(conn, tenant: str, url: str, secret: str, event_types: list[str]) -> dict:
    return conn.execute(
        "insert into webhooks (tenant, url, secret, event_types) values (%s, %s, %s, %s) returning *",
        (tenant, url, secret, event_types),
    ).fetchone()


def list_webhooks(conn) -> list[dict]:
    return conn.execute("select * from webhooks order by created_at").fetchall()


def delete_webhook(conn, webhook_id) -> None:
    if (
        conn.execute("delete from webhooks where id = %s returning id", (webhook_id,)).fetchone()
        is None
    ):
        raise NotFound(f"Ein Webhook {webhook_id} gibt es nicht.")


def set_preference(
    conn, tenant: str, email: str, category: str, opted_out_: bool, language=None
) -> dict:
    return conn.execute(
        """
        insert into preferences (tenant, email, category, opted_out, language) values (%s, lower(%s), %s, %s, %s)
        on conflict (tenant, email, category) do update
           set opted_out = excluded.opted_out, language = coalesce(excluded.language, preferences.language),
               updated_at = now()
        returning *
        """,
        (tenant, email, category, opted_out_, language),
    ).fetchone()


def language_of(conn, email: str, category: str) -> str | None:
    row = conn.execute(
        "select language from preferences where email = lower(%s) and category = %s",
        (email, category),
    ).fetchone()
    return row["language"] if row else None


def preferences_of(conn, email: str) -> list[dict]:
    return conn.execute(
        "select * from preferences where email = lower(%s) order by category", (email,)
    ).fetchall()


def now() -> datetime:
    return datetime.now(UTC)
