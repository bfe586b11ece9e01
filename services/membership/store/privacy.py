"""SQL of a person's requests (DSGVO) and of retention in membership. Runs inside the caller's
unit of work."""

from __future__ import annotations

import json

from knotenpunkt.shared.errors import NotFound


def insert_request(conn, tenant: str, values: dict) -> dict:
    """Record a privacy request; raises nothing."""
    return conn.execute(
        "insert into privacy_requests (tenant, id, kind, subject, subject_digest, requested_by,"
        " created_at) values (%s, %s, %s, %s, %s, %s, %s) returning *",
        (
            tenant,
            values["id"],
            values["kind"],
            json.dumps(values["subject"]) if values["subject"] is not None else None,
            values["subject_digest"],
            values["requested_by"],
            values["created_at"],
        ),
    ).fetchone()


def get_request(conn, request_id) -> dict:
    """The request; raises NotFound."""
    row = conn.execute("select * from privacy_requests where id = %s", (request_id,)).fetchone()
    if row is None:
        raise NotFound(f"Ein Datenschutzersuchen {request_id} gibt es nicht.")
    return row


def set_answer(conn, request_id, service: str, answer: dict, now, services: list[str]) -> dict:
    """Keep a service's answer (the first one counts), complete once all `services` answered;
    raises NotFound."""
    row = conn.execute(
        "update privacy_requests set answers = jsonb_build_object(%s::text, %s::jsonb) || answers"
        " where id = %s returning *",
        (service, json.dumps(answer, default=str), request_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"Ein Datenschutzersuchen {request_id} gibt es nicht.")
    if row["completed_at"] is None and set(services) <= set(row["answers"]):
        row = conn.execute(
            "update privacy_requests set completed_at = %s where id = %s returning *",
            (now, request_id),
        ).fetchone()
    return row


def latest_complete(conn, kind: str) -> dict | None:
    """The newest complete request of this kind (None when there is none)."""
    return conn.execute(
        "select * from privacy_requests where kind = %s and completed_at is not null"
        " order by completed_at desc limit 1",
        (kind,),
    ).fetchone()


def forget_requests(conn, digests: list[str], keep) -> int:
    """Blank the subject and answers of the person's earlier requests (not `keep`); returns how many."""
    return conn.execute(
        "update privacy_requests set subject = null, answers = '{}'"
        " where subject_digest = any(%s) and id <> %s and (subject is not null or answers <> '{}')",
        (digests, keep),
    ).rowcount


def memberships_by_person(conn, person_ids: list[str]) -> list[dict]:
    """Body memberships under one of the person ids (any e-mail)."""
    return conn.execute(
        "select body, person_id, name, email, role from body_members where person_id = any(%s)"
        " order by body",
        (person_ids,),
    ).fetchall()


def contacts_of(conn, email: str) -> list[dict]:
    """The contacts with this e-mail address (any case)."""
    return conn.execute(
        "select * from contacts where lower(email) = lower(%s) order by created_at", (email,)
    ).fetchall()


def delete_contacts_of(conn, email: str) -> int:
    """Delete the contacts with this e-mail address (any case); returns how many."""
    return conn.execute("delete from contacts where lower(email) = lower(%s)", (email,)).rowcount


def led_groups(conn, person_ids: list[str]) -> list[str]:
    """The names of the active working groups one of the person ids leads."""
    rows = conn.execute(
        "select distinct g.name from working_group_members m join working_groups g"
        " on g.id = m.working_group_id where m.person_id = any(%s) and m.role = 'leader'"
        " and g.status = 'active' order by g.name",
        (person_ids,),
    ).fetchall()
    return [r["name"] for r in rows]


def group_names(conn, person_ids: list[str]) -> list[str]:
    """The names under which the person ids work in working groups."""
    rows = conn.execute(
        "select distinct name from working_group_members where person_id = any(%s)", (person_ids,)
    ).fetchall()
    return [r["name"] for r in rows]


# --- Retention -----------------------------------------------------------------


def delete_closed_applications(conn, before) -> int:
    """Delete rejected or withdrawn applications last changed before `before`; returns how many."""
    return conn.execute(
        "delete from applications where status in ('rejected', 'withdrawn') and updated_at < %s",
        (before,),
    ).rowcount


def delete_former_contacts(conn, left_before) -> int:
    """Delete the contacts of partners that left before `left_before` (a date) and the partners'
    own phone and e-mail; returns how many rows."""
    contacts = conn.execute(
        "delete from contacts c using partners p where c.partner_id = p.id"
        " and p.status = 'left' and p.left_on < %s",
        (left_before,),
    ).rowcount
    partners = conn.execute(
        "update partners set email = null, phone = null where status = 'left' and left_on < %s"
        " and (email is not null or phone is not null)",
        (left_before,),
    ).rowcount
    return contacts + partners
