"""SQL of the membership service. Every function runs inside the caller's unit of work."""

from __future__ import annotations

import re
import uuid

from psycopg.errors import UniqueViolation

from shared.errors import Conflict, NotFound
from shared.messaging import add_event

SERVICE = "membership"
PARTNER_COLUMNS = (
    "name kind street postcode city website email phone topics languages since public shared"
).split()


def _event(conn, tenant, aggregate, event, data, subject=None):
    return add_event(conn, SERVICE, tenant, aggregate, event, data, subject)


def _jsonable(row: dict) -> dict:
    return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}


def create_partner(conn, tenant: str, data: dict) -> dict:
    """Insert a partner and its event. Raises Conflict when the name is taken."""
    cols = [c for c in PARTNER_COLUMNS if c in data]
    try:
        with conn.transaction():
            row = conn.execute(
                f"insert into partners (tenant, {', '.join(cols)}) values (%s, {', '.join(['%s'] * len(cols))})"
                " returning *",
                (tenant, *[data[c] for c in cols]),
            ).fetchone()
    except UniqueViolation as exc:
        raise Conflict(
            f"Ein Partner mit dem Namen „{data['name']}“ ist schon verzeichnet.", field="name"
        ) from exc
    _event(conn, tenant, "partner", "created", _partner_event(row), str(row["id"]))
    return row


def _partner_event(row: dict) -> dict:
    return _jsonable(
        {k: row[k] for k in ("id", "name", "kind", "email", "city", "status", "public", "shared")}
    )


def update_partner(conn, tenant: str, partner_id, data: dict) -> dict:
    """Change a partner; raises NotFound or Conflict (name taken)."""
    get_partner(conn, partner_id)
    cols = [c for c in (*PARTNER_COLUMNS, "status", "left_on") if c in data]
    if not cols:
        return get_partner(conn, partner_id)
    sets = ", ".join(f"{c} = %s" for c in cols)
    try:
        with conn.transaction():
            row = conn.execute(
                f"update partners set {sets}, updated_at = now() where id = %s returning *",
                (*[data[c] for c in cols], partner_id),
            ).fetchone()
    except UniqueViolation as exc:
        raise Conflict(
            f"Ein Partner mit dem Namen „{data.get('name')}“ ist schon verzeichnet.", field="name"
        ) from exc
    _event(conn, tenant, "partner", "updated", _partner_event(row), str(row["id"]))
    return row


def get_partner(conn, partner_id) -> dict:
    row = conn.execute("select * from partners where id = %s", (partner_id,)).fetchone()
    if row is None:
        raise NotFound(f"Einen Partner {partner_id} gibt es nicht.")
    return row


def find_partners(
    conn,
    *,
    q=None,
    kind=None,
    topic=None,
    language=None,
    status="active",
    public_only=False,
    page=1,
    page_size=20,
) -> tuple[list[dict], int]:
    """Search partners; returns (page of rows, total)."""
    where, args = [], []
    if q:
        where.append("name ilike %s")
        args.append("%" + re.sub(r"([%_\\])", r"\\\1", q) + "%")
    if kind:
        where.append("kind = %s")
        args.append(kind)
    if topic:
        where.append("%s = any(topics)")
        args.append(topic)
    if language:
        where.append("%s = any(languages)")
        args.append(language)
    if status != "all":
        where.append("status = %s")
        args.append(status)
    if public_only:
        where.append("public")
    clause = ("where " + " and ".join(where)) if where else ""
    total = conn.execute(f"select count(*) as n from partners {clause}", args).fetchone()["n"]
    rows = conn.execute(
        f"select * from partners {clause} order by lower(name) limit %s offset %s",
        (*args, page_size, (page - 1) * page_size),
    ).fetchall()
    return rows, total


def list_members(conn, body: str) -> list[dict]:
    return conn.execute(
        "select * from body_members where body = %s order by role = 'chair' desc, name", (body,)
    ).fetchall()


def add_member(conn, tenant: str, body: str, data: dict) -> dict:
    """Add a person to a body (or change their entry); emits body.member_added."""
    person_id = data.get("person_id") or f"p-{uuid.uuid4().hex[:12]}"
    if data.get("partner_id"):
        get_partner(conn, data["partner_id"])
    row = conn.execute(
        """
        insert into body_members (tenant, body, person_id, name, email, partner_id, department, role)
        values (%s, %s, %s, %s, %s, %s, %s, %s)
        on conflict (tenant, body, person_id) do update
           set name = excluded.name, email = excluded.email, partner_id = excluded.partner_id,
               department = excluded.department, role = excluded.role
        returning *
        """,
        (
            tenant,
            body,
            person_id,
            data["name"],
            data.get("email"),
            data.get("partner_id"),
            data.get("department"),
            data.get("role", "member"),
        ),
    ).fetchone()
    _event(
        conn,
        tenant,
        "body",
        "member_added",
        _jsonable(
            {
                k: row[k]
                for k in ("body", "person_id", "name", "email", "partner_id", "department", "role")
            }
        ),
        f"{body}/{person_id}",
    )
    return row


def remove_member(conn, tenant: str, body: str, person_id: str) -> None:
    """Remove a person from a body; raises NotFound when they are not a member."""
    row = conn.execute(
        "delete from body_members where body = %s and person_id = %s returning person_id",
        (body, person_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"{person_id} ist kein Mitglied des Gremiums {body}.")
    _event(
        conn,
        tenant,
        "body",
        "member_removed",
        {"body": body, "person_id": person_id},
        f"{body}/{person_id}",
    )
