"""Membership worker: decides applications and proposals when their ballots close; announces
admission outcomes after the voting period; publishes overviews; pulls the federation peers."""

from __future__ import annotations

import logging

from knotenpunkt.services.membership.handlers import peers, privacy, privacy_requests
from knotenpunkt.services.membership.handlers.admissions import (
    AnnounceDueDecisions,
    DecideApplication,
    announce_due_decisions,
    decide_application,
)
from knotenpunkt.services.membership.handlers.applications import (
    DeleteUnconfirmedApplications,
    delete_unconfirmed_applications,
)
from knotenpunkt.services.membership.handlers.directories import (
    PublishDueDirectory,
    publish_due_directory,
)
from knotenpunkt.services.membership.handlers.federation import (
    PurgeTombstones,
    SyncPeer,
    due_peers,
    purge_tombstones,
    sync_peer,
)
from knotenpunkt.services.membership.handlers.privacy import WithdrawConsent, withdraw_consent
from knotenpunkt.services.membership.handlers.privacy_requests import (
    RecordPrivacyAnswer,
    record_privacy_answer,
)
from knotenpunkt.services.membership.handlers.working_groups import DecideFounding, decide_founding
from knotenpunkt.shared import worker
from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.messaging import PermanentError
from knotenpunkt.shared.privacy import SERVICES

log = logging.getLogger(__name__)


def on_ballot_closed(conn, env: dict, ctx) -> None:
    """An admission or founding ballot closed: admit or reject, found or decline."""
    data = env["data"]
    subject = data.get("subject") or {}
    kind, subject_id = subject.get("kind"), subject.get("id")
    if kind == "admission":
        cmd = DecideApplication(
            application_id=subject_id,
            outcome=data["outcome"],
            ballot_id=data.get("ballot_id"),
            tally=data.get("tally"),
            dissent=data.get("dissent") or [],
            closed_at=data.get("closed_at"),
            deadline=data.get("deadline"),
            body=data.get("body"),
            opened_by=data.get("opened_by"),
            origin=data.get("origin"),
        )
        try:
            decide_application(cmd, conn, ctx)
        except NotFound as exc:
            raise PermanentError(f"ballot.closed for unknown application {subject_id}") from exc
    elif kind == "working_group_founding":
        cmd = DecideFounding(
            proposal_id=subject_id, outcome=data["outcome"], ballot_id=data.get("ballot_id")
        )
        decide_founding(cmd, conn, ctx)


def publish_due_overviews(w, ctx) -> None:
    """Publish the partner overview where the network's interval has passed (Chemnitz: 6 months)."""
    with w.db.transaction(ctx.tenant.key) as conn:
        publish_due_directory(PublishDueDirectory(), conn, ctx)


def announce_decisions(w, ctx) -> None:
    """Tell the admission outcomes whose voting period has ended (Chemnitz, Leitlinie 3)."""
    with w.db.transaction(ctx.tenant.key) as conn:
        announce_due_decisions(AnnounceDueDecisions(), conn, ctx)


def delete_unconfirmed(w, ctx) -> None:
    """Delete applications whose address was not confirmed within membership.unconfirmed_days."""
    with w.db.transaction(ctx.tenant.key) as conn:
        deleted = delete_unconfirmed_applications(DeleteUnconfirmedApplications(), conn, ctx)
    if deleted:
        log.info("%s: %d unconfirmed applications deleted", ctx.tenant.key, deleted)


def sync_federation(w, ctx) -> None:
    """Pull every active peer whose interval (FEDERATION_SYNC_SECONDS) has passed, each in a
    unit of work of its own (a peer that is down is recorded and the others go on)."""
    with w.db.transaction(ctx.tenant.key) as conn:
        due = due_peers(conn, ctx)
    for peer_id in due:
        try:
            with w.db.transaction(ctx.tenant.key) as conn:
                sync_peer(SyncPeer(peer_id), conn, ctx)
        except Exception:
            log.exception("federation sync of peer %s failed for %s", peer_id, ctx.tenant.key)


def purge_federation_tombstones(w, ctx) -> None:
    """Drop the tombstones of the shared directory that no peer can still need (daily)."""
    with w.db.transaction(ctx.tenant.key) as conn:
        purged = purge_tombstones(PurgeTombstones(), conn, ctx)
    if purged:
        log.info("%s: %d federation tombstones purged", ctx.tenant.key, purged)


def on_privacy_answered(conn, env: dict, ctx) -> None:
    """A service answered a person's request: keep its answer with the request."""
    d = env["data"]
    try:
        record_privacy_answer(RecordPrivacyAnswer(d["request_id"], d["service"], d), conn, ctx)
    except NotFound as exc:
        raise PermanentError(f"privacy.answered for unknown request {d['request_id']}") from exc


def on_consent_withdrawn(conn, env: dict, ctx) -> None:
    """A person withdrew their consent with the link of a mail: erase the contacts held on it."""
    withdraw_consent(WithdrawConsent(env["data"]["email"]), conn, ctx)


# Membership answers a privacy request as every service does (shared.worker); unlike the others
# it also collects the answers (on_privacy_answered). Its retention rules: privacy_requests.
on_privacy_requested = worker.privacy_consumer(privacy)
RETENTION = worker.retention_job(privacy_requests)
privacy_retention = RETENTION.fn  # the job's step for one tenant: fn(worker, ctx)


CONSUMERS = {
    "voting.ballot.closed": on_ballot_closed,
    "membership.privacy.requested": on_privacy_requested,
    "notifications.consent.withdrawn": on_consent_withdrawn,
    **{f"{s}.privacy.answered": on_privacy_answered for s in SERVICES},
}
JOBS = [
    worker.Job("directory-publication", 3600, publish_due_overviews),
    worker.Job("announce-decisions", 60, announce_decisions),
    RETENTION,
    worker.Job("unconfirmed-applications", 3600, delete_unconfirmed),
    # looks every minute which peers are due; the interval itself is the setting
    worker.Job("federation-sync", 60, sync_federation),
    worker.Job("federation-tombstones", 86400, purge_federation_tombstones),
]
# The worker's own gauges (its /metrics), each read per tenant in that tenant's unit of work.
GAUGES = {
    "knotenpunkt_federation_peer_unsynced_seconds": (
        "Seconds since a federation peer was last synced (since it was registered, when never)",
        peers.unsynced_seconds,
    ),
}
