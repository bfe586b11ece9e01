"""SQL of applications (Beitrittserklärungen)."""

from __future__ import annotations

import json

from psycopg import sql

from knotenpunkt.services.membership.store.common import paged
from knotenpunkt.shared.db import get_by_id, insert, update, where

JSON_COLUMNS = ("organisation", "contact", "statements", "decision", "history")
MERGED = ("organisation", "contact", "statements")


def _dumped(values: dict) -> dict:
    return {
        k: json.dumps(v, default=str) if k in JSON_COLUMNS and v is not None else v
        for k, v in values.items()
    }


def insert_application(conn, tenant: str, values: dict) -> dict:
    """Insert an application row (JSON columns given as dicts and lists)."""
    return insert(conn, "applications", {"tenant": tenant, **_dumped(values)})


def get_application(conn, application_id, *, lock: bool = False) -> dict:
    """The application (locked for update with lock); raises NotFound."""
    return get_by_id(
        conn,
        "applications",
        application_id,
        f"Einen Antrag {application_id} gibt es nicht.",
        "update" if lock else None,
    )


def list_applications(
    conn, *, status=None, page=1, page_size=20, hidden: str | None = None
) -> tuple[list[dict], int]:
    """A page of the applications (or of those in one status; without those in status `hidden`
    when no status is asked for), oldest first; (rows, total)."""
    raw = ()
    if status is None and hidden is not None:
        raw = (sql.SQL("status <> {}").format(sql.Literal(hidden)),)
    clause, args = where(raw=raw, status=status)
    return paged(conn, "applications", clause, args, "created_at, id", page, page_size)


def applications_of(conn, email: str) -> list[dict]:
    """The applications whose contact has this e-mail address (in any case)."""
    return conn.execute(
        "select id, status, organisation, contact, created_at from applications"
        " where lower(contact->>'email') = lower(%s) order by created_at",
        (email,),
    ).fetchall()


def set_contact(conn, application_id, contact: dict) -> None:
    """Replace an application's contact."""
    conn.execute(
        "update applications set contact = %s::jsonb where id = %s",
        (json.dumps(contact, default=str), application_id),
    )


def update_application(conn, application_id, values: dict, *, step: dict | None = None) -> dict:
    """Set columns of an application; step is appended to its history. None when there is none."""
    extra = ()
    if step is not None:
        extra = (
            sql.SQL("history = history || {}::jsonb").format(
                sql.Literal(json.dumps([step], default=str))
            ),
        )
    return update(conn, "applications", application_id, _dumped(values), extra=extra)


def merge_application(conn, application_id, changes: dict) -> None:
    """Merge changed organisation, contact and statements fields in; set motivation."""
    sets, args = [], []
    for key in MERGED:
        if key in changes:
            sets.append(sql.SQL("{0} = {0} || %s::jsonb").format(sql.Identifier(key)))
            args.append(json.dumps(changes[key], default=str))
    if "motivation" in changes:
        sets.append(sql.SQL("motivation = %s"))
        args.append(changes["motivation"])
    if sets:
        conn.execute(
            sql.SQL("update applications set {} where id = %s").format(sql.SQL(", ").join(sets)),
            (*args, application_id),
        )


def unannounced(conn, *, now) -> list[dict]:
    """Decided applications whose outcome is due to be told by now (locked, oldest first)."""
    return conn.execute(
        "select * from applications where status in ('admitted', 'rejected')"
        " and announced_at is null and announce_at <= %s"
        " order by announce_at for update skip locked",
        (now,),
    ).fetchall()


def delete_unconfirmed(conn, *, before) -> int:
    """Delete the unconfirmed applications created before `before`; how many."""
    return conn.execute(
        "delete from applications where status = 'unconfirmed' and created_at < %s", (before,)
    ).rowcount
