"""Notifications worker: turns events into deliveries, delivers them with retries, keeps its recipients."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from services.notifications import channels, domain, render, store
from shared import worker

log = logging.getLogger(__name__)


def unsubscribe_url(settings, tenant: str, email: str, category: str) -> str:
    token = domain.unsubscribe_token(settings.jwt_secret, tenant, email, category)
    query = urlencode({"email": email, "category": category, "token": token})
    return f"{settings.public_url}/api/v1/{tenant}/unsubscribe?{query}"


def on_member_added(conn, env: dict, ctx) -> None:
    d = env["data"]
    store.upsert_recipient(
        conn, env["tenant"], "body_member", d["body"], d["person_id"], d["name"], d.get("email")
    )


def on_member_removed(conn, env: dict, ctx) -> None:
    d = env["data"]
    store.remove_recipient(conn, "body_member", d["body"], d["person_id"])


def on_partner(conn, env: dict, ctx) -> None:
    d = env["data"]
    store.upsert_recipient(
        conn, env["tenant"], "partner", "partners", d["id"], d["name"], d.get("email")
    )


def on_contact_erased(conn, env: dict, ctx) -> None:
    """Membership erased a person: erase every copy of them here too."""
    if env["data"].get("email"):
        store.erase_email(conn, env["data"]["email"])


def notify(conn, env: dict, ctx) -> None:
    """Plan the e-mails an event causes and the webhooks that want it; enqueue each once."""
    settings, tenant, renderer = ctx.settings, ctx.tenant, ctx.dep("renderer")
    name = env["type"].removeprefix("de.knotenpunkt.")
    data = env["data"]
    members = store.body_members(conn, data["body"]) if data.get("body") else []
    for p in domain.plan(name, data, tenant.rules, members, store.now()):
        unsub = (
            None if p.mandatory else unsubscribe_url(settings, tenant.key, p.recipient, p.category)
        )
        language = store.language_of(conn, p.recipient, p.category) or p.language
        subject, body = renderer.render(
            tenant.key, p.template, language, render.context(tenant.rules, data, p.name, unsub)
        )
        suppressed = not p.mandatory and store.opted_out(conn, p.recipient, p.category)
        attachments = _attachments(p.template, data, tenant)
        store.enqueue(
            conn,
            tenant.key,
            env,
            channel="email",
            recipient=p.recipient,
            name=p.name,
            template=p.template,
            language=language,
            category=p.category,
            mandatory=p.mandatory,
            subject=subject,
            body=body,
            attachments=attachments,
            not_before=p.not_before,
            status="suppressed" if suppressed else "queued",
        )
    for hook in store.webhooks_for(conn):
        if domain.webhook_wants(hook["event_types"], name):
            store.enqueue(
                conn,
                tenant.key,
                env,
                channel="webhook",
                recipient=hook["url"],
                name=str(hook["id"]),
                template="cloudevent",
                language="json",
                category="webhook",
                mandatory=True,
                subject=None,
                body=_json(env),
            )


def _attachments(template: str, data: dict, tenant) -> list[dict]:
    """Invitations and cancellations carry the event as an .ics file."""
    method = domain.WITH_ICS.get(template)
    if not method:
        return []
    from shared.ical import ics

    return [
        {
            "filename": "termin.ics",
            "content_type": "text/calendar",
            "content": ics([data], tenant.name, method=method),
        }
    ]


def _json(env: dict) -> str:
    import json

    return json.dumps(env, ensure_ascii=False, default=str)


def with_copy(copy_handler):
    """A handler that keeps the service's copy and then notifies."""

    def handler(conn, env, ctx):
        copy_handler(conn, env, ctx)
        notify(conn, env, ctx)

    return handler


def deliver(w, ctx) -> None:
    """Send what is due for this tenant; failures retry with backoff and end as failed."""
    tenant = ctx.tenant
    import json

    mailer = channels.mailer_for(w.settings)
    try:
        with w.db.transaction(tenant.key) as conn:
            for n in store.due(conn):
                try:
                    if n["channel"] == "email":
                        unsub = (
                            None
                            if n["mandatory"]
                            else unsubscribe_url(
                                w.settings, tenant.key, n["recipient"], n["category"]
                            )
                        )
                        mailer.send(channels.build_email(n, w.settings.mail_from, unsub))
                    else:
                        hook = conn.execute(
                            "select secret from webhooks where id = %s", (n["recipient_name"],)
                        ).fetchone()
                        if hook is None:
                            raise RuntimeError("webhook subscription was deleted")
                        channels.post_webhook(n["recipient"], hook["secret"], json.loads(n["body"]))
                    store.mark_sent(conn, n["id"])
                except Exception as exc:
                    attempts = n["attempts"] + 1
                    status = domain.after_failure(attempts, w.settings.notify_max_attempts)
                    retry_at = store.now() + domain.backoff(
                        attempts, w.settings.notify_backoff_seconds
                    )
                    log.warning(
                        "delivery %s to %s failed (%s): %s", n["id"], n["recipient"], status, exc
                    )
                    store.mark_failed_attempt(
                        conn, n["id"], status, f"{exc.__class__.__name__}: {exc}", retry_at
                    )
    finally:
        mailer.close()


NOTIFY_ONLY = [
    "events.event.changed",
    "events.consultation.opened",
    "events.consultation.closed",
    "events.introduction.scheduled",
    "events.event.invited",
    "events.event.cancelled",
    "events.agenda.published",
    "events.minutes.published",
    "events.cadence.due",
    "events.topic_submission.submitted",
    "membership.application.submitted",
    "membership.application.returned",
    "membership.application.rejected",
    "membership.application.checked",
    "membership.working_group_proposal.submitted",
    "membership.directory.published",
    "voting.ballot.opened",
    "voting.ballot.reminder_due",
    "voting.ballot.closed",
    "voting.ballot.cancelled",
]
HANDLERS = {
    "membership.contact.erased": on_contact_erased,
    "membership.body.member_added": on_member_added,
    "membership.body.member_removed": on_member_removed,
    "membership.partner.created": with_copy(on_partner),
    "membership.partner.updated": on_partner,
    "membership.partner.admitted": with_copy(on_partner),
    **{name: notify for name in NOTIFY_ONLY},
}
JOBS = [worker.Job("deliver", 1, deliver)]
