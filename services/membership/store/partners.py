"""SQL of partners, body members and contacts."""

from __future__ import annotations

from psycopg import sql
from psycopg.errors import UniqueViolation

from knotenpunkt.services.membership.store.common import paged
from knotenpunkt.shared.db import get_by_id, insert, update, where
from knotenpunkt.shared.errors import Conflict, NotFound


def _name_taken(name) -> Conflict:
    return Conflict(f"Ein Partner mit dem Namen „{name}“ ist schon verzeichnet.", field="name")


def insert_partner(conn, tenant: str, values: dict) -> dict:
    """Insert a partner row; raises Conflict when the name is taken."""
    try:
        with conn.transaction():
            return insert(conn, "partners", {"tenant": tenant, **values})
    except UniqueViolation as exc:
        raise _name_taken(values.get("name")) from exc


def update_partner(conn, partner_id, values: dict) -> dict:
    """Set columns of a partner; raises NotFound, Conflict (name taken)."""
    get_partner(conn, partner_id)
    try:
        with conn.transaction():
            return update(conn, "partners", partner_id, values)
    except UniqueViolation as exc:
        raise _name_taken(values.get("name")) from exc


def get_partner(conn, partner_id) -> dict:
    """The partner; raises NotFound."""
    return get_by_id(conn, "partners", partner_id, f"Einen Partner {partner_id} gibt es nicht.")


def partner_named(conn, name: str) -> dict | None:
    """The partner of this name (case-insensitive), or None."""
    return conn.execute("select * from partners where lower(name) = lower(%s)", (name,)).fetchone()


def all_partners(conn) -> list[dict]:
    """Every partner of the network."""
    return conn.execute("select * from partners").fetchall()


def find_partners(
    conn,
    *,
    q=None,
    kind=None,
    topic=None,
    language=None,
    status=None,
    public_only=False,
    hide_embargoed_at=None,
    page=1,
    page_size=20,
) -> tuple[list[dict], int]:
    """Search partners (status None: any; hide_embargoed_at, a moment: none whose embargo
    lasts beyond it, an admission not yet to be told); returns (page of rows, total)."""
    raw = (sql.SQL("public"),) if public_only else ()
    clause, args = where(
        raw=raw,
        name__ilike=q or None,
        kind=kind or None,
        topics__any=topic or None,
        languages__any=language or None,
        status=status,
    )
    if hide_embargoed_at is not None:
        embargo = sql.SQL("(embargoed_until is null or embargoed_until <= %s)")
        joiner = sql.SQL(" and ") if args or raw else sql.SQL("where ")
        clause, args = sql.Composed([clause, joiner, embargo]), [*args, hide_embargoed_at]
    return paged(conn, "partners", clause, args, "name collate german, id", page, page_size)


def delete_partner(conn, partner_id) -> None:
    """Delete a partner row (an import undone); its contacts and applications keep no link."""
    conn.execute("delete from partners where id = %s", (partner_id,))


ROW_TABLES = ("partners", "contacts", "doctors", "offers")


def row_or_none(conn, table: str, row_id) -> dict | None:
    """The row of one of ROW_TABLES with this id, or None."""
    if table not in ROW_TABLES:
        raise ValueError(f"no rows of {table!r} here")
    return conn.execute(
        sql.SQL("select * from {} where id = %s").format(sql.Identifier(table)), (row_id,)
    ).fetchone()


def all_contacts(conn) -> list[dict]:
    """Every contact of the network."""
    return conn.execute("select * from contacts").fetchall()


VIEWS = ("public", "internal", "everyone")


def partners_version(conn, tenant: str, view: str, now) -> str:
    """A text that changes with every change to what the view of the partner list shows.

    `view`: public (anonymous callers), internal (the network's people) or everyone (who may
    see embargoed partners too). The counters of directory_versions are kept by the
    partners' triggers in the writing transaction (migration 0110): a primary-key lookup.
    The views that hide embargoed partners add the embargoes that have ended by `now`
    (count and row versions of those few rows, by the partial index partners_embargo_ends):
    a partner listed because its embargo's moment has passed changes the version though
    no row was written, and an embargo still running changes nothing.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}")
    counter = sql.SQL("(select {} from directory_versions where tenant = %(tenant)s)").format(
        sql.Identifier(view)
    )
    if view == "everyone":
        row = conn.execute(
            sql.SQL("select coalesce({}, 0) as n").format(counter), {"tenant": tenant}
        ).fetchone()
        return str(row["n"])
    row = conn.execute(
        sql.SQL(
            "select coalesce({}, 0) as n, count(*) as ended,"
            " coalesce(sum(hashtext(id::text || xmin::text)), 0) as h"
            " from partners where tenant = %(tenant)s and embargoed_until is not null"
            " and embargoed_until <= %(now)s and (public or %(internal)s)"
        ).format(counter),
        {"tenant": tenant, "now": now, "internal": view == "internal"},
    ).fetchone()
    return f"{row['n']}.{row['ended']}.{row['h']}"


def shared_partners(conn) -> list[dict]:
    """Active partners marked as shared with other networks."""
    return conn.execute(
        "select * from partners where shared and status = 'active' and embargoed_until is null"
        " order by name"
    ).fetchall()


# --- Body members ---------------------------------------------------------------


def list_members(conn, body: str) -> list[dict]:
    """The members of a body, chair first."""
    return conn.execute(
        "select * from body_members where body = %s order by role = 'chair' desc, name", (body,)
    ).fetchall()


def get_member(conn, body: str, person_id: str) -> dict | None:
    """One member of a body, or None."""
    return conn.execute(
        "select * from body_members where body = %s and person_id = %s", (body, person_id)
    ).fetchone()


def upsert_member(conn, tenant: str, body: str, values: dict) -> dict:
    """Insert a body member or change their entry."""
    return conn.execute(
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
            values["person_id"],
            values["name"],
            values.get("email"),
            values.get("partner_id"),
            values.get("department"),
            values.get("role", "member"),
        ),
    ).fetchone()


def delete_member(conn, body: str, person_id: str) -> None:
    """Remove a person from a body; raises NotFound when they are not a member."""
    row = conn.execute(
        "delete from body_members where body = %s and person_id = %s returning person_id",
        (body, person_id),
    ).fetchone()
    if row is None:
        raise NotFound(f"{person_id} ist kein Mitglied des Gremiums {body}.")


def memberships_of(conn, email: str) -> list[dict]:
    """The body memberships held under an e-mail address (in any case)."""
    return conn.execute(
        "select body, person_id, name, role, added_at from body_members"
        " where lower(email) = lower(%s) order by body",
        (email,),
    ).fetchall()


# --- Contacts -----------------------------------------------------------------


def insert_contact(conn, tenant: str, values: dict) -> dict:
    """Insert a contact row."""
    return insert(conn, "contacts", {"tenant": tenant, **values})


def get_contact(conn, contact_id) -> dict:
    """The contact; raises NotFound."""
    return get_by_id(
        conn, "contacts", contact_id, f"Eine Kontaktperson {contact_id} gibt es nicht."
    )


def update_contact(conn, contact_id, values: dict) -> dict:
    """Set columns of a contact; raises NotFound."""
    get_contact(conn, contact_id)
    return update(conn, "contacts", contact_id, values)


def find_contacts(conn, *, public_only: bool, partner_id=None) -> list[dict]:
    """Contacts by name; only the public ones with public_only."""
    clause, args = where(raw=(sql.SQL("public"),) if public_only else (), partner_id=partner_id)
    return conn.execute(
        sql.SQL("select * from contacts {} order by name collate german, id").format(clause), args
    ).fetchall()


def delete_contact(conn, contact_id) -> None:
    """Delete a contact row (nothing when there is none)."""
    conn.execute("delete from contacts where id = %s", (contact_id,))


def shared_contacts(conn) -> list[dict]:
    """Contacts marked as shared with other networks."""
    return conn.execute("select * from contacts where shared order by name").fetchall()


def forget_sent_events(conn, email: str, person_ids: list[str]) -> None:
    """Delete the sent outbox rows that name the e-mail address or one of the person ids."""
    conn.execute(
        "delete from outbox where sent_at is not null"
        " and (position(lower(%s) in lower(envelope::text)) > 0"
        " or envelope->'data'->>'person_id' = any(%s))",
        (email, person_ids),
    )
