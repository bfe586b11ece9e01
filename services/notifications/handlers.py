"""The notifications service's use cases, called by its routes and by its worker's consumers and jobs.

Each write takes a command and ``(cmd, conn, ctx)``; reads take ``(conn, ctx, **filters)``.
Settings come from ``ctx.settings``, the renderer and the mailer from
``ctx.dep(...)`` (``bootstrap.deps``), the time from ``ctx.now``.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from knotenpunkt.services.notifications import channels, copies, domain, render, store
from knotenpunkt.shared import net
from knotenpunkt.shared.errors import Forbidden, NotFound, RuleViolation
from knotenpunkt.shared.ical import ics
from knotenpunkt.shared.links import (
    CONFIRM_APPLICATION,
    REPLY_TO_INVITATION,
    invitation_subject,
    link_token,
)
from knotenpunkt.shared.messaging import add_event, event_name
from knotenpunkt.shared.usecase import Context

log = logging.getLogger(__name__)
SERVICE = "notifications"

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
class SetPreference:
    """Opt a person out of a category or back in; choose the language of its messages."""

    email: str
    category: str
    opted_out: bool = False
    language: str | None = None


@dataclass(frozen=True)
class Unsubscribe:
    """Opt out of a category with the link from an e-mail, without logging in (on POST only:
    GET shows what this would do, see `unsubscribe_preview`)."""

    email: str
    category: str
    token: str


@dataclass(frozen=True)
class WithdrawConsent:
    """Withdraw the consent with the link from an e-mail to a contact held on consent, without
    logging in (on POST only: GET shows what this would do, see `withdrawal_preview`)."""

    email: str
    token: str


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


CATEGORY_DE = {
    "applications": "Beitrittserklärungen",
    "decisions": "Entscheidungen",
    "ballots": "Abstimmungen",
    "coordination": "Koordinierung",
    "events": "Termine",
}

# --- Reads --------------------------------------------------------------------


def list_notifications(conn, ctx: Context, **filters) -> list[dict]:
    """Deliveries with status, attempts and last error (filters: status, channel, recipient, event_type); raises nothing."""
    return store.list_notifications(conn, **filters)


def list_webhooks(conn, ctx: Context) -> list[dict]:
    """The subscriptions, without their secrets; raises nothing."""
    return [{k: v for k, v in h.items() if k != "secret"} for h in store.list_webhooks(conn)]


def preferences(conn, ctx: Context, *, email: str) -> list[dict]:
    """A person's preferences by category; raises nothing."""
    return store.preferences_of(conn, email)


def unsubscribe_preview(
    conn, ctx: Context, *, email: str, category: str, token: str, action: str | None = None
) -> dict:
    """What the link's POST would do, changing nothing (mail scanners follow links), with its HTML page (a form posting to `action`); raises Forbidden (bad token)."""
    _check_link(ctx, email, category, token)
    detail = (
        f"Möchten Sie keine Nachrichten der Kategorie „{CATEGORY_DE[category]}“ mehr "
        "erhalten? Pflichtmitteilungen (z. B. Entscheidungen über Ihren Antrag) erhalten Sie "
        "weiterhin."
    )
    return _said(ctx, "Abmelden?", email, category, detail, action)


def withdrawal_preview(
    conn, ctx: Context, *, email: str, token: str, action: str | None = None
) -> dict:
    """What the withdrawal link's POST would do, changing nothing (mail scanners follow links),
    with its HTML page (a form posting to `action`); raises Forbidden (bad token)."""
    _check_withdrawal_link(ctx, email, token)
    detail = (
        "Möchten Sie Ihre Einwilligung in die Speicherung Ihrer Kontaktdaten widerrufen? Dann "
        "löschen wir Ihre Kontaktdaten und die Nachrichten an Sie; Sie erhalten keine "
        "Nachrichten mehr als Kontaktperson."
    )
    page = render.withdrawal_page(
        ctx.tenant.name, "Einwilligung widerrufen?", detail, email, action
    )
    return {"email": email, "detail": detail, "page": page}


def _said(ctx: Context, title: str, email: str, category: str, detail: str, action=None) -> dict:
    """What to tell the person who followed an unsubscribe link, as data and as its HTML page."""
    page = render.unsubscribe_page(ctx.tenant.name, title, detail, email, action)
    return {"email": email, "category": category, "detail": detail, "page": page}


def still_due(conn, ids: list[str]) -> set[str]:
    """Of these delivery ids (the tenant's), those still to be sent; raises nothing."""
    return store.still_due(conn, ids) if ids else set()


def delivery_counts(conn) -> dict[tuple[tuple[str, str], ...], float]:
    """Deliveries by channel and status, as gauge labels → figure; raises nothing."""
    return {
        (("channel", r["channel"]), ("status", r["status"])): float(r["n"])
        for r in store.count_by_channel_and_status(conn)
    }


# --- Writes -------------------------------------------------------------------


def notify(cmd: Notify, conn, ctx: Context) -> int:
    """Enqueue the event's e-mails (suppressed where opted out) and webhook calls; returns how many are new; raises nothing."""
    env, tenant, renderer = cmd.event, ctx.tenant, ctx.dep("renderer")
    name, data = event_name(env), env["data"]
    members = copies.body_members(conn, data["body"]) if data.get("body") else []
    base = {"tenant": tenant.key, "event_id": env["id"], "event_type": env["type"]}
    added = 0
    for p in domain.plan(name, data, tenant.rules, members, ctx.now):
        # the mail's text links the portal's page (it asks first, in the reader's language);
        # the List-Unsubscribe header keeps the API's one-click address (see _send)
        unsub = None if p.mandatory else _unsubscribe_page_url(ctx, p.recipient, p.category)
        language = store.language_of(conn, p.recipient, p.category) or p.language
        consent = copies.consented(conn, p.recipient)
        withdraw = _withdrawal_url(ctx, p.recipient) if consent else None
        shown = _with_links(ctx, p.template, data, p.recipient)
        subject, body = renderer.render(
            tenant.key,
            p.template,
            language,
            render.context(tenant.rules, shown, p.name, unsub, withdraw),
        )
        suppressed = not p.mandatory and store.opted_out(conn, p.recipient, p.category)
        not_before = p.not_before or ctx.now
        not_before = _waits_until(conn, p.template, p.about, not_before) or not_before
        added += store.enqueue(
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
    for hook in store.webhooks_for(conn):
        if domain.webhook_wants(hook["event_types"], name):
            added += store.enqueue(
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
    method = domain.WITH_ICS.get(template)
    if not method:
        return []
    return [
        {
            "filename": "termin.ics",
            "content_type": "text/calendar",
            "content": ics([data], ctx.tenant.name, now=ctx.now, method=method, tz=ctx.tz),
        }
    ]


def _with_links(ctx: Context, template: str, data: dict, recipient: str | None = None) -> dict:
    """The event's data as its template sees it: the confirmation mail gets its signed link,
    an invitation the signed reply link to the portal's page for this address (LINK_SECRET; the
    token is in no event, so webhooks and the broker never carry it); the minutes and the
    partner overview the portal's addresses of their documents."""
    documents = domain.document_links(template, data, ctx.settings.portal_url, ctx.tenant.key)
    if documents:
        return {**data, **documents}
    if template == domain.REPLY_TEMPLATE and recipient and data.get("id"):
        settings, tenant, event = ctx.settings, ctx.tenant.key, str(data["id"])
        subject = invitation_subject(event, recipient)
        token = link_token(settings.link_secret, REPLY_TO_INVITATION, tenant, subject)
        query = urlencode({"email": recipient, "token": token})
        return {**data, "reply_url": f"{settings.portal_url}/{tenant}/antwort/{event}?{query}"}
    if template != domain.CONFIRM_TEMPLATE:
        return data
    settings, tenant, application = ctx.settings, ctx.tenant.key, str(data["application_id"])
    token = link_token(settings.link_secret, CONFIRM_APPLICATION, tenant, application)
    query = urlencode({"token": token})
    url = f"{settings.public_url}/api/v1/{tenant}/applications/{application}/confirm?{query}"
    return {**data, "confirm_url": url}


def _unsubscribe_query(ctx: Context, email: str, category: str) -> str:
    token = domain.unsubscribe_token(ctx.settings.link_secret, ctx.tenant.key, email, category)
    return urlencode({"email": email, "category": category, "token": token})


def _unsubscribe_url(ctx: Context, email: str, category: str) -> str:
    """The API's unsubscribe address (List-Unsubscribe, one-click POST)."""
    query = _unsubscribe_query(ctx, email, category)
    return f"{ctx.settings.public_url}/api/v1/{ctx.tenant.key}/unsubscribe?{query}"


def _unsubscribe_page_url(ctx: Context, email: str, category: str) -> str:
    """The portal's unsubscribe page (the link in the mail's text)."""
    query = _unsubscribe_query(ctx, email, category)
    return f"{ctx.settings.portal_url}/{ctx.tenant.key}/abbestellen?{query}"


@dataclass(frozen=True)
class Delivered:
    """What a delivery run did: how many deliveries were due (taken) and how many went out."""

    due: int = 0
    sent: int = 0


def deliver(cmd: Deliver, conn, ctx: Context) -> Delivered:
    """Send the deliveries due now with the context's mailer; returns how many were due and
    went out; raises nothing (failures are recorded).

    A failed attempt counts toward `failed` and backs off. A mail server that is away
    (channels.MailServerAway: nothing was sent) counts no attempt: every due e-mail waits a
    short while (domain.away_wait) and the run goes on with the webhooks."""
    settings = ctx.settings
    mailer = ctx.dep("mailer")()
    sent, away = 0, False
    try:
        due = store.due(conn, ctx.now, cmd.limit, tuple(domain.WAITS_FOR))
        for n in due:
            if (away and n["channel"] == "email") or _held(conn, ctx, n):
                continue
            try:
                _send(conn, ctx, mailer, n)
                store.mark_sent(conn, n["id"], ctx.now)
                if n.get("about") and n["template"] in domain.RELEASES:
                    store.release(conn, n["about"], domain.RELEASES[n["template"]], ctx.now)
                sent += 1
            except channels.MailServerAway as exc:
                away = True
                until = ctx.now + domain.away_wait(settings.notify_backoff_seconds)
                waiting = store.defer_due_emails(
                    conn, ctx.now, until, f"Mailserver nicht erreichbar: {exc}"
                )
                log.warning(
                    "mail server away at delivery %s: %d due mails wait until %s (%s)",
                    n["id"],
                    waiting,
                    until.isoformat(),
                    domain.redact(str(exc), n["recipient"]),
                )
            except Exception as exc:
                attempts = n["attempts"] + 1
                status = domain.after_failure(attempts, settings.notify_max_attempts)
                retry_at = ctx.now + domain.backoff(attempts, settings.notify_backoff_seconds)
                # The notification's id, never the address (the error text is redacted too).
                log.warning(
                    "delivery %s (%s) failed (%s): %s",
                    n["id"],
                    n["channel"],
                    status,
                    domain.redact(f"{exc.__class__.__name__}: {exc}", n["recipient"]),
                )
                store.mark_failed_attempt(conn, n["id"], status, _recorded(n, exc), retry_at)
    finally:
        mailer.close()
    return Delivered(len(due), sent)


def _waits_until(conn, template: str, about: str | None, at: datetime) -> datetime | None:
    """Until when a message due `at` waits for the message it follows (Leitlinie 3: the
    introduction slot after the decision), None when it need not wait; raises nothing."""
    first = domain.WAITS_FOR.get(template)
    if not first or not about:
        return None
    return domain.held_until(store.pending_at(conn, about, first), at)


def _held(conn, ctx: Context, n: dict) -> bool:
    """Whether a due delivery waits for another about the same thing (moved on to when that one is due); raises nothing."""
    until = _waits_until(conn, n["template"], n.get("about"), ctx.now)
    if until is None:
        return False
    store.postpone(conn, n["id"], until)
    return True


def _recorded(n: dict, exc: Exception) -> str:
    """The delivery log's error: a webhook's generic text (details only in the process log),
    an e-mail's error as the SMTP server said it."""
    if n["channel"] == "webhook":
        return domain.webhook_error(getattr(exc, "status", None))
    return f"{exc.__class__.__name__}: {exc}"


def _send(conn, ctx: Context, mailer, n: dict) -> None:
    """Hand one delivery to its channel; raises whatever the channel raises."""
    if n["channel"] == "email":
        unsub = None if n["mandatory"] else _unsubscribe_url(ctx, n["recipient"], n["category"])
        sender = ctx.tenant.sender(ctx.settings.mail_from)
        mailer.send(channels.build_email(n, sender, unsub, ctx.now, ctx.tenant.reply_to()))
        return
    secret = store.webhook_secret(conn, n["recipient_name"])
    if secret is None:
        raise channels.WebhookFailed("webhook subscription was deleted")
    channels.post_webhook(
        n["recipient"],
        secret,
        json.loads(n["body"]),
        int(ctx.now.timestamp()),
        allowed_hosts=domain.allowed_hosts(ctx.tenant.rules),
    )


def resend(cmd: Resend, conn, ctx: Context) -> dict:
    """Queue the delivery again from now; returns it; raises NotFound."""
    store.get_notification(conn, cmd.notification_id)
    return store.requeue(conn, cmd.notification_id, ctx.now)


def set_preference(cmd: SetPreference, conn, ctx: Context) -> dict:
    """Store a person's preference for a category; returns it; raises nothing."""
    return store.set_preference(
        conn, ctx.tenant.key, cmd.email, cmd.category, cmd.opted_out, cmd.language, ctx.now
    )


def _check_link(ctx: Context, email: str, category: str, token: str) -> None:
    """Raises Forbidden unless the token is the link secret's for this tenant, address and category."""
    expected = domain.unsubscribe_token(ctx.settings.link_secret, ctx.tenant.key, email, category)
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise Forbidden("Der Abmeldelink ist ungültig.")


def unsubscribe(cmd: Unsubscribe, conn, ctx: Context) -> dict:
    """Opt out of the category with the link's token; returns what to tell the person (detail, HTML page); raises Forbidden (bad token)."""
    _check_link(ctx, cmd.email, cmd.category, cmd.token)
    store.set_preference(conn, ctx.tenant.key, cmd.email, cmd.category, True, None, ctx.now)
    detail = (
        f"Sie erhalten keine Nachrichten der Kategorie „{CATEGORY_DE[cmd.category]}“ mehr. "
        "Pflichtmitteilungen (z. B. Entscheidungen über Ihren Antrag) erhalten Sie weiterhin."
    )
    return _said(ctx, "Abgemeldet", cmd.email, cmd.category, detail)


def _check_withdrawal_link(ctx: Context, email: str, token: str) -> None:
    """Raises Forbidden unless the token is the link secret's for this tenant and address."""
    expected = domain.withdrawal_token(ctx.settings.link_secret, ctx.tenant.key, email)
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise Forbidden("Der Link zum Widerruf der Einwilligung ist ungültig.")


def withdraw_consent(cmd: WithdrawConsent, conn, ctx: Context) -> dict:
    """Withdraw the consent with the link's token: publishes notifications.consent.withdrawn
    (membership erases the contacts held on consent, then contact.erased erases the copies
    here); returns what to tell the person (detail, HTML page); raises Forbidden (bad token)."""
    _check_withdrawal_link(ctx, cmd.email, cmd.token)
    add_event(conn, SERVICE, ctx.tenant.key, "consent", "withdrawn", {"email": cmd.email})
    detail = (
        "Ihre Einwilligung ist widerrufen. Ihre Kontaktdaten und die Nachrichten an Sie werden "
        "gelöscht."
    )
    page = render.withdrawal_page(ctx.tenant.name, "Einwilligung widerrufen", detail, cmd.email)
    return {"email": cmd.email, "detail": detail, "page": page}


def _withdrawal_url(ctx: Context, email: str) -> str:
    """The portal's page to withdraw the consent (the link in the mail's text): it asks first,
    in the reader's language, and withdraws through this API's consent/withdraw."""
    settings, tenant = ctx.settings, ctx.tenant.key
    token = domain.withdrawal_token(settings.link_secret, tenant, email)
    query = urlencode({"email": email, "token": token})
    return f"{settings.portal_url}/{tenant}/einwilligung-widerrufen?{query}"


def subscribe_webhook(cmd: SubscribeWebhook, conn, ctx: Context) -> dict:
    """Add a webhook subscription, returned with its secret (shown this once); raises RuleViolation (url: internal address not in webhooks.allowed_internal_hosts, or no address)."""
    # Internal: loopback, link-local, private, unique-local and the numeric forms of them.
    try:
        net.resolve_checked(cmd.url, domain.allowed_hosts(ctx.tenant.rules))
    except net.UnsafeTarget as exc:
        raise RuleViolation(exc.reason, field="url") from exc
    secret = cmd.secret or secrets.token_urlsafe(32)
    return store.create_webhook(conn, ctx.tenant.key, cmd.url, secret, list(cmd.event_types))


def delete_webhook(cmd: DeleteWebhook, conn, ctx: Context) -> None:
    """End a webhook subscription; raises NotFound."""
    if not store.delete_webhook(conn, cmd.webhook_id):
        raise NotFound(f"Ein Webhook {cmd.webhook_id} gibt es nicht.")
