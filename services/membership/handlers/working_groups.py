"""Use cases of working groups: founding proposals and their decision, members, the working paper."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from knotenpunkt.services.membership.domain import working_groups as domain
from knotenpunkt.services.membership.domain.partners import sees_members
from knotenpunkt.services.membership.handlers.partners import AddBodyMember, add_body_member
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.usecase import Context, add_months, emit, plain

MEMBER_EVENT_FIELDS = ("working_group_id", "person_id", "name", "partner_id", "role")


@dataclass(frozen=True)
class ProposeWorkingGroup:
    topic: str
    aims: str
    caller: Principal
    planned_months: int | None = None


@dataclass(frozen=True)
class DecideProposal:
    """The Koordinierungsstelle decides a founding (where the network lets it)."""

    proposal_id: UUID
    approved: bool
    note: str | None = None


@dataclass(frozen=True)
class DecideFounding:
    """The founding body's ballot closed: found the group or decline."""

    proposal_id: UUID
    outcome: str
    ballot_id: str | None = None


@dataclass(frozen=True)
class CreateWorkingGroup:
    name: str
    topic: str | None = None
    goals: list = field(default_factory=list)
    ends_on: date | None = None
    proposal_id: UUID | None = None


@dataclass(frozen=True)
class JoinWorkingGroup:
    """Join (oneself, by the network's rules) or add someone (Koordinierungsstelle)."""

    group_id: UUID
    caller: Principal
    person_id: str | None = None
    name: str | None = None
    partner_id: UUID | None = None
    role: str = "member"


@dataclass(frozen=True)
class LeaveWorkingGroup:
    group_id: UUID
    person_id: str
    caller: Principal


@dataclass(frozen=True)
class SaveWorkingPaper:
    group_id: UUID
    content: dict
    caller: Principal


# --- Proposals --------------------------------------------------------------------


def list_proposals(conn, ctx: Context) -> list[dict]:
    """All founding proposals, newest first."""
    return ctx.store.working_groups.list_proposals(conn)


def propose_working_group(cmd: ProposeWorkingGroup, conn, ctx: Context) -> dict:
    """Propose a group (Anlage 5): founded at once, put to a body's ballot or to the coordinator.

    Raises Forbidden (the rules do not let the caller propose).
    """
    domain.ensure_may_propose(ctx.rules, cmd.caller)
    route = domain.proposal_route(ctx.rules)
    row = ctx.store.working_groups.insert_proposal(
        conn,
        ctx.tenant.key,
        {
            "topic": cmd.topic,
            "aims": cmd.aims,
            "planned_months": cmd.planned_months,
            "proposed_by": cmd.caller.person,
            "partner_id": cmd.caller.partner_id,
            "status": domain.PROPOSAL_STATUS[route],
        },
    )
    if route == "anyone":
        return _decide(conn, ctx, row, True, "open network")
    extra = {}
    if route == "body":
        extra = {
            "body": ctx.rules["working_groups"]["founding_body"],
            "subject": {"kind": "working_group_founding", "id": str(row["id"])},
            "title": f"Gründung AG {row['topic']}",
        }
    emit(
        conn,
        ctx,
        "working_group_proposal",
        "submitted",
        {
            "proposal_id": row["id"],
            "topic": row["topic"],
            "aims": row["aims"],
            "decided_by": route,
            **extra,
        },
        str(row["id"]),
    )
    return row


def decide_proposal(cmd: DecideProposal, conn, ctx: Context) -> dict:
    """The Koordinierungsstelle approves or declines a proposal.

    Raises Conflict (a body decides here; decided already), NotFound.
    """
    domain.ensure_coordinator_decides(ctx.rules)
    proposal = ctx.store.working_groups.get_proposal(conn, cmd.proposal_id, lock=True)
    domain.ensure_undecided(proposal)
    return _decide(conn, ctx, proposal, cmd.approved, ctx.actor, cmd.note)


def decide_founding(cmd: DecideFounding, conn, ctx: Context) -> dict:
    """Apply a founding ballot's result to a proposal in vote (once only); raises NotFound."""
    proposal = ctx.store.working_groups.get_proposal(conn, cmd.proposal_id, lock=True)
    if proposal["status"] != "in_vote":
        return proposal
    return _decide(conn, ctx, proposal, cmd.outcome == "adopted", f"ballot {cmd.ballot_id}")


def _decide(conn, ctx: Context, proposal: dict, approved: bool, by: str, note=None) -> dict:
    """Approve (founding the group, proposer as leader) or decline."""
    group_id = None
    if approved:
        months = proposal["planned_months"]
        group = create_working_group(
            CreateWorkingGroup(
                name=f"AG {proposal['topic']}",
                topic=proposal["topic"],
                goals=[{"text": proposal["aims"]}],
                ends_on=add_months(ctx.now, months).date() if months else None,
                proposal_id=proposal["id"],
            ),
            conn,
            ctx,
        )
        group_id = group["id"]
        _add_member(
            conn,
            ctx,
            group_id,
            {
                "person_id": proposal["proposed_by"],
                "name": proposal["proposed_by"],
                "partner_id": proposal["partner_id"],
                "role": "leader",
            },
        )
    verdict = "approved" if approved else "declined"
    row = ctx.store.working_groups.update_proposal(
        conn,
        proposal["id"],
        {
            "status": verdict,
            "decided_by": by,
            "decision_note": note,
            "working_group_id": group_id,
            "decided_at": ctx.now,
        },
    )
    emit(
        conn,
        ctx,
        "working_group_proposal",
        verdict,
        {
            "proposal_id": row["id"],
            "topic": row["topic"],
            "working_group_id": group_id,
            "note": note,
        },
        str(row["id"]),
    )
    return row


# --- Groups and members ---------------------------------------------------------------


def list_working_groups(conn, ctx: Context) -> list[dict]:
    """The network's working groups, active first."""
    return ctx.store.working_groups.list_working_groups(conn)


def get_working_group(conn, ctx: Context, *, group_id, caller: Principal) -> dict:
    """A working group; signed-in callers see its members. Raises NotFound."""
    row = dict(ctx.store.working_groups.get_working_group(conn, group_id))
    row["members"] = (
        ctx.store.working_groups.group_members(conn, group_id) if sees_members(caller) else []
    )
    return row


def create_working_group(cmd: CreateWorkingGroup, conn, ctx: Context) -> dict:
    """Found a working group (with its members, none yet) and announce it."""
    values = {
        "name": cmd.name,
        "topic": cmd.topic,
        "goals": plain(cmd.goals),
        "ends_on": cmd.ends_on,
        "proposal_id": cmd.proposal_id,
    }
    row = ctx.store.working_groups.insert_working_group(conn, ctx.tenant.key, values)
    emit(
        conn,
        ctx,
        "working_group",
        "founded",
        {"working_group_id": row["id"], "name": row["name"]},
        str(row["id"]),
    )
    return {**row, "members": ctx.store.working_groups.group_members(conn, row["id"])}


def join_working_group(cmd: JoinWorkingGroup, conn, ctx: Context) -> dict:
    """Join a group or add someone; leaders also join the body the network names.

    Raises Forbidden (rules), RuleViolation (no name), NotFound (group).
    """
    person = domain.joining_member(
        cmd.caller,
        {
            "person_id": cmd.person_id,
            "name": cmd.name,
            "partner_id": cmd.partner_id,
            "role": cmd.role,
        },
        ctx.rules,
    )
    return _add_member(
        conn, ctx, cmd.group_id, person, ctx.rules["working_groups"].get("leaders_join_body")
    )


def add_group_member(conn, ctx: Context, group_id, person: dict) -> dict:
    """The Koordinierungsstelle adds a named person (person_id, name, partner_id, role), as
    join_working_group does for it; leaders also join the body the network names."""
    return _add_member(
        conn, ctx, group_id, person, ctx.rules["working_groups"].get("leaders_join_body")
    )


def _add_member(conn, ctx: Context, group_id, person: dict, leaders_join_body=None) -> dict:
    ctx.store.working_groups.get_working_group(conn, group_id)
    row = ctx.store.working_groups.upsert_group_member(conn, ctx.tenant.key, group_id, person)
    emit(
        conn,
        ctx,
        "working_group",
        "member_added",
        {k: row[k] for k in MEMBER_EVENT_FIELDS},
        f"{group_id}/{row['person_id']}",
    )
    if row["role"] == "leader" and leaders_join_body:
        # The seeds: the working-group leaders form (among others) the Vorbereitungsgremium.
        add_body_member(
            AddBodyMember(
                body=leaders_join_body,
                person_id=row["person_id"],
                name=row["name"],
                partner_id=row["partner_id"],
            ),
            conn,
            ctx,
        )
    return row


def leave_working_group(cmd: LeaveWorkingGroup, conn, ctx: Context) -> None:
    """Leave a group (oneself) or remove someone (Koordinierungsstelle).

    Raises Forbidden (someone else), NotFound (not a member).
    """
    domain.ensure_may_remove(cmd.caller, cmd.person_id)
    remove_group_member(conn, ctx, cmd.group_id, cmd.person_id)


def remove_group_member(conn, ctx: Context, group_id, person_id: str) -> None:
    """Take a person out of a group and announce it; raises NotFound (not a member)."""
    ctx.store.working_groups.delete_group_member(conn, group_id, person_id)
    emit(
        conn,
        ctx,
        "working_group",
        "member_removed",
        {"working_group_id": str(group_id), "person_id": person_id},
        f"{group_id}/{person_id}",
    )


# --- Working paper ----------------------------------------------------------------------


def get_paper(conn, ctx: Context, *, group_id, caller: Principal) -> dict:
    """The group's current working paper with its number of versions; raises NotFound."""
    ctx.store.working_groups.get_working_group(conn, group_id)
    versions = ctx.store.working_groups.paper_versions(conn, group_id)
    if not versions:
        raise NotFound("Für diese Arbeitsgruppe gibt es noch kein Arbeitspapier.")
    return domain.paper_for(caller, {**versions[-1], "versions": len(versions)})


def paper_version(conn, ctx: Context, *, group_id, version: int, caller: Principal) -> dict:
    """An earlier version of the working paper; raises NotFound."""
    versions = ctx.store.working_groups.paper_versions(conn, group_id)
    match = [v for v in versions if v["version"] == version]
    if not match:
        raise NotFound(f"Eine Fassung {version} dieses Arbeitspapiers gibt es nicht.")
    return domain.paper_for(caller, {**match[0], "versions": len(versions)})


def save_working_paper(cmd: SaveWorkingPaper, conn, ctx: Context) -> dict:
    """Store a new version of the working paper (Anlage 6).

    Raises Forbidden (neither leader nor Koordinierungsstelle), NotFound (group).
    """
    domain.ensure_may_edit_paper(
        cmd.caller, ctx.store.working_groups.group_members(conn, cmd.group_id)
    )
    group = ctx.store.working_groups.get_working_group(conn, cmd.group_id)
    row = ctx.store.working_groups.insert_paper(
        conn, ctx.tenant.key, cmd.group_id, plain(cmd.content), cmd.caller.person
    )
    # the paper is public (OParl: a Paper of events); who changed it is not
    emit(
        conn,
        ctx,
        "working_paper",
        "saved",
        {
            "working_group_id": group["id"],
            "name": group["name"],
            "version": row["version"],
            "content": row["content"],
            "changed_at": row["changed_at"],
        },
        str(group["id"]),
    )
    return {**row, "versions": row["version"]}
