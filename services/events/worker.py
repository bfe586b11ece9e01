"""Events worker: copies of other services' data, introduction slots, cadence and consultation notices.

Each consumer turns its envelope into a command and calls the handler; each
job opens one unit of work per tenant and calls a handler.
"""

from __future__ import annotations

from knotenpunkt.services.events.handlers import (
    consultations,
    copies,
    introductions,
    planning,
    privacy,
)
from knotenpunkt.shared import worker
from knotenpunkt.shared.messaging import event_name


def _partner(data: dict) -> copies.KeepPartner:
    return copies.KeepPartner(
        id=data["id"],
        name=data["name"],
        email=data.get("email"),
        status=data.get("status", "active"),
    )


def on_partner(conn, env: dict, ctx) -> None:
    copies.keep_partner(_partner(env["data"]), conn, ctx)


def _announced(data: dict, conn, ctx) -> None:
    """An admission's outcome is announced: its decision may now be public (OParl)."""
    ballot = (data.get("decision") or {}).get("ballot_id")
    if ballot:
        copies.keep_membership_paper(
            copies.KeepMembershipPaper("announcement", ballot, {"ballot_id": ballot}), conn, ctx
        )


def on_application_rejected(conn, env: dict, ctx) -> None:
    _announced(env["data"], conn, ctx)


def on_partner_removed(conn, env: dict, ctx) -> None:
    copies.drop_partner(copies.DropPartner(env["data"]["id"]), conn, ctx)


def on_partner_admitted(conn, env: dict, ctx) -> None:
    """An admitted partner introduces itself at the next network event far enough ahead."""
    data = env["data"]
    _announced(data, conn, ctx)
    copies.keep_partner(_partner(data), conn, ctx)
    email = (data.get("contact") or {}).get("email") or data.get("email")
    introductions.schedule_introduction(
        introductions.ScheduleIntroduction(partner_id=data["id"], name=data["name"], email=email),
        conn,
        ctx,
    )


def on_member_added(conn, env: dict, ctx) -> None:
    d = env["data"]
    copies.keep_body_member(
        copies.KeepBodyMember(d["body"], d["person_id"], d["name"], d.get("email")), conn, ctx
    )


def on_member_removed(conn, env: dict, ctx) -> None:
    d = env["data"]
    copies.drop_body_member(copies.DropBodyMember(d["body"], d["person_id"]), conn, ctx)


def on_ballot_closed(conn, env: dict, ctx) -> None:
    copies.keep_ballot(copies.KeepBallotResult(env["data"]), conn, ctx)


def on_group_member_added(conn, env: dict, ctx) -> None:
    d = env["data"]
    copies.keep_group_member(
        copies.KeepGroupMember(
            d["working_group_id"], d["person_id"], d["name"], d.get("partner_id")
        ),
        conn,
        ctx,
    )


def on_group_member_removed(conn, env: dict, ctx) -> None:
    d = env["data"]
    copies.drop_group_member(
        copies.DropGroupMember(d["working_group_id"], d["person_id"]), conn, ctx
    )


def check_cadence(w, ctx) -> None:
    """Publish cadence.due once when a cadence rule becomes due or overdue."""
    with w.db.transaction(ctx.tenant.key) as conn:
        planning.announce_due_cadences(planning.AnnounceDueCadences(), conn, ctx)


def consultation_windows(w, ctx) -> None:
    """Tell the coordinators once when a consultation's window opens and once when it has closed."""
    with w.db.transaction(ctx.tenant.key) as conn:
        consultations.announce_consultation_windows(
            consultations.AnnounceConsultationWindows(), conn, ctx
        )


# A person's request (DSGVO): answered with what events holds or erased.
on_privacy_requested = worker.privacy_consumer(privacy)
# Daily: delete what the tenant's retention rules say is due, logged with counts.
privacy_retention = worker.retention_job(privacy)


def on_proposal(conn, env: dict, ctx) -> None:
    """A founding proposal submitted or decided: its copy for OParl (status: the event)."""
    d = env["data"]
    status = event_name(env).rsplit(".", 1)[-1]
    copies.keep_membership_paper(
        copies.KeepMembershipPaper("proposal", d["proposal_id"], {**d, "status": status}),
        conn,
        ctx,
    )


def on_working_paper_saved(conn, env: dict, ctx) -> None:
    d = env["data"]
    copies.keep_membership_paper(
        copies.KeepMembershipPaper("working_paper", d["working_group_id"], d), conn, ctx
    )


CONSUMERS = {
    "membership.privacy.requested": on_privacy_requested,
    "membership.working_group.member_added": on_group_member_added,
    "membership.working_group.member_removed": on_group_member_removed,
    "membership.partner.created": on_partner,
    "membership.partner.updated": on_partner,
    "membership.partner.admitted": on_partner_admitted,
    "membership.partner.removed": on_partner_removed,
    "membership.body.member_added": on_member_added,
    "membership.body.member_removed": on_member_removed,
    "voting.ballot.closed": on_ballot_closed,
    "membership.working_group_proposal.submitted": on_proposal,
    "membership.working_group_proposal.approved": on_proposal,
    "membership.working_group_proposal.declined": on_proposal,
    "membership.working_paper.saved": on_working_paper_saved,
    "membership.application.rejected": on_application_rejected,
}
JOBS = [
    worker.Job("cadence", 3600, check_cadence),
    worker.Job("consultation-windows", 300, consultation_windows),
    privacy_retention,
]
