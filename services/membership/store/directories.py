"""SQL of directory publications, doctors, offers and the responsibility matrix."""

from __future__ import annotations

import json

from psycopg import sql

from knotenpunkt.shared.db import get_by_id, insert, update, where
from knotenpunkt.shared.errors import NotFound

# --- Publications ---------------------------------------------------------------


def lock_publications(conn, tenant: str) -> None:
    """Serialise publications of one network until the end of the transaction."""
    conn.execute("select pg_advisory_xact_lock(hashtext('directory:' || %s))", (tenant,))


def latest_publication(conn) -> dict | None:
    """The newest publication, or None."""
    return conn.execute(
        "select * from directory_publications order by published_at desc limit 1"
    ).fetchone()


def insert_publication(conn, tenant: str, values: dict) -> dict:
    """Insert a publication row (entries as a list)."""
    values = {**values, "entries": json.dumps(values["entries"], default=str)}
    return insert(conn, "directory_publications", {"tenant": tenant, **values})


def list_publications(conn) -> list[dict]:
    """Every publication, newest first, with its counts of partners and new partners."""
    return conn.execute(
        "select id, published_at, previous_at, trigger, jsonb_array_length(entries) as partners,"
        " (select count(*) from jsonb_array_elements(entries) e where (e->>'new')::boolean) as new"
        " from directory_publications order by published_at desc"
    ).fetchall()


def get_publication(conn, publication_id) -> dict:
    """The publication; raises NotFound."""
    return get_by_id(
        conn,
        "directory_publications",
        publication_id,
        f"Eine Veröffentlichung {publication_id} gibt es nicht.",
    )


# --- Doctors, offers ----------------------------------------------------------------


def insert_entry(conn, table: str, tenant: str, values: dict) -> dict:
    """Insert a row into a directory table (doctors, offers)."""
    return insert(conn, table, {"tenant": tenant, **values})


def update_entry(conn, table: str, row_id, values: dict, label: str) -> dict:
    """Set columns of a directory entry; raises NotFound ("<label> <id> gibt es nicht.")."""
    get_by_id(conn, table, row_id, f"{label} {row_id} gibt es nicht.")
    return update(conn, table, row_id, values)


def delete_entry(conn, table: str, row_id, label: str) -> None:
    """Delete a directory entry; raises NotFound ("<label> <id> gibt es nicht.")."""
    gone = conn.execute(
        sql.SQL("delete from {} where id = %s returning id").format(sql.Identifier(table)),
        (row_id,),
    ).fetchone()
    if gone is None:
        raise NotFound(f"{label} {row_id} gibt es nicht.")


def find_doctors(conn, language=None, specialty=None) -> list[dict]:
    """Doctors speaking a language and/or whose specialty contains the text."""
    clause, args = where(languages__any=language, specialty__ilike=specialty)
    return conn.execute(
        sql.SQL("select * from doctors {} order by specialty, name").format(clause), args
    ).fetchall()


def find_offers(conn, language=None, target_group=None, kind=None) -> list[dict]:
    """Offers by language, target group and kind."""
    clause, args = where(languages__any=language, target_groups__any=target_group, kind=kind)
    return conn.execute(
        sql.SQL("select * from offers {} order by kind, title").format(clause), args
    ).fetchall()


# --- Responsibility matrix ----------------------------------------------------------


def upsert_responsibility(conn, tenant: str, values: dict) -> dict:
    """Set the cell of the matrix that actor and topic name."""
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
            values["actor"],
            values["topic"],
            values["responsibility"],
            values.get("contact_name"),
            values.get("contact_email"),
            values.get("contact_phone"),
        ),
    ).fetchone()


def get_responsibility(conn, cell_id) -> dict | None:
    """One cell of the matrix, or None."""
    return conn.execute("select * from responsibilities where id = %s", (cell_id,)).fetchone()


def delete_responsibility(conn, cell_id) -> None:
    """Delete one cell of the matrix (an import undone)."""
    conn.execute("delete from responsibilities where id = %s", (cell_id,))


def list_responsibilities(conn) -> list[dict]:
    """Every cell of the matrix by actor and topic."""
    return conn.execute(
        "select * from responsibilities order by actor collate german, topic collate german"
    ).fetchall()


def responsibilities_of(conn, email: str) -> list[dict]:
    """The cells of the matrix naming this e-mail address as their contact."""
    return conn.execute(
        "select * from responsibilities where lower(contact_email) = lower(%s)"
        " order by actor, topic",
        (email,),
    ).fetchall()


def clear_responsibility_contact(conn, email: str) -> None:
    """Cells naming this e-mail address lose their contact person (the responsibility stays)."""
    conn.execute(
        "update responsibilities set contact_name = null, contact_email = null,"
        " contact_phone = null where lower(contact_email) = lower(%s)",
        (email,),
    )
