"""SQL of the OParl registry both OParl services keep (their table oparl_objects: every object
served once, its digest and moments), so that created/modified/deleted stay true."""

from __future__ import annotations


def registry(conn) -> list[dict]:
    """The OParl registry: every object served once (key, kind, type, digest, moments);
    raises nothing."""
    return conn.execute(
        "select key, kind, type, digest, created_at, modified_at, deleted_at, kept"
        " from oparl_objects"
    ).fetchall()


def keep(conn, tenant: str, rows: list[dict]) -> None:
    """Write the registry rows given (new, changed, deleted); raises nothing."""
    if not rows:
        return
    with conn.cursor() as cur:
        cur.executemany(
            """
            insert into oparl_objects
                   (tenant, key, kind, type, digest, created_at, modified_at, deleted_at, kept)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s)
            on conflict (tenant, key) do update
               set kind = excluded.kind, type = excluded.type, digest = excluded.digest,
                   modified_at = greatest(oparl_objects.modified_at, excluded.modified_at),
                   deleted_at = excluded.deleted_at, kept = excluded.kept
            """,
            [
                (
                    tenant,
                    r["key"],
                    r["kind"],
                    r["type"],
                    r["digest"],
                    r["created_at"],
                    r["modified_at"],
                    r["deleted_at"],
                    r["kept"],
                )
                for r in rows
            ],
        )
