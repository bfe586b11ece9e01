"""SQL of the OParl read API: the bodies' public members, member counts, working groups, and
the removals of public members (by their OParl keys only), the registry of served objects."""

from __future__ import annotations

from knotenpunkt.shared import oparl_sql


def public_members(conn) -> list[dict]:
    """Body members whose e-mail address belongs to a contact marked public (one row per seat,
    with the contact's last change), by name; raises nothing."""
    return conn.execute(
        """
        select distinct on (m.body, m.person_id)
               m.body, m.person_id, m.name, m.role, m.added_at, c.updated_at as contact_updated_at
          from body_members m
          join contacts c on c.public and c.email is not null and lower(c.email) = lower(m.email)
         order by m.body, m.person_id, c.updated_at desc
        """
    ).fetchall()


def body_member_counts(conn) -> dict[str, int]:
    """How many members each body has (bodies without members are missing); raises nothing."""
    rows = conn.execute("select body, count(*) as n from body_members group by body").fetchall()
    return {r["body"]: r["n"] for r in rows}


def working_groups(conn) -> list[dict]:
    """Every working group with its number of members, oldest first; raises nothing."""
    return conn.execute(
        """
        select g.*, (select count(*) from working_group_members w
                      where w.working_group_id = g.id) as member_count
          from working_groups g order by g.created_at, g.id
        """
    ).fetchall()


def public_seat(conn, body: str, person_id: str) -> dict | None:
    """The seat of a body member whose e-mail address belongs to a contact marked public, or
    None (no such member, or not public); raises nothing."""
    return conn.execute(
        """
        select m.body, m.person_id from body_members m
         where m.body = %s and m.person_id = %s and exists (
               select 1 from contacts c
                where c.public and c.email is not null and lower(c.email) = lower(m.email))
        """,
        (body, person_id),
    ).fetchone()


def note_removal(conn, tenant: str, body: str, membership_key: str, person_key: str, at) -> None:
    """Remember that a seat was removed (again: the newer time)."""
    conn.execute(
        """
        insert into body_member_removals (tenant, body, membership_key, person_key, removed_at)
        values (%s, %s, %s, %s, %s)
        on conflict (tenant, membership_key) do update set removed_at = excluded.removed_at
        """,
        (tenant, body, membership_key, person_key, at),
    )


def removals(conn) -> list[dict]:
    """Every removed seat, oldest removal first; raises nothing."""
    return conn.execute(
        "select body, membership_key, person_key, removed_at from body_member_removals"
        " order by removed_at, membership_key"
    ).fetchall()


# the registry's SQL is the same in both OParl services
registry, keep = oparl_sql.registry, oparl_sql.keep
