"""SQL of the membership service. Every function runs inside the caller's unit of work."""

from __future__ import annotations

import re
import uuid

from psycopg.errors import UniqueViolation

from shared.db import get_by_id
from shared.errors import Conflict, NotFound
from shared.messaging import add_event  # noqa: F401  (api.py emits through store.add_event)

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
                f"insert into partners (tenant, admitted_at, {', '.join(cols)})"
                f" values (%s, now(), {', '.join(['%s'] * len(cols))}) returning *",
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
    return get_by_id(conn, "partners", partner_id, f"Einen Partner {partner_id} gibt es nicht.")


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


# --- Contacts -----------------------------------------------------------------

CONTACT_COLUMNS = (
    "partner_id name role email phone languages responsibilities legal_basis consent_at public shared"
).split()


def create_contact(conn, tenant: str, data: dict) -> dict:
    if data.get("partner_id"):
        get_partner(conn, data["partner_id"])
    cols = [c for c in CONTACT_COLUMNS if c in data]
    return conn.execute(
        f"insert into contacts (tenant, {', '.join(cols)}) values (%s, {', '.join(['%s'] * len(cols))}) returning *",
        (tenant, *[data[c] for c in cols]),
    ).fetchone()


def get_contact(conn, contact_id) -> dict:
    return get_by_id(
        conn, "contacts", contact_id, f"Eine Kontaktperson {contact_id} gibt es nicht."
    )


def update_contact(conn, contact_id, data: dict) -> dict:
    get_contact(conn, contact_id)
    cols = [c for c in CONTACT_COLUMNS if c in data]
    if not cols:
        return get_contact(conn, contact_id)
    sets = ", ".join(f"{c} = %s" for c in cols)
    return conn.execute(
        f"update contacts set {sets}, updated_at = now() where id = %s returning *",
        (*[data[c] for c in cols], contact_id),
    ).fetchone()


def find_contacts(conn, *, public_only: bool, partner_id=None) -> list[dict]:
    where, args = [], []
    if public_only:
        where.append("public")
    if partner_id:
        where.append("partner_id = %s")
        args.append(partner_id)
    clause = ("where " + " and ".join(where)) if where else ""
    return conn.execute(f"select * from contacts {clause} order by name", args).fetchall()


def export_contact(conn, contact_id) -> dict:
    """Everything held about a person: the contact, and where the same e-mail appears."""
    contact = get_contact(conn, contact_id)
    email = contact["email"]
    bodies = (
        conn.execute(
            "select body, person_id, name, role, added_at from body_members where email = %s",
            (email,),
        ).fetchall()
        if email
        else []
    )
    apps = (
        conn.execute(
            "select id, status, organisation, contact, created_at from applications where contact->>'email' = %s",
            (email,),
        ).fetchall()
        if email
        else []
    )
    return {"contact": contact, "body_memberships": bodies, "applications": apps}


def erase_contact(conn, tenant: str, contact_id) -> None:
    """Erase a person's contact record; other services erase their copies on contact.erased."""
    contact = get_contact(conn, contact_id)
    conn.execute("delete from contacts where id = %s", (contact_id,))
    _event(
        conn,
        tenant,
        "contact",
        "erased",
        {"contact_id": str(contact_id), "email": contact["email"]},
        str(contact_id),
    )


# --- Applications ---------------------------------------------------------------


def hash_token(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def _history(status: str, note: str | None = None, by: str | None = None) -> str:
    import json
    from datetime import UTC, datetime

    return json.dumps(
        [{"status": status, "at": datetime.now(UTC).isoformat(), "note": note, "by": by}]
    )


def create_application(conn, tenant: str, data: dict) -> tuple[dict, str]:
    """Store a Beitrittserklärung; returns (row, status token for the applicant)."""
    import json
    import secrets

    token = secrets.token_urlsafe(24)
    row = conn.execute(
        """
        insert into applications (tenant, token_hash, status, organisation, contact, statements, motivation, history)
        values (%s, %s, 'submitted', %s, %s, %s, %s, %s) returning *
        """,
        (
            tenant,
            hash_token(token),
            json.dumps(data["organisation"], default=str),
            json.dumps(data["contact"]),
            json.dumps(data["statements"]),
            data.get("motivation"),
            _history("submitted"),
        ),
    ).fetchone()
    _event(conn, tenant, "application", "submitted", _application_event(row), str(row["id"]))
    return row, token


def _application_event(row: dict, **extra) -> dict:
    return _jsonable(
        {
            "application_id": row["id"],
            "status": row["status"],
            "organisation": row["organisation"]["name"],
            "contact": {
                "name": row["contact"]["name"],
                "email": row["contact"]["email"],
                "language": row["contact"].get("language", "de"),
            },
            **extra,
        }
    )


def get_application(conn, application_id, *, lock: bool = False) -> dict:
    return get_by_id(
        conn,
        "applications",
        application_id,
        f"Einen Antrag {application_id} gibt es nicht.",
        "update" if lock else None,
    )


def list_applications(conn, status=None) -> list[dict]:
    if status:
        return conn.execute(
            "select * from applications where status = %s order by created_at", (status,)
        ).fetchall()
    return conn.execute("select * from applications order by created_at").fetchall()


def set_application_status(
    conn, application_id, status: str, *, note=None, by=None, **cols
) -> dict:
    import json

    sets = ["status = %s", "updated_at = now()", "history = history || %s::jsonb"]
    args: list = [status, _history(status, note, by)]
    for k, v in cols.items():
        sets.append(f"{k} = %s")
        args.append(json.dumps(v, default=str) if isinstance(v, (dict, list)) else v)
    return conn.execute(
        f"update applications set {', '.join(sets)} where id = %s returning *",
        (*args, application_id),
    ).fetchone()


def correct_application(conn, application_id, data: dict) -> dict:
    import json

    sets, args = [], []
    for key in ("organisation", "contact", "statements"):
        if key in data:
            sets.append(f"{key} = {key} || %s::jsonb")
            args.append(json.dumps(data[key], default=str))
    if "motivation" in data:
        sets.append("motivation = %s")
        args.append(data["motivation"])
    if sets:
        conn.execute(
            f"update applications set {', '.join(sets)} where id = %s", (*args, application_id)
        )
    return set_application_status(
        conn, application_id, "submitted", note="vom Antragsteller ergänzt", by="applicant"
    )


def emit_application(conn, tenant: str, row: dict, event: str, **extra) -> None:
    _event(conn, tenant, "application", event, _application_event(row, **extra), str(row["id"]))


def admit(conn, tenant: str, app: dict, decision: dict) -> dict:
    """Create (or reactivate) the partner of an admitted application; emits partner.admitted."""
    org = app["organisation"]
    existing = conn.execute(
        "select * from partners where lower(name) = lower(%s)", (org["name"],)
    ).fetchone()
    fields_ = {
        k: org.get(k) for k in ("kind", "street", "postcode", "city", "website", "email", "phone")
    }
    fields_["kind"] = fields_["kind"] or "other"
    if existing:
        partner = conn.execute(
            "update partners set status = 'active', left_on = null, admitted_at = now(), updated_at = now()"
            " where id = %s returning *",
            (existing["id"],),
        ).fetchone()
    else:
        partner = conn.execute(
            """
            insert into partners (tenant, name, kind, street, postcode, city, website, email, phone,
                                  topics, languages, since, admitted_at)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, current_date, now()) returning *
            """,
            (
                tenant,
                org["name"],
                fields_["kind"],
                fields_["street"],
                fields_["postcode"],
                fields_["city"],
                fields_["website"],
                fields_["email"],
                fields_["phone"],
                org.get("topics") or [],
                org.get("languages") or [],
            ),
        ).fetchone()
    conn.execute(
        """
        insert into contacts (tenant, partner_id, name, role, email, phone, legal_basis, consent_at)
        values (%s, %s, %s, %s, %s, %s, 'consent', now())
        """,
        (
            tenant,
            partner["id"],
            app["contact"]["name"],
            app["contact"].get("role"),
            app["contact"]["email"],
            app["contact"].get("phone"),
        ),
    )
    _event(
        conn,
        tenant,
        "partner",
        "admitted",
        {
            **_partner_event(partner),
            "partner_id": str(partner["id"]),
            "application_id": str(app["id"]),
            "contact": _application_event(app)["contact"],
            "decision": decision,
        },
        str(partner["id"]),
    )
    return partner


# --- Working groups ---------------------------------------------------------------


def create_proposal(
    conn, tenant: str, data: dict, proposed_by: str, partner_id, status: str
) -> dict:
    row = conn.execute(
        """
        insert into working_group_proposals (tenant, topic, aims, planned_months, proposed_by, partner_id, status)
        values (%s, %s, %s, %s, %s, %s, %s) returning *
        """,
        (
            tenant,
            data["topic"],
            data["aims"],
            data.get("planned_months"),
            proposed_by,
            partner_id,
            status,
        ),
    ).fetchone()
    return row


def get_proposal(conn, proposal_id, lock: bool = False) -> dict:
    return get_by_id(
        conn,
        "working_group_proposals",
        proposal_id,
        f"Einen Vorschlag {proposal_id} gibt es nicht.",
        "update" if lock else None,
    )


def list_proposals(conn) -> list[dict]:
    return conn.execute("select * from working_group_proposals order by created_at desc").fetchall()


def decide_proposal(conn, tenant: str, proposal: dict, approved: bool, by: str, note=None) -> dict:
    """Approve (founding the group, proposer as leader) or decline; emits an event."""
    group_id = None
    if approved:
        months = proposal["planned_months"]
        group = create_working_group(
            conn,
            tenant,
            {
                "name": f"AG {proposal['topic']}",
                "topic": proposal["topic"],
                "goals": [{"text": proposal["aims"]}],
                "ends_on": None if not months else _months_from_today(months),
            },
            proposal_id=proposal["id"],
        )
        group_id = group["id"]
        add_group_member(
            conn,
            tenant,
            group_id,
            {
                "person_id": proposal["proposed_by"],
                "name": proposal["proposed_by"],
                "partner_id": proposal["partner_id"],
                "role": "leader",
            },
        )
    row = conn.execute(
        """
        update working_group_proposals set status = %s, decided_by = %s, decision_note = %s,
               working_group_id = %s, decided_at = now()
         where id = %s returning *
        """,
        ("approved" if approved else "declined", by, note, group_id, proposal["id"]),
    ).fetchone()
    _event(
        conn,
        tenant,
        "working_group_proposal",
        "approved" if approved else "declined",
        _jsonable(
            {
                "proposal_id": row["id"],
                "topic": row["topic"],
                "working_group_id": group_id,
                "note": note,
            }
        ),
        str(row["id"]),
    )
    return row


def _months_from_today(months: int):
    from datetime import UTC, datetime

    from services.membership.domain import add_months

    return add_months(datetime.now(UTC), months).date()


def create_working_group(conn, tenant: str, data: dict, proposal_id=None) -> dict:
    import json

    row = conn.execute(
        """
        insert into working_groups (tenant, name, topic, goals, ends_on, proposal_id)
        values (%s, %s, %s, %s, %s, %s) returning *
        """,
        (
            tenant,
            data["name"],
            data.get("topic"),
            json.dumps(data.get("goals") or []),
            data.get("ends_on"),
            proposal_id,
        ),
    ).fetchone()
    _event(
        conn,
        tenant,
        "working_group",
        "founded",
        _jsonable({"working_group_id": row["id"], "name": row["name"]}),
        str(row["id"]),
    )
    return row


def get_working_group(conn, group_id) -> dict:
    return get_by_id(
        conn, "working_groups", group_id, f"Eine Arbeitsgruppe {group_id} gibt es nicht."
    )


def list_working_groups(conn) -> list[dict]:
    return conn.execute("select * from working_groups order by status, name").fetchall()


def group_members(conn, group_id) -> list[dict]:
    return conn.execute(
        "select * from working_group_members where working_group_id = %s order by role = 'leader' desc, name",
        (group_id,),
    ).fetchall()


def add_group_member(
    conn, tenant: str, group_id, data: dict, leaders_join_body: str | None = None
) -> dict:
    get_working_group(conn, group_id)
    row = conn.execute(
        """
        insert into working_group_members (tenant, working_group_id, person_id, name, partner_id, role)
        values (%s, %s, %s, %s, %s, %s)
        on conflict (tenant, working_group_id, person_id) do update set role = excluded.role, name = excluded.name
        returning *
        """,
        (
            tenant,
            group_id,
            data["person_id"],
            data["name"],
            data.get("partner_id"),
            data.get("role", "member"),
        ),
    ).fetchone()
    _event(
        conn,
        tenant,
        "working_group",
        "member_added",
        _jsonable(
            {k: row[k] for k in ("working_group_id", "person_id", "name", "partner_id", "role")}
        ),
        f"{group_id}/{row['person_id']}",
    )
    if row["role"] == "leader" and leaders_join_body:
        # The seeds: the working-group leaders form (among others) the Vorbereitungsgremium.
        add_member(
            conn,
            tenant,
            leaders_join_body,
            {
                "person_id": row["person_id"],
                "name": row["name"],
                "partner_id": row["partner_id"],
                "role": "member",
            },
        )
    return row


def remove_group_member(conn, tenant: str, group_id, person_id: str) -> None:
    row = conn.execute(
        "delete from working_group_members where working_group_id = %s and person_id = %s returning person_id",
        (group_id, person_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"{person_id} ist kein Mitglied dieser Arbeitsgruppe.")
    _event(
        conn,
        tenant,
        "working_group",
        "member_removed",
        {"working_group_id": str(group_id), "person_id": person_id},
        f"{group_id}/{person_id}",
    )


def save_paper(conn, tenant: str, group_id, content: dict, by: str) -> dict:
    import json

    get_working_group(conn, group_id)
    version = conn.execute(
        "select coalesce(max(version), 0) + 1 as v from working_papers where working_group_id = %s",
        (group_id,),
    ).fetchone()["v"]
    return conn.execute(
        "insert into working_papers (tenant, working_group_id, version, content, changed_by)"
        " values (%s, %s, %s, %s, %s) returning *",
        (tenant, group_id, version, json.dumps(content, default=str), by),
    ).fetchone()


def paper_versions(conn, group_id) -> list[dict]:
    return conn.execute(
        "select * from working_papers where working_group_id = %s order by version", (group_id,)
    ).fetchall()


# --- Monitoring -----------------------------------------------------------------

MEASURE_COLUMNS = (
    "policy_field title responsible indicator unit baseline target current_value status".split()
)


def create_measure(conn, tenant: str, data: dict) -> dict:
    cols = [c for c in MEASURE_COLUMNS if c in data]
    return conn.execute(
        f"insert into measures (tenant, {', '.join(cols)}) values (%s, {', '.join(['%s'] * len(cols))}) returning *",
        (tenant, *[data[c] for c in cols]),
    ).fetchone()


def update_measure(conn, measure_id, data: dict) -> dict:
    cols = [c for c in MEASURE_COLUMNS if c in data]
    row = conn.execute("select * from measures where id = %s", (measure_id,)).fetchone()
    if row is None:
        raise NotFound(f"Eine Maßnahme {measure_id} gibt es nicht.")
    if not cols:
        return row
    sets = ", ".join(f"{c} = %s" for c in cols)
    return conn.execute(
        f"update measures set {sets}, updated_at = now() where id = %s returning *",
        (*[data[c] for c in cols], measure_id),
    ).fetchone()


def list_measures(conn, policy_field=None) -> list[dict]:
    if policy_field:
        return conn.execute(
            "select * from measures where policy_field = %s order by title", (policy_field,)
        ).fetchall()
    return conn.execute("select * from measures order by policy_field, title").fetchall()


# --- Directory publications --------------------------------------------------------


def latest_publication(conn) -> dict | None:
    return conn.execute(
        "select * from directory_publications order by published_at desc limit 1"
    ).fetchone()


def publish_directory(conn, tenant: str, rules: dict, trigger: str) -> dict:
    """Freeze the partner overview now; partners admitted since the previous one are marked new."""
    import json
    from datetime import UTC, datetime

    from services.membership.domain import add_months, overview_entries

    conn.execute("select pg_advisory_xact_lock(hashtext('directory:' || %s))", (tenant,))
    previous = latest_publication(conn)
    now = datetime.now(UTC)
    months = rules["directory"].get("publication_months") or 6
    new_since = previous["published_at"] if previous else add_months(now, -months)
    partners = conn.execute("select * from partners").fetchall()
    entries = overview_entries(partners, new_since)
    row = conn.execute(
        "insert into directory_publications (tenant, previous_at, trigger, entries) values (%s, %s, %s, %s) returning *",
        (tenant, previous["published_at"] if previous else None, trigger, json.dumps(entries)),
    ).fetchone()
    _event(
        conn,
        tenant,
        "directory",
        "published",
        {
            "publication_id": str(row["id"]),
            "partners": len(entries),
            "new": sum(e["new"] for e in entries),
        },
        str(row["id"]),
    )
    return row


def list_publications(conn) -> list[dict]:
    return conn.execute(
        "select id, published_at, previous_at, trigger, jsonb_array_length(entries) as partners,"
        " (select count(*) from jsonb_array_elements(entries) e where (e->>'new')::boolean) as new"
        " from directory_publications order by published_at desc"
    ).fetchall()


def get_publication(conn, publication_id) -> dict:
    return get_by_id(
        conn,
        "directory_publications",
        publication_id,
        f"Eine Veröffentlichung {publication_id} gibt es nicht.",
    )


# --- Doctors, offers, responsibilities ------------------------------------------------


def insert_row(conn, table: str, tenant: str, data: dict, columns: list[str]) -> dict:
    cols = [c for c in columns if c in data]
    return conn.execute(
        f"insert into {table} (tenant, {', '.join(cols)}) values (%s, {', '.join(['%s'] * len(cols))}) returning *",
        (tenant, *[data[c] for c in cols]),
    ).fetchone()


def update_row(conn, table: str, row_id, data: dict, columns: list[str], label: str) -> dict:
    row = conn.execute(f"select * from {table} where id = %s", (row_id,)).fetchone()
    if row is None:
        raise NotFound(f"{label} {row_id} gibt es nicht.")
    cols = [c for c in columns if c in data]
    if not cols:
        return row
    sets = ", ".join(f"{c} = %s" for c in cols)
    return conn.execute(
        f"update {table} set {sets} where id = %s returning *", (*[data[c] for c in cols], row_id)
    ).fetchone()


def delete_row(conn, table: str, row_id, label: str) -> None:
    if (
        conn.execute(f"delete from {table} where id = %s returning id", (row_id,)).fetchone()
        is None
    ):
        raise NotFound(f"{label} {row_id} gibt es nicht.")


def where(**conditions) -> tuple[str, list]:
    """A WHERE clause from {sql fragment: value}; fragments whose value is None are left out."""
    used = [(frag, val) for frag, val in conditions.items() if val is not None]
    if not used:
        return "", []
    return "where " + " and ".join(frag for frag, _ in used), [v for _, v in used]


def find_doctors(conn, language=None, specialty=None) -> list[dict]:
    clause, args = where(**{"%s = any(languages)": language, "specialty ilike %s": specialty})
    return conn.execute(f"select * from doctors {clause} order by specialty, name", args).fetchall()


def find_offers(conn, language=None, target_group=None, kind=None) -> list[dict]:
    clause, args = where(
        **{
            "%s = any(languages)": language,
            "%s = any(target_groups)": target_group,
            "kind = %s": kind,
        }
    )
    return conn.execute(f"select * from offers {clause} order by kind, title", args).fetchall()


def put_responsibility(conn, tenant: str, data: dict) -> dict:
    return conn.execute(
        """
        insert into responsibilities (tenant, actor, topic, responsibility, contact_name, contact_email, contact_phone)
        values (%s, %s, %s, %s, %s, %s, %s)
        on conflict (tenant, actor, topic) do update
           set responsibility = excluded.responsibility, contact_name = excluded.contact_name,
               contact_email = excluded.contact_email, contact_phone = excluded.contact_phone
        returning *
        """,
        (
            tenant,
            data["actor"],
            data["topic"],
            data["responsibility"],
            data.get("contact_name"),
            data.get("contact_email"),
            data.get("contact_phone"),
        ),
    ).fetchone()


def list_responsibilities(conn) -> list[dict]:
    return conn.execute("select * from responsibilities order by actor, topic").fetchall()


def shared_partners(conn) -> list[dict]:
    return conn.execute(
        "select * from partners where shared and status = 'active' order by name"
    ).fetchall()


def shared_contacts(conn) -> list[dict]:
    return conn.execute("select * from contacts where shared order by name").fetchall()
