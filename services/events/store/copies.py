"""SQL of the events service's copies of other services' data, kept from their events.

- partners (membership.partner.*): to invite all partners and reach a working group's partners;
- bodies' members (membership.body.member_*): to invite a body, and who may answer a time poll;
- working groups' members (membership.working_group.member_*): to invite a working group;
- ballot results (voting.ballot.closed): the decisions written into minutes.
"""

from __future__ import annotations

import json


def upsert_partner(conn, tenant: str, partner: dict, now) -> None:
    """Insert or update a partner's copy (id, name, email, status); raises nothing."""
    conn.execute(
        """
        insert into partner_copies (tenant, partner_id, name, email, status, updated_at)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (tenant, partner_id) do update
           set name = excluded.name, email = excluded.email, status = excluded.status,
               updated_at = excluded.updated_at
        """,
        (tenant, partner["id"], partner["name"], partner.get("email"), partner["status"], now),
    )


def delete_partner(conn, partner_id) -> None:
    """Delete a partner's copy (nothing when there is none); raises nothing."""
    conn.execute("delete from partner_copies where partner_id = %s", (partner_id,))


def active_partners(conn) -> list[dict]:
    """The active partners (partner_id, name, email), by name; raises nothing."""
    return conn.execute(
        "select partner_id, name, email from partner_copies where status = 'active' order by name"
    ).fetchall()


def upsert_body_member(conn, tenant: str, member: dict) -> None:
    """Insert or update a body member's copy (body, person_id, name, email); raises nothing."""
    conn.execute(
        "insert into body_member_copies (tenant, body, person_id, name, email) values (%s, %s, %s, %s, %s)"
        " on conflict (tenant, body, person_id) do update set name = excluded.name, email = excluded.email",
        (tenant, member["body"], member["person_id"], member["name"], member.get("email")),
    )


def remove_body_member(conn, body: str, person_id: str) -> None:
    """Delete a body member's copy (nothing when there is none); raises nothing."""
    conn.execute(
        "delete from body_member_copies where body = %s and person_id = %s", (body, person_id)
    )


def body_members(conn, body: str) -> list[dict]:
    """A body's members (person_id, name, email), by name; raises nothing."""
    return conn.execute(
        "select person_id, name, email from body_member_copies where body = %s order by name",
        (body,),
    ).fetchall()


def is_body_member(conn, body: str, person_id: str) -> bool:
    """Whether the person is a member of the body; raises nothing."""
    return (
        conn.execute(
            "select 1 from body_member_copies where body = %s and person_id = %s",
            (body, person_id),
        ).fetchone()
        is not None
    )


def upsert_group_member(conn, tenant: str, member: dict) -> None:
    """Insert or update a working-group member's copy (working_group_id, person_id, name, partner_id); raises nothing."""
    conn.execute(
        "insert into group_member_copies (tenant, working_group_id, person_id, name, partner_id) values (%s, %s, %s, %s, %s)"
        " on conflict (tenant, working_group_id, person_id) do update set name = excluded.name, partner_id = excluded.partner_id",
        (
            tenant,
            str(member["working_group_id"]),
            member["person_id"],
            member["name"],
            member.get("partner_id"),
        ),
    )


def remove_group_member(conn, working_group_id, person_id: str) -> None:
    """Delete a working-group member's copy (nothing when there is none); raises nothing."""
    conn.execute(
        "delete from group_member_copies where working_group_id = %s and person_id = %s",
        (str(working_group_id), person_id),
    )


def group_members(conn, group_id) -> list[dict]:
    """A working group's members (person_id, name, email of their partner where known), by name; raises nothing."""
    return conn.execute(
        """
        select g.person_id, g.name, p.email from group_member_copies g
          left join partner_copies p on p.partner_id::text = g.partner_id
         where g.working_group_id = %s order by g.name
        """,
        (str(group_id),),
    ).fetchall()


def keep_ballot_result(conn, tenant: str, data: dict) -> None:
    """Insert or replace a closed ballot's result (the data of voting.ballot.closed); raises nothing."""
    conn.execute(
        "insert into ballot_results (tenant, ballot_id, data) values (%s, %s, %s)"
        " on conflict (tenant, ballot_id) do update set data = excluded.data",
        (tenant, str(data["ballot_id"]), json.dumps(data)),
    )


def ballot_result(conn, ballot_id) -> dict | None:
    """A closed ballot's result, or None when none arrived (yet); raises nothing."""
    row = conn.execute(
        "select data from ballot_results where ballot_id = %s", (str(ballot_id),)
    ).fetchone()
    return None if row is None else row["data"]
