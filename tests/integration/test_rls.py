"""Row-level security, as the application role: one network never sees or writes another's rows."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from knotenpunkt.shared.config import SERVICES
from knotenpunkt.shared.db import Database, tenant_tables
from tests.support import unique


@pytest.fixture
def db(settings):
    d = Database(settings.app_url("membership"), max_size=2)
    d.open()
    yield d
    d.close()


def test_app_role_owns_nothing_and_every_tenant_table_is_forced(settings):
    for service in SERVICES:
        with psycopg.connect(settings.app_url(service), row_factory=dict_row) as conn:
            who = conn.execute(
                "select rolsuper, rolbypassrls from pg_roles where rolname = current_user"
            ).fetchone()
            assert who == {"rolsuper": False, "rolbypassrls": False}
            owned = conn.execute(
                "select count(*) as n from pg_tables where schemaname = 'public' and tableowner = current_user"
            ).fetchone()
            assert owned["n"] == 0
            tables = tenant_tables(conn)
            assert tables and all(t["enabled"] and t["forced"] for t in tables)


def test_other_tenants_rows_are_invisible_and_unwritable(db):
    name_a, name_b = unique("A"), unique("B")
    with db.transaction("chemnitz") as conn:
        conn.execute(
            "insert into partners (tenant, name, kind) values ('chemnitz', %s, 'other')", (name_a,)
        )
    with db.transaction("magdeburg") as conn:
        conn.execute(
            "insert into partners (tenant, name, kind) values ('magdeburg', %s, 'other')", (name_b,)
        )

    with db.transaction("chemnitz") as conn:
        # A query that forgets "where tenant = …" still sees only its own network.
        names = {r["name"] for r in conn.execute("select name from partners").fetchall()}
        assert name_a in names and name_b not in names
        assert (
            conn.execute(
                "select count(*) as n from partners where tenant = 'magdeburg'"
            ).fetchone()["n"]
            == 0
        )
        # Updating B's rows touches nothing; they are not there for A.
        cur = conn.execute("update partners set city = 'X' where name = %s", (name_b,))
        assert cur.rowcount == 0

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with db.transaction("chemnitz") as conn:
            conn.execute(
                "insert into partners (tenant, name, kind) values ('magdeburg', %s, 'other')",
                (unique(),),
            )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with db.transaction("chemnitz") as conn:
            conn.execute("update partners set tenant = 'magdeburg' where name = %s", (name_a,))

    with db.transaction("magdeburg") as conn:
        row = conn.execute("select city from partners where name = %s", (name_b,)).fetchone()
        assert row["city"] is None


def test_without_tenant_nothing_is_readable(settings):
    with psycopg.connect(settings.app_url("membership")) as conn:
        with pytest.raises(psycopg.errors.UndefinedObject):
            conn.execute("select * from partners").fetchall()
