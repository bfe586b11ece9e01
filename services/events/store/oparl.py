"""SQL of the OParl read API: the events the public may see (and those withdrawn from it),
their agendas and minutes, the copies of membership's papers, the registry of served objects."""

from __future__ import annotations

import json

from knotenpunkt.shared import oparl_sql


def visible_events(conn) -> list[dict]:
    """Public events and events withdrawn from the public, by start, each with its minutes'
    status, decisions, attendees, notes and times (None without minutes); raises nothing."""
    return conn.execute(
        """
        select e.*, m.status as minutes_status, m.attendees, m.notes, m.decisions,
               m.published_at as minutes_published_at, m.updated_at as minutes_updated_at,
               m.taken_by, m.approved_at
          from events e left join minutes m on m.event_id = e.id
         where e.public or e.withdrawn_at is not null
         order by e.starts_at, e.id
        """
    ).fetchall()


def public_agenda_items(conn) -> list[dict]:
    """The agenda items of every public event, by event and position; raises nothing."""
    return conn.execute(
        """
        select a.* from agenda_items a join events e on e.id = a.event_id
         where e.public order by a.event_id, a.position
        """
    ).fetchall()


def keep_paper(conn, tenant: str, kind: str, key: str, data: dict, at) -> None:
    """Insert or update the copy of a membership paper (data merged, the newer wins);
    raises nothing."""
    conn.execute(
        """
        insert into paper_copies (tenant, kind, key, data, created_at, modified_at)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (tenant, kind, key) do update
           set data = paper_copies.data || excluded.data, modified_at = excluded.modified_at
        """,
        (tenant, kind, key, json.dumps(data, default=str), at, at),
    )


def membership_papers(conn) -> list[dict]:
    """The copies of membership's papers, oldest first; raises nothing."""
    return conn.execute(
        "select kind, key, data, created_at, modified_at from paper_copies order by created_at, key"
    ).fetchall()


# the registry's SQL is the same in both OParl services
registry, keep = oparl_sql.registry, oparl_sql.keep
