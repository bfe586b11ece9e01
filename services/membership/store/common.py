"""What the membership stores share: a page of rows with the total."""

from __future__ import annotations

from psycopg import sql


def paged(
    conn, table: str, clause: sql.Composable, args: list, order_by: str, page: int, page_size: int
) -> tuple[list[dict], int]:
    """One page of `table`'s rows matching `clause` in the order `order_by` (fixed SQL); (rows, total)."""
    total = conn.execute(
        sql.SQL("select count(*) as n from {} {}").format(sql.Identifier(table), clause), args
    ).fetchone()["n"]
    rows = conn.execute(
        sql.SQL("select * from {} {} order by {} limit %s offset %s").format(
            sql.Identifier(table), clause, sql.SQL(order_by)
        ),
        (*args, page_size, (page - 1) * page_size),
    ).fetchall()
    return rows, total
