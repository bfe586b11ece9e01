"""Notifications worker: turns events into deliveries, delivers them with retries, keeps its recipients.

Consumers turn an event into a command and call the handler a route would;
the delivery job opens a unit of work and calls its handler. No SQL here.
"""

from __future__ import annotations

import dataclasses

from knotenpunkt.services.notifications import handlers
from knotenpunkt.services.notifications.handlers import privacy
from knotenpunkt.shared import worker


def on_member_added(conn, env: dict, ctx) -> None:
    d = env["data"]
    handlers.add_body_member(
        handlers.AddBodyMember(d["body"], d["person_id"], d["name"], d.get("email")), conn, ctx
    )


def on_member_removed(conn, env: dict, ctx) -> None:
    d = env["data"]
    handlers.remove_body_member(handlers.RemoveBodyMember(d["body"], d["person_id"]), conn, ctx)


def on_contact_erased(conn, env: dict, ctx) -> None:
    """Membership erased a person: erase every copy of them here too."""
    handlers.erase_contact(handlers.EraseContact(env["data"].get("email")), conn, ctx)


def on_contact_saved(conn, env: dict, ctx) -> None:
    """A contact was created or changed: keep its address while it is held on consent (its
    mails carry a withdrawal link)."""
    d = env["data"]
    handlers.keep_contact(
        handlers.KeepContact(d["id"], d.get("email"), d["legal_basis"]), conn, ctx
    )


def on_partner_created(conn, env: dict, ctx) -> None:
    """A new partner: keep the copy, then plan the mails and webhooks the event causes."""
    _keep_partner(conn, env, ctx)
    on_event(conn, env, ctx)


def on_partner_updated(conn, env: dict, ctx) -> None:
    """A changed partner: keep the copy (no message)."""
    _keep_partner(conn, env, ctx)


def on_partner_removed(conn, env: dict, ctx) -> None:
    """A partner removed (an import undone): no recipient any more."""
    handlers.drop_partner(handlers.DropPartner(env["data"]["id"]), conn, ctx)


def on_partner_admitted(conn, env: dict, ctx) -> None:
    """An admitted partner: keep the copy, then plan the mails and webhooks the event causes."""
    _keep_partner(conn, env, ctx)
    on_event(conn, env, ctx)


def on_event(conn, env: dict, ctx) -> None:
    """An event of NOTIFYING: plan the e-mails it causes and the webhooks that want it; enqueue each once."""
    handlers.notify(handlers.Notify(env), conn, ctx)


def _keep_partner(conn, env: dict, ctx) -> None:
    d = env["data"]
    handlers.keep_partner(handlers.KeepPartner(d["id"], d["name"], d.get("email")), conn, ctx)


# Message-IDs of mails the SMTP server accepted whose "sent" was not committed (the database
# went away in between), each with its tenant: the next run records them as sent instead of
# sending them again. Kept in this process only: a worker killed in that moment sends the mail
# once more. A tenant's run ends by dropping those whose row is no longer queued or retrying
# (erased, resent or given up by hand meanwhile), so that the set does not grow.
ACCEPTED_UNRECORDED: dict[str, str] = {}


def _delivery_id(message_id: str) -> str:
    return message_id.strip("<>").split("@")[0]


def _forget_settled(w, ctx) -> None:
    """Drop the tenant's remembered Message-IDs whose delivery is no longer due."""
    mine = [m for m, tenant in ACCEPTED_UNRECORDED.items() if tenant == ctx.tenant.key]
    if not mine:
        return
    with w.db.transaction(ctx.tenant.key) as conn:
        due = handlers.still_due(conn, ctx, ids=[_delivery_id(m) for m in mine])
    for m in mine:
        if _delivery_id(m) not in due:
            ACCEPTED_UNRECORDED.pop(m, None)


class _RunMailer:
    """The run's one mailer (one SMTP connection), lent to each unit of work; closed by the run.

    Remembers what the server accepted in the current unit of work; a mail it accepted
    before (ACCEPTED_UNRECORDED) is not sent again, only recorded.
    """

    def __init__(self, mailer):
        self.mailer = mailer
        self.accepted: list[str] = []
        self.recorded: list[str] = []

    def send(self, message) -> None:
        message_id = message["Message-ID"]
        if message_id in ACCEPTED_UNRECORDED:
            self.recorded.append(message_id)
            return
        self.mailer.send(message)
        self.accepted.append(message_id)

    def close(self) -> None:
        """The run closes the mailer when it ends."""


def deliver(w, ctx) -> None:
    """Send what is due for this tenant; failures retry with backoff and end as failed.

    Each delivery is a unit of work of its own (sent, then marked sent, committed): when the
    database goes away mid-run, no batch of mails goes out again, and the one in flight is
    remembered and only recorded once the database is back. A run ends when nothing more is
    due (what failed, waits or was held is due again only later); the next run, a second
    later, goes on. While the mail server is away, the first mail tried puts every due mail
    off for a few seconds, so a run tries the server once.
    """
    run = _RunMailer(ctx.dep("mailer")())
    lent = dataclasses.replace(ctx, deps={**ctx.deps, "mailer": lambda: run})
    try:
        for _ in range(handlers.Deliver.limit):
            try:
                with w.db.transaction(ctx.tenant.key) as conn:
                    done = handlers.deliver(handlers.Deliver(limit=1), conn, lent)
            except Exception:
                ACCEPTED_UNRECORDED.update(dict.fromkeys(run.accepted, ctx.tenant.key))
                raise
            for message_id in run.recorded:
                ACCEPTED_UNRECORDED.pop(message_id, None)
            run.accepted.clear()
            run.recorded.clear()
            if not done.due:
                break
    finally:
        run.mailer.close()
    _forget_settled(w, ctx)


# The events that only cause messages (e-mails, webhooks).
NOTIFYING = [
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
    "membership.application.confirmation_requested",
    "membership.application.returned",
    "membership.application.rejected",
    "membership.application.checked",
    "membership.working_group_proposal.submitted",
    "membership.directory.published",
    "membership.federation.peer_stale",
    "membership.federation.peer_back",
    "membership.accessibility_feedback.submitted",
    "voting.ballot.opened",
    "voting.ballot.reminder_due",
    "voting.ballot.closed",
    "voting.ballot.cancelled",
]

# A person's request (DSGVO): answer with what notifications holds or erased.
on_privacy_requested = worker.privacy_consumer(privacy)
# Daily: delete what the tenant's retention rules say is due, logged with counts.
privacy_retention = worker.retention_job(privacy)

CONSUMERS = {
    "membership.privacy.requested": on_privacy_requested,
    "membership.contact.erased": on_contact_erased,
    "membership.contact.created": on_contact_saved,
    "membership.contact.updated": on_contact_saved,
    "membership.body.member_added": on_member_added,
    "membership.body.member_removed": on_member_removed,
    "membership.partner.created": on_partner_created,
    "membership.partner.updated": on_partner_updated,
    "membership.partner.admitted": on_partner_admitted,
    "membership.partner.removed": on_partner_removed,
    **{name: on_event for name in NOTIFYING},
}
JOBS = [
    worker.Job("deliver", 1, deliver),
    privacy_retention,
]


# The worker's own gauges (its /metrics), each read per tenant inside that tenant's unit of work.
GAUGES = {
    "knotenpunkt_deliveries": (
        "Notifications by channel and status",
        handlers.delivery_counts,
    ),
}
