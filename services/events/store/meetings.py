"""SQL of meetings: events, agendas, topic submissions, invitations, introductions, minutes."""

from __future__ import annotations

import json

from psycopg import sql

from knotenpunkt.services.events.store import page
from knotenpunkt.shared.db import get_by_id, insert, update, where
from knotenpunkt.shared.errors import NotFound

EVENT_COLUMNS = (
    "kind body working_group_id title description starts_at ends_at place online_url public".split()
)


# --- Events and agendas --------------------------------------------------------


def create_event(conn, tenant: str, data: dict) -> dict:
    """Insert an event from the EVENT_COLUMNS in data; returns the row; raises nothing."""
    return insert(
        conn, "events", {"tenant": tenant, **{c: data[c] for c in EVENT_COLUMNS if c in data}}
    )


def get_event(conn, event_id, lock: bool = False) -> dict:
    """The event; raises NotFound."""
    return get_by_id(
        conn,
        "events",
        event_id,
        f"Einen Termin {event_id} gibt es nicht.",
        "update" if lock else None,
    )


def update_event(conn, event_id, values: dict) -> dict:
    """Set the values (columns of EVENT_COLUMNS and status) and count the sequence up; returns the row; raises nothing."""
    cols = {c: values[c] for c in (*EVENT_COLUMNS, "status") if c in values}
    return update(conn, "events", event_id, cols, extra=(sql.SQL("sequence = sequence + 1"),))


def set_event_status(conn, event_id, status: str) -> dict:
    """Set the status without counting the sequence up; returns the row; raises nothing."""
    return update(conn, "events", event_id, {"status": status})


def mark_agenda_published(conn, event_id, now) -> dict:
    """Record the agenda as published at `now` and count the sequence up; returns the row; raises nothing."""
    return update(
        conn,
        "events",
        event_id,
        {"agenda_published_at": now},
        extra=(sql.SQL("sequence = sequence + 1"),),
    )


def list_events(conn, *, public_only: bool, body=None, kind=None, since=None) -> list[dict]:
    """Events by start, optionally only public ones, of a body, of a kind, from `since` on; raises nothing."""
    clause, args = where(
        raw=(sql.SQL("public"),) if public_only else (),
        body=body or None,
        kind=kind or None,
        starts_at__gte=since or None,
    )
    return conn.execute(
        sql.SQL("select * from events {} order by starts_at").format(clause), args
    ).fetchall()


def events_page(
    conn,
    *,
    public_only: bool,
    body=None,
    kind=None,
    invitees: list[str] | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """A page of events by start (optionally only public ones, of a body, of a kind, to which
    one of `invitees` is invited) and how many match; raises nothing."""
    raw, first = [], []
    if invitees is not None:
        raw.append(sql.SQL("id in (select event_id from invitations where invitee = any(%s))"))
        first.append(list(invitees))
    if public_only:
        raw.append(sql.SQL("public"))
    clause, args = where(raw=tuple(raw), body=body or None, kind=kind or None)
    return page(conn, "events", clause, [*first, *args], "starts_at id", limit, offset)


def agenda(conn, event_id) -> list[dict]:
    """The event's agenda items in their order; raises nothing."""
    return conn.execute(
        "select * from agenda_items where event_id = %s order by position", (event_id,)
    ).fetchall()


def add_agenda_item(conn, tenant: str, event_id, item: dict) -> dict:
    """Append an item to the event's agenda; returns the row; raises nothing."""
    position = conn.execute(
        "select coalesce(max(position), 0) + 1 as p from agenda_items where event_id = %s",
        (event_id,),
    ).fetchone()["p"]
    return insert(
        conn,
        "agenda_items",
        {
            "tenant": tenant,
            "event_id": event_id,
            "position": position,
            "title": item["title"],
            "minutes": item.get("minutes"),
            "presenter": item.get("presenter"),
            "kind": item.get("kind", "topic"),
            "ballot_id": item.get("ballot_id"),
            "partner_id": item.get("partner_id"),
            "submission_id": item.get("submission_id"),
        },
    )


def clear_agenda(conn, event_id) -> None:
    """Delete every item of the event's agenda; raises nothing."""
    conn.execute("delete from agenda_items where event_id = %s", (event_id,))


# --- Topic submissions, invitations, replies ------------------------------------


def add_submission(conn, tenant: str, event_id, title, description, by, partner_id) -> dict:
    """Insert a topic submission; returns the row; raises nothing."""
    return insert(
        conn,
        "topic_submissions",
        {
            "tenant": tenant,
            "event_id": event_id,
            "title": title,
            "description": description,
            "submitted_by": by,
            "partner_id": partner_id,
        },
    )


def get_submission(conn, event_id, submission_id) -> dict:
    """The event's topic submission, locked for update; raises NotFound."""
    row = conn.execute(
        "select * from topic_submissions where id = %s and event_id = %s for update",
        (submission_id, event_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"Einen Themenvorschlag {submission_id} gibt es nicht.")
    return row


def set_submission_status(conn, submission_id, status: str, reason) -> dict:
    """Record the decision on a submission; returns the row; raises nothing."""
    return update(conn, "topic_submissions", submission_id, {"status": status, "reason": reason})


def list_submissions(conn, event_id) -> list[dict]:
    """The event's topic submissions, oldest first; raises nothing."""
    return conn.execute(
        "select * from topic_submissions where event_id = %s order by created_at", (event_id,)
    ).fetchall()


def submissions_page(conn, *, status=None, limit: int, offset: int = 0) -> tuple[list[dict], int]:
    """A page of the network's topic submissions to events not cancelled (of one status, if
    given), oldest first, each with its event's title, start and status, and how many match;
    raises nothing."""
    clause = sql.SQL(
        "from topic_submissions s join events e on e.id = s.event_id where e.status <> 'cancelled'"
    )
    args: list = []
    if status:
        clause += sql.SQL(" and s.status = %s")
        args.append(status)
    total = conn.execute(sql.SQL("select count(*) as n ") + clause, args).fetchone()["n"]
    rows = conn.execute(
        sql.SQL(
            "select s.*, e.title as event_title, e.starts_at as event_starts_at,"
            " e.status as event_status "
        )
        + clause
        + sql.SQL(" order by s.created_at, s.id limit %s offset %s"),
        (*args, limit, offset),
    ).fetchall()
    return rows, total


def add_invitation(conn, tenant: str, event_id, person: dict, via: str) -> bool:
    """Invite a person (invitee, name, email) unless invited already; True when new; raises nothing."""
    row = conn.execute(
        "insert into invitations (tenant, event_id, invitee, name, email, via) values (%s, %s, %s, %s, %s, %s)"
        " on conflict do nothing returning invitee",
        (tenant, event_id, person["invitee"], person["name"], person.get("email"), via),
    ).fetchone()
    return row is not None


def invitees(conn, event_id) -> list[dict]:
    """The event's invitees with their answers, by name; raises nothing."""
    return conn.execute(
        "select invitee, name, email, via, answer, answered_at from invitations where event_id = %s order by name",
        (event_id,),
    ).fetchall()


def answers_of(conn, event_ids: list, invitees: list[str]) -> dict:
    """{event id: {invitee: answer or None}} of these invitees' invitations to these events; raises nothing."""
    found: dict = {}
    for row in conn.execute(
        "select event_id, invitee, answer from invitations"
        " where event_id = any(%s) and invitee = any(%s)",
        (list(event_ids), list(invitees)),
    ).fetchall():
        found.setdefault(row["event_id"], {})[row["invitee"]] = row["answer"]
    return found


def invitations_by_email(conn, event_id, email: str, lock: bool = False) -> list[dict]:
    """The event's invitations sent to this address (case does not matter), by name; raises nothing."""
    return conn.execute(
        "select invitee, name, email, via, answer, answered_at from invitations"
        " where event_id = %s and lower(email) = lower(%s) order by name"
        + (" for update" if lock else ""),
        (event_id, email),
    ).fetchall()


def set_answer(conn, event_id, invitee: str, answer: str, now) -> dict | None:
    """Record an invitee's answer at `now`; the invitation, or None when there is none; raises nothing."""
    return conn.execute(
        "update invitations set answer = %s, answered_at = %s where event_id = %s and invitee = %s returning *",
        (answer, now, event_id, invitee),
    ).fetchone()


# --- Introductions ------------------------------------------------------------------


def add_pending_introduction(conn, tenant: str, partner_id: str, name: str, email) -> dict:
    """The partner's introduction, inserted as pending unless it exists; locked for update; raises nothing."""
    conn.execute(
        "insert into introductions (tenant, partner_id, name, email, status) values (%s, %s, %s, %s, 'pending')"
        " on conflict (tenant, partner_id) do nothing",
        (tenant, partner_id, name, email),
    )
    return conn.execute(
        "select * from introductions where partner_id = %s for update", (partner_id,)
    ).fetchone()


def mark_introduction_scheduled(conn, partner_id: str, event_id, item_id) -> dict:
    """Record the event and agenda item of a partner's introduction; returns the row; raises nothing."""
    return conn.execute(
        "update introductions set status = 'scheduled', event_id = %s, agenda_item_id = %s"
        " where partner_id = %s returning *",
        (event_id, item_id, partner_id),
    ).fetchone()


def pending_introductions(conn) -> list[dict]:
    """Introductions still waiting for an event; raises nothing."""
    return conn.execute("select * from introductions where status = 'pending'").fetchall()


# --- Minutes --------------------------------------------------------------------------


def find_minutes(conn, event_id) -> dict | None:
    """The event's minutes, or None when none were written; raises nothing."""
    return conn.execute("select * from minutes where event_id = %s", (event_id,)).fetchone()


def save_minutes(conn, tenant: str, event_id, attendees, notes, decisions, now) -> dict:
    """Insert or replace the minutes' attendees, notes and decisions; returns the row; raises nothing."""
    return conn.execute(
        """
        insert into minutes (tenant, event_id, attendees, notes, decisions, updated_at)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (event_id) do update set attendees = excluded.attendees, notes = excluded.notes,
               decisions = excluded.decisions, updated_at = excluded.updated_at
        returning *
        """,
        (
            tenant,
            event_id,
            json.dumps(attendees),
            json.dumps(notes, default=str),
            json.dumps(decisions),
            now,
        ),
    ).fetchone()


def set_minutes_status(conn, event_id, status: str, by, published_at, now) -> dict:
    """Set the minutes' status, their first approver and (when given) the time of publication; raises nothing."""
    return conn.execute(
        "update minutes set status = %s, approved_by = coalesce(approved_by, %s),"
        " published_at = coalesce(%s, published_at), updated_at = %s"
        " where event_id = %s returning *",
        (status, by, published_at, now, event_id),
    ).fetchone()
