"""SQL of invitations: who is invited to an event, through what, and their answers."""

from __future__ import annotations


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
