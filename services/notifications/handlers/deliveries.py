"""Use cases of the deliveries: plan the e-mails and webhook calls an event causes, deliver
what is due (retries with backoff, messages that wait for another), resend, the delivery log.

Settings come from ``ctx.settings``, the renderer and the mailer from ``ctx.dep(...)``
(``bootstrap.deps``), the SQL from ``ctx.store``, the time from ``ctx.now``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from knotenpunkt.services.notifications import channels, render
from knotenpunkt.services.notifications.domain import deliveries as rules
from knotenpunkt.services.notifications.domain import webhooks as webhook_rules
from knotenpunkt.services.notifications.handlers import links
from knotenpunkt.shared.ical import ics
from knotenpunkt.shared.messaging import event_name
from knotenpunkt.shared.usecase import Context

log = logging.getLogger(__name__)

# --- Commands -----------------------------------------------------------------


@dataclass(frozen=True)
class Notify:
    """Plan the e-mails an event causes and the webhooks that want it; enqueue each once."""

    event: dict


@dataclass(frozen=True)
class Deliver:
    """Send what is due; failures retry with backoff and end as failed."""

    limit: int = 100


@dataclass(frozen=True)
class Resend:
    """Try a delivery again now, its attempts counted from zero."""

    notification_id: str


@dataclass(frozen=True)
class Delivered:
    """What a delivery run did: how many deliveries were due (taken) and how many went out."""

    due: int = 0
    sent: int = 0


# --- Reads --------------------------------------------------------------------


def list_notifications(conn, ctx: Context, **filters) -> list[dict]:
    """Deliveries with status, attempts and last error (filters: status, channel, recipient, event_type); raises nothing."""
    return ctx.store.deliveries.list_notifications(conn, **filters)


def still_due(conn, ctx: Context, *, ids: list[str]) -> set[str]:
    """Of these delivery ids (the tenant's), those still to be sent; raises nothing."""
    return ctx.store.deliveries.still_due(conn, ids) if ids else set()


def delivery_counts(conn, ctx) -> dict[tuple[tuple[str, str], ...], float]:
    """Deliveries by channel and status, as gauge labels → figure (the worker's gauge,
    worker.GAUGES); raises nothing."""
    return {
        (("channel", r["channel"]), ("status", r["status"])): float(r["n"])
        for r in ctx.store.deliveries.count_by_channel_and_status(conn)
    }


# --- Writes -------------------------------------------------------------------


def notify(cmd: Notify, conn, ctx: Context) -> int:
    """Enqueue the event's e-mails (suppressed where opted out) and webhook calls; returns how many are new; raises nothing."""
    env, tenant, renderer = cmd.event, ctx.tenant, ctx.dep("renderer")
    name, data = event_name(env), env["data"]
    members = ctx.store.copies.body_members(conn, data["body"]) if data.get("body") else []
    base = {"tenant": tenant.key, "event_id": env["id"], "event_type": env["type"]}
    added = 0
    for p in rules.plan(name, data, tenant.rules, members, ctx.now):
        # the mail's text links the portal's page (it asks first, in the reader's language);
        # the List-Unsubscribe header keeps the API's one-click address (see _send)
        unsub = None if p.mandatory else links.unsubscribe_page_url(ctx, p.recipient, p.category)
        language = ctx.store.preferences.language_of(conn, p.recipient, p.category) or p.language
        consent = ctx.store.copies.consented(conn, p.recipient)
        withdraw = links.withdrawal_url(ctx, p.recipient) if consent else None
        shown = links.with_links(ctx, p.template, data, p.recipient)
        subject, body = renderer.render(
            tenant.key,
            p.template,
            language,
            render.context(tenant.rules, shown, p.name, unsub, withdraw),
        )
        suppressed = not p.mandatory and ctx.store.preferences.opted_out(
            conn, p.recipient, p.category
        )
        not_before = p.not_before or ctx.now
        not_before = _waits_until(conn, ctx, p.template, p.about, not_before) or not_before
        added += ctx.store.deliveries.enqueue(
            conn,
            {
                **base,
                "channel": "email",
                "recipient": p.recipient,
                "recipient_name": p.name,
                "template": p.template,
                "language": language,
                "category": p.category,
                "mandatory": p.mandatory,
                "subject": subject,
                "body": body,
                "attachments": _attachments(p.template, data, ctx),
                "status": "suppressed" if suppressed else "queued",
                "next_attempt_at": not_before,
                "about": p.about,
            },
        )
    for hook in ctx.store.webhooks.webhooks_for(conn):
        if webhook_rules.webhook_wants(hook["event_types"], name):
            added += ctx.store.deliveries.enqueue(
                conn,
                {
                    **base,
                    "channel": "webhook",
                    "recipient": hook["url"],
                    "recipient_name": str(hook["id"]),
                    "template": "cloudevent",
                    "language": "json",
                    "category": "webhook",
                    "mandatory": True,
                    "subject": None,
                    "body": json.dumps(env, ensure_ascii=False, default=str),
                    "status": "queued",
                    "next_attempt_at": ctx.now,
                },
            )
    return added


def _attachments(template: str, data: dict, ctx: Context) -> list[dict]:
    """Invitations and cancellations carry the event as an .ics file, in the tenant's time zone."""
    method = rules.WITH_ICS.get(template)
    if not method:
        return []
    return [
        {
            "filename": "termin.ics",
            "content_type": "text/calendar",
            "content": ics([data], ctx.tenant.name, now=ctx.now, method=method, tz=ctx.tz),
        }
    ]


def deliver(cmd: Deliver, conn, ctx: Context) -> Delivered:
    """Send the deliveries due now with the context's mailer; returns how many were due and
    went out; raises nothing (failures are recorded).

    A failed attempt counts toward `failed` and backs off. A mail server that is away
    (channels.MailServerAway: nothing was sent) counts no attempt: every due e-mail waits a
    short while (domain.deliveries.away_wait) and the run goes on with the webhooks."""
    settings = ctx.settings
    mailer = ctx.dep("mailer")()
    sent, away = 0, False
    try:
        due = ctx.store.deliveries.due(conn, ctx.now, cmd.limit, tuple(rules.WAITS_FOR))
        for n in due:
            if (away and n["channel"] == "email") or _held(conn, ctx, n):
                continue
            try:
                _send(conn, ctx, mailer, n)
                ctx.store.deliveries.mark_sent(conn, n["id"], ctx.now)
                if n.get("about") and n["template"] in rules.RELEASES:
                    ctx.store.deliveries.release(
                        conn, n["about"], rules.RELEASES[n["template"]], ctx.now
                    )
                sent += 1
            except channels.MailServerAway as exc:
                away = True
                until = ctx.now + rules.away_wait(settings.notify_backoff_seconds)
                waiting = ctx.store.deliveries.defer_due_emails(
                    conn, ctx.now, until, f"Mailserver nicht erreichbar: {exc}"
                )
                log.warning(
                    "mail server away at delivery %s: %d due mails wait until %s (%s)",
                    n["id"],
                    waiting,
                    until.isoformat(),
                    rules.redact(str(exc), n["recipient"]),
                )
            except Exception as exc:
                attempts = n["attempts"] + 1
                status = rules.after_failure(attempts, settings.notify_max_attempts)
                retry_at = ctx.now + rules.backoff(attempts, settings.notify_backoff_seconds)
                # The notification's id, never the address (the error text is redacted too).
                log.warning(
                    "delivery %s (%s) failed (%s): %s",
                    n["id"],
                    n["channel"],
                    status,
                    rules.redact(f"{exc.__class__.__name__}: {exc}", n["recipient"]),
                )
                ctx.store.deliveries.mark_failed_attempt(
                    conn, n["id"], status, _recorded(n, exc), retry_at
                )
    finally:
        mailer.close()
    return Delivered(len(due), sent)


def _waits_until(
    conn, ctx: Context, template: str, about: str | None, at: datetime
) -> datetime | None:
    """Until when a message due `at` waits for the message it follows (Leitlinie 3: the
    introduction slot after the decision), None when it need not wait; raises nothing."""
    first = rules.WAITS_FOR.get(template)
    if not first or not about:
        return None
    return rules.held_until(ctx.store.deliveries.pending_at(conn, about, first), at)


def _held(conn, ctx: Context, n: dict) -> bool:
    """Whether a due delivery waits for another about the same thing (moved on to when that one is due); raises nothing."""
    until = _waits_until(conn, ctx, n["template"], n.get("about"), ctx.now)
    if until is None:
        return False
    ctx.store.deliveries.postpone(conn, n["id"], until)
    return True


def _recorded(n: dict, exc: Exception) -> str:
    """The delivery log's error: a webhook's generic text (details only in the process log),
    an e-mail's error as the SMTP server said it."""
    if n["channel"] == "webhook":
        return webhook_rules.webhook_error(getattr(exc, "status", None))
    return f"{exc.__class__.__name__}: {exc}"


def _send(conn, ctx: Context, mailer, n: dict) -> None:
    """Hand one delivery to its channel; raises whatever the channel raises."""
    if n["channel"] == "email":
        unsub = (
            None if n["mandatory"] else links.unsubscribe_url(ctx, n["recipient"], n["category"])
        )
        sender = ctx.tenant.sender(ctx.settings.mail_from)
        mailer.send(channels.build_email(n, sender, unsub, ctx.now, ctx.tenant.reply_to()))
        return
    secret = ctx.store.webhooks.webhook_secret(conn, n["recipient_name"])
    if secret is None:
        raise channels.WebhookFailed("webhook subscription was deleted")
    channels.post_webhook(
        n["recipient"],
        secret,
        json.loads(n["body"]),
        int(ctx.now.timestamp()),
        allowed_hosts=webhook_rules.allowed_hosts(ctx.tenant.rules),
    )


def resend(cmd: Resend, conn, ctx: Context) -> dict:
    """Queue the delivery again from now; returns it; raises NotFound."""
    ctx.store.deliveries.get_notification(conn, cmd.notification_id)
    return ctx.store.deliveries.requeue(conn, cmd.notification_id, ctx.now)
