"""SQL of a person's requests (DSGVO) and of retention in notifications. Runs inside the
caller's unit of work."""

from __future__ import annotations


def rows_of(conn, email: str | None, names: list[str]) -> dict[str, list[dict]]:
    """The person's recipient entries, preferences and the deliveries to them, per table."""
    e = email or ""
    return {
        "recipients": conn.execute(
            "select * from recipients where lower(email) = lower(%s)", (e,)
        ).fetchall(),
        "preferences": conn.execute(
            "select * from preferences where lower(email) = lower(%s)", (e,)
        ).fetchall(),
        "notifications": conn.execute(
            "select id, event_type, channel, recipient, recipient_name, template, language,"
            " category, subject, body, status, created_at, sent_at from notifications"
            " where lower(recipient) = lower(%s) order by created_at",
            (e,),
        ).fetchall(),
    }


def blank_deliveries_naming(conn, texts: list[str]) -> int:
    """Blank the content of deliveries to others that name one of the texts (a name); returns how
    many."""
    needles = [t.lower() for t in texts if t]
    if not needles:
        return 0
    return conn.execute(
        "update notifications set subject = null, body = '', attachments = '[]',"
        " recipient_name = null where exists (select 1 from unnest(%s::text[]) n"
        " where position(n in lower(coalesce(subject, '') || ' ' || coalesce(recipient_name, '')"
        " || ' ' || body || ' ' || attachments::text)) > 0)",
        (needles,),
    ).rowcount


def delete_old_deliveries(conn, before) -> int:
    """Delete the finished deliveries (sent, failed, suppressed) created before `before`; returns
    how many."""
    return conn.execute(
        "delete from notifications where status in ('sent', 'failed', 'suppressed')"
        " and created_at < %s",
        (before,),
    ).rowcount
