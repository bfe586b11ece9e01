"""Notifications worker: turns events into deliveries, delivers them with retries, keeps its recipients.

Consumers turn an event into a command and call the handler a route would;
the delivery job opens a unit of work and calls its handler. No SQL here.
"""

from __future__ import annotations

from knotenpunkt.services.notifications import copies, handlers
from knotenpunkt.shared import worker


def on_member_added(conn, env: dict, ctx) -> None:
    d = env["data"]
    copies.add_body_member(
        copies.AddBodyMember(d["body"], d["person_id"], d["name"], d.get("email")), conn, ctx
    )


def on_member_removed(conn, env: dict, ctx) -> None:
    d = env["data"]
    copies.remove_body_member(copies.RemoveBodyMember(d["body"], d["person_id"]), conn, ctx)


def on_partner(conn, env: dict, ctx) -> None:
    d = env["data"]
    copies.keep_partner(copies.KeepPartner(d["id"], d["name"], d.get("email")), conn, ctx)


def on_contact_erased(conn, env: dict, ctx) -> None:
    """Membership erased a person: erase every copy of them here too."""
    copies.erase_contact(copies.EraseContact(env["data"].get("email")), conn, ctx)


def notify(conn, env: dict, ctx) -> None:
    """Plan the e-mails an event causes and the webhooks that want it; enqueue each once."""
    handlers.notify(handlers.Notify(env), conn, ctx)


def with_copy(copy_handler):
    """A consumer that keeps the service's copy and then notifies."""

    def consume(conn, env, ctx):
        copy_handler(conn, env, ctx)
        notify(conn, env, ctx)

    return consume


def deliver(w, ctx) -> None:
    """Send what is due for this tenant; failures retry with backoff and end as failed."""
    with w.db.transaction(ctx.tenant.key) as conn:
        handlers.deliver(handlers.Deliver(), conn, ctx)


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
# The worker's own gauges (its /metrics), each read per tenant inside that tenant's unit of work.
GAUGES = {
    "knotenpunkt_deliveries": ("Notifications by channel and status", handlers.delivery_counts),
}
