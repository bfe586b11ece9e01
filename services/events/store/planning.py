"""SQL of planning: last and next meetings for the cadence, notices, time polls, processes."""

from __future__ import annotations

from psycopg import sql

from knotenpunkt.shared.db import get_by_id, insert, where

# --- Cadence ----------------------------------------------------------------------------


def last_and_next(conn, *, kind: str | None, body: str | None, now) -> tuple:
    """The start of the last (at or before `now`) and the next event not cancelled, of a kind or body; raises nothing."""
    clause, args = where(raw=(sql.SQL("status <> 'cancelled'"),), kind=kind, body=body)
    last = conn.execute(
        sql.SQL("select max(starts_at) as t from events {} and starts_at <= %s").format(clause),
        (*args, now),
    ).fetchone()["t"]
    nxt = conn.execute(
        sql.SQL("select min(starts_at) as t from events {} and starts_at > %s").format(clause),
        (*args, now),
    ).fetchone()["t"]
    return last, nxt


def note_once(conn, tenant: str, rule: str, day, status: str) -> bool:
    """Record a notice for rule, day and status; True the first time, False when noted before; raises nothing."""
    row = conn.execute(
        "insert into cadence_notices (tenant, rule, due_on, status) values (%s, %s, %s, %s)"
        " on conflict do nothing returning rule",
        (tenant, rule, day, status),
    ).fetchone()
    return row is not None


# --- Time polls ---------------------------------------------------------------------


def create_poll(conn, tenant: str, body: str, title: str, slots: list[dict]) -> dict:
    """Insert a poll with one option per slot (starts_at, ends_at); returns the poll; raises nothing."""
    poll = insert(conn, "polls", {"tenant": tenant, "body": body, "title": title})
    for s in slots:
        insert(
            conn,
            "poll_options",
            {
                "tenant": tenant,
                "poll_id": poll["id"],
                "starts_at": s["starts_at"],
                "ends_at": s["ends_at"],
            },
            returning=False,
        )
    return poll


def get_poll(conn, poll_id, lock: bool = False) -> dict:
    """The poll; raises NotFound."""
    return get_by_id(
        conn,
        "polls",
        poll_id,
        f"Eine Terminumfrage {poll_id} gibt es nicht.",
        "update" if lock else None,
    )


def list_polls(conn, *, body=None, status=None) -> list[dict]:
    """Polls, newest first, optionally of a body and of a status; raises nothing."""
    clause, args = where(body=body, status=status)
    return conn.execute(
        sql.SQL("select * from polls {} order by created_at desc, id").format(clause), args
    ).fetchall()


def poll_options(conn, poll_id) -> list[dict]:
    """The poll's options by start; raises nothing."""
    return conn.execute(
        "select * from poll_options where poll_id = %s order by starts_at", (poll_id,)
    ).fetchall()


def poll_answers(conn, poll_id) -> list[dict]:
    """Every answer given in the poll (option_id, person_id, answer); raises nothing."""
    return conn.execute(
        "select option_id, person_id, answer from poll_answers where poll_id = %s", (poll_id,)
    ).fetchall()


def save_poll_answer(conn, tenant: str, poll_id, person_id: str, option_id, answer: str) -> None:
    """Insert or change a person's answer for one option; raises nothing."""
    conn.execute(
        "insert into poll_answers (tenant, poll_id, option_id, person_id, answer) values (%s, %s, %s, %s, %s)"
        " on conflict (tenant, option_id, person_id) do update set answer = excluded.answer",
        (tenant, poll_id, option_id, person_id, answer),
    )


def close_poll(conn, poll_id, chosen, event_id) -> dict:
    """Close the poll with the chosen option and the event created for it; returns the poll; raises nothing."""
    return conn.execute(
        "update polls set status = 'closed', chosen = %s, event_id = %s where id = %s returning *",
        (chosen, event_id, poll_id),
    ).fetchone()


# --- Participation processes ------------------------------------------------------------


def create_process(conn, tenant: str, title: str, description) -> dict:
    """Insert a process without phases; returns the row; raises nothing."""
    return insert(conn, "processes", {"tenant": tenant, "title": title, "description": description})


def add_phase(conn, tenant: str, process_id, position: int, phase: dict) -> None:
    """Insert a process phase at the position; raises nothing."""
    insert(
        conn,
        "process_phases",
        {
            "tenant": tenant,
            "process_id": process_id,
            "position": position,
            "title": phase["title"],
            "kind": phase["kind"],
            "event_id": phase.get("event_id"),
            "consultation_id": phase.get("consultation_id"),
            "starts_on": phase.get("starts_on"),
            "ends_on": phase.get("ends_on"),
        },
        returning=False,
    )


def get_process(conn, process_id) -> dict:
    """The process; raises NotFound."""
    return get_by_id(
        conn, "processes", process_id, f"Einen Beteiligungsprozess {process_id} gibt es nicht."
    )


def phases(conn, process_id, tz_name: str) -> list[dict]:
    """The process's phases in order, an event's or consultation's dates (days in `tz_name`) filling in; raises nothing."""
    # event_public: whether the phase's event is public (None without an event);
    # own_starts_on / own_ends_on: the phase's own dates.
    return conn.execute(
        """
        select p.position, p.title, p.kind, p.event_id, p.consultation_id,
               coalesce(p.starts_on, (e.starts_at at time zone %(tz)s)::date, c.opens) as starts_on,
               coalesce(p.ends_on, (e.ends_at at time zone %(tz)s)::date, c.closes) as ends_on,
               e.status as event_status, e.public as event_public,
               p.starts_on as own_starts_on, p.ends_on as own_ends_on
          from process_phases p
          left join events e on e.id = p.event_id
          left join consultations c on c.id = p.consultation_id
         where p.process_id = %(id)s order by p.position
        """,
        {"tz": tz_name, "id": process_id},
    ).fetchall()


def list_processes(conn) -> list[dict]:
    """Every process, newest first; raises nothing."""
    return conn.execute("select * from processes order by created_at desc").fetchall()
