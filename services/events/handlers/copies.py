"""Use cases of the events service's copies of other services' data, kept from their events.

- partners (membership.partner.*): to invite all partners and reach a working group's partners;
- bodies' members (membership.body.member_*): to invite a body, and who may answer a time poll;
- working groups' members (membership.working_group.member_*): to invite a working group;
- ballot results (voting.ballot.closed): the decisions written into minutes.

The worker's consumers call these; the SQL is ``store/copies.py`` (``ctx.store.copies``).
"""

from __future__ import annotations

from dataclasses import dataclass

from knotenpunkt.shared.usecase import Context


@dataclass(frozen=True)
class KeepPartner:
    id: str
    name: str
    email: str | None = None
    status: str = "active"


@dataclass(frozen=True)
class DropPartner:
    """A partner was removed (an import undone): its copy goes."""

    id: str


@dataclass(frozen=True)
class KeepBodyMember:
    body: str
    person_id: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class DropBodyMember:
    body: str
    person_id: str


@dataclass(frozen=True)
class KeepGroupMember:
    working_group_id: str
    person_id: str
    name: str
    partner_id: str | None = None


@dataclass(frozen=True)
class DropGroupMember:
    working_group_id: str
    person_id: str


@dataclass(frozen=True)
class KeepBallotResult:
    data: dict


@dataclass(frozen=True)
class KeepMembershipPaper:
    """A founding proposal (kind 'proposal', key: its id), a working paper (kind
    'working_paper', key: the group's id) as membership's events carry it, or the
    announcement of an admission's outcome (kind 'announcement', key: its ballot)."""

    kind: str
    key: str
    data: dict


def keep_partner(cmd: KeepPartner, conn, ctx: Context) -> None:
    """Keep a partner's copy up to date; raises nothing."""
    ctx.store.copies.upsert_partner(
        conn,
        ctx.tenant.key,
        {"id": cmd.id, "name": cmd.name, "email": cmd.email, "status": cmd.status},
        ctx.now,
    )


def drop_partner(cmd: DropPartner, conn, ctx: Context) -> None:
    """Forget a removed partner's copy; raises nothing."""
    ctx.store.copies.delete_partner(conn, cmd.id)


def keep_body_member(cmd: KeepBodyMember, conn, ctx: Context) -> None:
    """Keep a body member's copy up to date; raises nothing."""
    ctx.store.copies.upsert_body_member(conn, ctx.tenant.key, vars(cmd))


def drop_body_member(cmd: DropBodyMember, conn, ctx: Context) -> None:
    """Forget a body member's copy; raises nothing."""
    ctx.store.copies.remove_body_member(conn, cmd.body, cmd.person_id)


def keep_group_member(cmd: KeepGroupMember, conn, ctx: Context) -> None:
    """Keep a working-group member's copy up to date; raises nothing."""
    ctx.store.copies.upsert_group_member(conn, ctx.tenant.key, vars(cmd))


def drop_group_member(cmd: DropGroupMember, conn, ctx: Context) -> None:
    """Forget a working-group member's copy; raises nothing."""
    ctx.store.copies.remove_group_member(conn, cmd.working_group_id, cmd.person_id)


def keep_ballot(cmd: KeepBallotResult, conn, ctx: Context) -> None:
    """Keep a closed ballot's result for the minutes; raises nothing."""
    ctx.store.copies.keep_ballot_result(conn, ctx.tenant.key, cmd.data)


def keep_membership_paper(cmd: KeepMembershipPaper, conn, ctx: Context) -> None:
    """Keep the copy of a membership paper for OParl (never who proposed or changed it);
    raises nothing."""
    data = {k: v for k, v in cmd.data.items() if k not in ("proposed_by", "changed_by")}
    ctx.store.oparl.keep_paper(conn, ctx.tenant.key, cmd.kind, str(cmd.key), data, ctx.now)
