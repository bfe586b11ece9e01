"""SQL of imports: the stored preview (cells, mapping, choices), its outcome and the log."""

from __future__ import annotations

from psycopg.types.json import Jsonb

from knotenpunkt.shared.db import get_by_id, insert, update

_JSON = ("header", "cells", "row_numbers", "mapping", "choices", "outcome", "counts")
LOG_COLUMNS = (
    "id, kind, filename, format, status, counts, created_by, created_at, applied_by,"
    " applied_at, undone_by, undone_at"
)


def _json(values: dict) -> dict:
    return {k: Jsonb(v) if k in _JSON else v for k, v in values.items()}


def insert_import(conn, tenant: str, values: dict) -> dict:
    """Store an upload's preview."""
    return insert(conn, "imports", {"tenant": tenant, **_json(values)})


def get_import(conn, import_id, *, lock: bool = False) -> dict:
    """The import; raises NotFound. lock: for update (apply and undo take turns)."""
    return get_by_id(
        conn,
        "imports",
        import_id,
        f"Einen Import {import_id} gibt es nicht.",
        lock="update" if lock else None,
    )


def update_import(conn, import_id, values: dict) -> dict:
    """Set columns of an import."""
    return update(conn, "imports", import_id, _json(values))


def list_imports(conn, *, limit: int = 200) -> list[dict]:
    """The import log, newest first (without the cells)."""
    return conn.execute(
        f"select {LOG_COLUMNS} from imports order by created_at desc, id limit %s", (limit,)
    ).fetchall()
