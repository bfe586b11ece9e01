"""SQL of the events service, one module per aggregate; every function runs in the caller's unit of work.

Stores decide nothing and publish nothing: the handlers apply the rules and add the events.
The package's modules are the attributes of ``ctx.store`` (``ctx.store.invitations.invitees``).
"""

from __future__ import annotations

from psycopg import sql


def page(
    conn, table: str, clause: sql.Composable, args: list, order: str, limit: int, offset: int
) -> tuple[list[dict], int]:
    """One page of the table's rows matching the clause (shared.db.where) in the order of the columns in `order`, and how many match; raises nothing."""
    total = conn.execute(
        sql.SQL("select count(*) as n from {} {}").format(sql.Identifier(table), clause), args
    ).fetchone()["n"]
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in order.split())
    rows = conn.execute(
        sql.SQL("select * from {} {} order by {} limit %s offset %s").format(
            sql.Identifier(table), clause, columns
        ),
        (*args, limit, offset),
    ).fetchall()
    return rows, total


from knotenpunkt.services.events.store import (  # noqa: E402 (the package's modules, as ctx.store's attributes)
    agendas,
    consultations,
    copies,
    introductions,
    invitations,
    meetings,
    minutes,
    oparl,
    planning,
    privacy,
    submissions,
)

__all__ = [
    "agendas",
    "consultations",
    "copies",
    "introductions",
    "invitations",
    "meetings",
    "minutes",
    "oparl",
    "page",
    "planning",
    "privacy",
    "submissions",
]
