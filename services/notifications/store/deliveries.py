"""SQL of the delivery log: deliveries queued, taken when due, marked sent or failed, held,
released, requeued, erased. Runs inside the caller's unit of work."""

from __future__ import annotations

import json
from datetime import datetime

from psycopg import sql

from knotenpunkt.shared.db import get_by_id, where


def enqueue(conn, values: dict) -> bool:
    """Add one delivery (column → value); False when this event already went to this recipient on this channel; raises nothing."""
    values = {**values, "attachments": json.dumps(list(values.get("attachments") or ()))}
    cols = list(values)
    stmt = sql.SQL(
        "insert into notifications ({}) values ({})"
        " on conflict (tenant, event_id, recipient, channel) do nothing returning id"
    ).format(
        sql.SQL(", ").join(map(sql.Identifier, cols)),
        sql.SQL(", ").join(sql.Placeholder() * len(cols)),
    )
    return conn.execute(stmt, [values[c] for c in cols]).fetchone() is not None


def due(conn, now: datetime, limit: int = 100, waiting: tuple[str, ...] = ()) -> list[dict]:
    """Queued and retrying deliveries due at `now`, oldest first, locked for this transaction;
    of those due at the same moment, the templates that wait for another (`waiting`) come last
    and the rest in the order they were queued; raises nothing."""
    return conn.execute(
        "select * from notifications where status in ('queued', 'retrying') and next_attempt_at <= %s"
        " order by next_attempt_at, template = any(%s), created_at, id limit %s"
        " for update skip locked",
        (now, list(waiting), limit),
    ).fetchall()


def still_due(conn, ids: list[str]) -> set[str]:
    """Of these deliveries, the ids of those still queued or retrying; raises nothing."""
    rows = conn.execute(
        "select id::text as id from notifications where id = any(%s::uuid[])"
        " and status in ('queued', 'retrying')",
        (ids,),
    ).fetchall()
    return {r["id"] for r in rows}


def mark_sent(conn, notification_id, now: datetime) -> None:
    """Note a delivery as sent at `now`; raises nothing."""
    conn.execute(
        "update notifications set status = 'sent', attempts = attempts + 1, sent_at = %s,"
        " last_error = null where id = %s",
        (now, notification_id),
    )


def mark_failed_attempt(conn, notification_id, status: str, error: str, retry_at: datetime) -> None:
    """Note a failed attempt with its error and the status and time of the next one; raises nothing."""
    conn.execute(
        "update notifications set status = %s, attempts = attempts + 1, last_error = %s,"
        " next_attempt_at = %s where id = %s",
        (status, error[:1000], retry_at, notification_id),
    )


def list_notifications(
    conn, status=None, channel=None, recipient=None, event_type=None, limit=200, offset=0
) -> list[dict]:
    """Deliveries, newest first, filtered by status, channel, recipient (any case) and event type, a page of `limit` from `offset`; raises nothing."""
    raw = (sql.SQL("lower(recipient) = lower(%s)"),) if recipient else ()
    clause, args = where(
        raw=raw, status=status or None, channel=channel or None, event_type=event_type or None
    )
    if recipient:
        args.insert(0, recipient)
    stmt = sql.SQL(
        "select * from notifications {} order by created_at desc, id limit %s offset %s"
    ).format(clause)
    return conn.execute(stmt, (*args, limit, offset)).fetchall()


def defer_due_emails(conn, now: datetime, until: datetime, error: str) -> int:
    """Move the next attempt of every e-mail due at `now` (not locked by another run) to
    `until` with the error, its attempts and status unchanged (the mail server is away);
    returns how many; raises nothing."""
    return conn.execute(
        "update notifications set next_attempt_at = %s, last_error = %s where id in ("
        " select id from notifications where channel = 'email'"
        " and status in ('queued', 'retrying') and next_attempt_at <= %s"
        " for update skip locked)",
        (until, error[:1000], now),
    ).rowcount


def pending_at(conn, about: str, template: str) -> datetime | None:
    """The earliest next attempt of a queued or retrying delivery of `template` about `about`, None when there is none; raises nothing."""
    row = conn.execute(
        "select min(next_attempt_at) as at from notifications"
        " where about = %s and template = %s and status in ('queued', 'retrying')",
        (about, template),
    ).fetchone()
    return row["at"] if row else None


def postpone(conn, notification_id, until: datetime) -> None:
    """Move a delivery's next attempt to `until` without counting an attempt; raises nothing."""
    conn.execute(
        "update notifications set next_attempt_at = %s where id = %s", (until, notification_id)
    )


def release(conn, about: str, templates: tuple[str, ...], now: datetime) -> int:
    """Make the queued deliveries of these templates about `about` that wait later due at `now`; returns how many; raises nothing."""
    return conn.execute(
        "update notifications set next_attempt_at = %s where about = %s and template = any(%s)"
        " and status = 'queued' and next_attempt_at > %s",
        (now, about, list(templates), now),
    ).rowcount


def count_by_channel_and_status(conn) -> list[dict]:
    """How many deliveries there are per channel and status (channel, status, n); raises nothing."""
    return conn.execute(
        "select channel, status, count(*)::int as n from notifications"
        " group by channel, status order by channel, status"
    ).fetchall()


def erase_deliveries(conn, email: str, note: str) -> int:
    """Delete the deliveries to this address (any case), blank every other one naming it (unsent ones suppressed, with `note`); returns how many rows; raises nothing."""
    deleted = conn.execute(
        "delete from notifications where lower(recipient) = lower(%s)", (email,)
    ).rowcount
    blanked = conn.execute(
        """
        update notifications
           set subject = case when strpos(lower(coalesce(subject, '')), lower(%(e)s)) > 0
                              then null else subject end,
               body = '', attachments = '[]',
               recipient_name = case when strpos(lower(coalesce(recipient_name, '')),
                                                 lower(%(e)s)) > 0
                                     then null else recipient_name end,
               status = case when status in ('queued', 'retrying') then 'suppressed'
                             else status end,
               last_error = case when status in ('queued', 'retrying') then %(note)s
                                 else last_error end
         where strpos(lower(coalesce(subject, '') || ' ' || coalesce(recipient_name, '') || ' '
                            || body || ' ' || attachments::text), lower(%(e)s)) > 0
        """,
        {"e": email, "note": note},
    ).rowcount
    return deleted + blanked


def get_notification(conn, notification_id) -> dict:
    """One delivery; raises NotFound."""
    return get_by_id(
        conn,
        "notifications",
        notification_id,
        f"Eine Benachrichtigung {notification_id} gibt es nicht.",
    )


def requeue(conn, notification_id, now: datetime) -> dict | None:
    """Queue a delivery again from `now`, its attempts reset; returns it, None when there is none; raises nothing."""
    return conn.execute(
        "update notifications set status = 'queued', attempts = 0, last_error = null,"
        " next_attempt_at = %s where id = %s returning *",
        (now, notification_id),
    ).fetchone()
