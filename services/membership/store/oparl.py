"""SQL of the OParl read API: the bodies' public members, member counts, working groups."""

from __future__ import annotations


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
