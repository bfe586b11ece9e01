"""SQL of working groups, their founding proposals, members and working papers."""

from __future__ import annotations

import json

from knotenpunkt.shared.db import get_by_id, insert, update
from knotenpunkt.shared.errors import NotFound


def insert_proposal(conn, tenant: str, values: dict) -> dict:
    """Insert a founding proposal row."""
    return insert(conn, "working_group_proposals", {"tenant": tenant, **values})


def get_proposal(conn, proposal_id, lock: bool = False) -> dict:
    """The proposal (locked for update with lock); raises NotFound."""
    return get_by_id(
        conn,
        "working_group_proposals",
        proposal_id,
        f"Einen Vorschlag {proposal_id} gibt es nicht.",
        "update" if lock else None,
    )


def update_proposal(conn, proposal_id, values: dict) -> dict:
    """Set columns of a proposal."""
    return update(conn, "working_group_proposals", proposal_id, values)


def list_proposals(conn) -> list[dict]:
    """All proposals, newest first."""
    return conn.execute("select * from working_group_proposals order by created_at desc").fetchall()


def insert_working_group(conn, tenant: str, values: dict) -> dict:
    """Insert a working group row (goals as a list)."""
    values = {**values, "goals": json.dumps(values.get("goals") or [], default=str)}
    return insert(conn, "working_groups", {"tenant": tenant, **values})


def get_working_group(conn, group_id) -> dict:
    """The working group; raises NotFound."""
    return get_by_id(
        conn, "working_groups", group_id, f"Eine Arbeitsgruppe {group_id} gibt es nicht."
    )


def list_working_groups(conn) -> list[dict]:
    """All working groups, active first."""
    return conn.execute("select * from working_groups order by status, name").fetchall()


def group_members(conn, group_id) -> list[dict]:
    """The members of a working group, leaders first."""
    return conn.execute(
        "select * from working_group_members where working_group_id = %s"
        " order by role = 'leader' desc, name",
        (group_id,),
    ).fetchall()


def get_group_member(conn, group_id, person_id: str) -> dict | None:
    """One member of a working group, or None."""
    return conn.execute(
        "select * from working_group_members where working_group_id = %s and person_id = %s",
        (group_id, person_id),
    ).fetchone()


def upsert_group_member(conn, tenant: str, group_id, values: dict) -> dict:
    """Insert a working-group member or change their role and name."""
    return conn.execute(
        """
        insert into working_group_members (tenant, working_group_id, person_id, name, partner_id, role)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (tenant, working_group_id, person_id) do update set role = excluded.role, name = excluded.name
        returning *
        """,
        (
            tenant,
            group_id,
            values["person_id"],
            values["name"],
            values.get("partner_id"),
            values.get("role", "member"),
        ),
    ).fetchone()


def delete_group_member(conn, group_id, person_id: str) -> None:
    """Remove a member; raises NotFound when the person is not in the group."""
    row = conn.execute(
        "delete from working_group_members where working_group_id = %s and person_id = %s"
        " returning person_id",
        (group_id, person_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"{person_id} ist kein Mitglied dieser Arbeitsgruppe.")


def insert_paper(conn, tenant: str, group_id, content: dict, by: str) -> dict:
    """Store the next version of a group's working paper."""
    version = conn.execute(
        "select coalesce(max(version), 0) + 1 as v from working_papers where working_group_id = %s",
        (group_id,),
    ).fetchone()["v"]
    return insert(
        conn,
        "working_papers",
        {
            "tenant": tenant,
            "working_group_id": group_id,
            "version": version,
            "content": json.dumps(content, default=str),
            "changed_by": by,
        },
    )


def paper_versions(conn, group_id) -> list[dict]:
    """Every version of a group's working paper, oldest first."""
    return conn.execute(
        "select * from working_papers where working_group_id = %s order by version", (group_id,)
    ).fetchall()


def memberships_of(conn, person_ids: list[str]) -> list[dict]:
    """The working-group memberships of these person ids."""
    return conn.execute(
        "select working_group_id, person_id, name, role, joined_at from working_group_members"
        " where person_id = any(%s) order by joined_at",
        (person_ids,),
    ).fetchall()


def papers_by(conn, person_ids: list[str]) -> list[dict]:
    """The working-paper versions these person ids wrote."""
    return conn.execute(
        "select working_group_id, version, changed_at from working_papers"
        " where changed_by = any(%s) order by changed_at",
        (person_ids,),
    ).fetchall()


def proposals_by(conn, person_ids: list[str]) -> list[dict]:
    """The founding proposals these person ids made."""
    return conn.execute(
        "select id, topic, status, created_at from working_group_proposals"
        " where proposed_by = any(%s) order by created_at",
        (person_ids,),
    ).fetchall()


def rename_person(conn, person_ids: list[str], pseudonym: str) -> None:
    """Papers and proposals of these person ids carry the pseudonym instead."""
    conn.execute(
        "update working_papers set changed_by = %s where changed_by = any(%s)",
        (pseudonym, person_ids),
    )
    conn.execute(
        "update working_group_proposals set proposed_by = %s where proposed_by = any(%s)",
        (pseudonym, person_ids),
    )
