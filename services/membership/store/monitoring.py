"""SQL of the integration monitoring's measures."""

from __future__ import annotations

from knotenpunkt.shared.db import get_by_id, insert, update


def insert_measure(conn, tenant: str, values: dict) -> dict:
    """Insert a measure row."""
    return insert(conn, "measures", {"tenant": tenant, **values})


def get_measure(conn, measure_id) -> dict:
    """The measure; raises NotFound."""
    return get_by_id(conn, "measures", measure_id, f"Eine Maßnahme {measure_id} gibt es nicht.")


def update_measure(conn, measure_id, values: dict) -> dict:
    """Set columns of a measure; raises NotFound."""
    get_measure(conn, measure_id)
    return update(conn, "measures", measure_id, values)


def list_measures(conn, policy_field=None) -> list[dict]:
    """Measures by policy field and title (or those of one field)."""
    if policy_field:
        return conn.execute(
            "select * from measures where policy_field = %s order by title", (policy_field,)
        ).fetchall()
    return conn.execute("select * from measures order by policy_field, title").fetchall()
