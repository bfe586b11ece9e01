"""Backups and upgrades as county IT runs them: a role with CREATEDB, CREATEROLE and BYPASSRLS, no superuser.

The databases of this module have names of their own on the session's server
(``kpbk_<service>``) and their own application role, so nothing here touches
what the other tests use.
"""

from __future__ import annotations

import json
import secrets

import psycopg
import pytest
from psycopg import sql

from knotenpunkt.backup import BackupError, backup, read_manifest, restore
from knotenpunkt.shared.config import DATABASES, SERVICES
from knotenpunkt.shared.db import provision
from tests.support import unique

ADMIN = "kp_backup_admin"
PLAIN = "kp_plain_admin"


def role_url(postgres, name: str, password: str) -> str:
    host = postgres.container.get_container_host_ip()
    port = postgres.container.get_exposed_port(5432)
    return f"postgresql://{name}:{password}@{host}:{port}/postgres"


def make_role(postgres, name: str, attributes: str) -> str:
    password = secrets.token_urlsafe(16)
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("create role {} login " + attributes + " password {}").format(
                sql.Identifier(name), sql.Literal(password)
            )
        )
    return role_url(postgres, name, password)


@pytest.fixture(scope="module")
def operator_settings(postgres, settings, tmp_path_factory):
    """Settings as county IT has them: DATABASE_URL is a role with CREATEDB CREATEROLE BYPASSRLS."""
    url = make_role(postgres, ADMIN, "createdb createrole bypassrls")
    tenants_dir = tmp_path_factory.mktemp("tenants")
    for f in sorted(settings.tenants_dir.glob("*.yaml")):
        (tenants_dir / f.name).write_bytes(f.read_bytes())
    s = settings.with_(
        database_url=url,
        app_db_user="kpbk_app",
        app_db_password=secrets.token_urlsafe(16),
        tenants_dir=tenants_dir,
        # the portal's database too: the suite's knotenpunkt_portal belongs to another role
        extra={f"{service}_database": f"kpbk_{service}" for service in DATABASES},
    )
    return s


def test_migrate_runs_again_without_a_superuser(operator_settings):
    provision(operator_settings)
    # The second run is what every upgrade does: it must not need a superuser.
    provision(operator_settings)
    with psycopg.connect(operator_settings.database_url) as conn:
        row = conn.execute(
            "select rolsuper, rolbypassrls, rolcreatedb from pg_roles where rolname = 'kpbk_app'"
        ).fetchone()
    assert row == (False, False, False)


def test_backup_wipe_restore_keeps_partners_and_ballot_records(
    postgres, operator_settings, tenants, tmp_path
):
    from knotenpunkt.services.membership.app import create_app as membership_app
    from knotenpunkt.services.voting.app import create_app as voting_app
    from knotenpunkt.shared.auth import issue_token

    s = operator_settings
    provision(s)

    def auth(*roles, **kw):
        return {
            "Authorization": "Bearer " + issue_token(s, tenant="chemnitz", roles=list(roles), **kw)
        }

    people = [unique("bk") for _ in range(3)]
    with psycopg.connect(s.admin_url("kpbk_voting")) as conn:
        for p in people:
            conn.execute(
                "insert into electorate (tenant, body, person_id, name, role)"
                " values ('chemnitz', 'vorbereitungsgremium', %s, %s, 'member')",
                (p, f"Mitglied {p}"),
            )

    membership, voting = membership_app(s, tenants), voting_app(s, tenants)
    try:
        m, v = membership.test_client(), voting.test_client()
        name = f"Kulturverein {unique('bk')}"
        created = m.post(
            "/api/v1/chemnitz/partners",
            json={"name": name, "kind": "initiative", "public": True},
            headers=auth("coordinator"),
        )
        assert created.status_code == 201, created.get_json()
        partner_id = created.get_json()["id"]
        opened = v.post(
            "/api/v1/chemnitz/ballots",
            json={
                "body": "vorbereitungsgremium",
                "title": "Netzwerkveranstaltung 2027",
                "subject": {"kind": "general"},
            },
            headers=auth("coordinator"),
        )
        assert opened.status_code == 201, opened.get_json()
        ballot_id = opened.get_json()["id"]
        for person, choice in zip(people, ("yes", "yes", "no"), strict=True):
            cast = v.post(
                f"/api/v1/chemnitz/ballots/{ballot_id}/votes",
                json={"choice": choice, "reason": "Zu früh" if choice == "no" else None},
                headers=auth("member", sub=person, bodies=["vorbereitungsgremium"]),
            )
            assert cast.status_code == 200, cast.get_json()
        # everyone voted: the ballot closed by itself
        closed = v.get(f"/api/v1/chemnitz/ballots/{ballot_id}", headers=auth("coordinator"))
        assert closed.get_json()["status"] == "closed"
        record_before = v.get(
            f"/api/v1/chemnitz/ballots/{ballot_id}/record", headers=auth("coordinator")
        ).get_json()
    finally:
        for app in (membership, voting):
            app.extensions["knotenpunkt"].db.close()
    assert record_before["valid"] is True

    folder = tmp_path / "backup"
    manifest = backup(s, folder)
    assert set(manifest["databases"]) == set(SERVICES)
    assert {f"kpbk_{service}.dump" for service in SERVICES} <= set(manifest["files"])
    assert "tenants/chemnitz.yaml" in manifest["files"]
    assert read_manifest(folder) == manifest

    # Wipe: the databases and a tenant file are gone.
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        for service in SERVICES:
            conn.execute(
                sql.SQL("drop database {} with (force)").format(sql.Identifier(f"kpbk_{service}"))
            )
    (s.tenants_dir / "chemnitz.yaml").unlink()

    restore(s, folder)
    assert (s.tenants_dir / "chemnitz.yaml").is_file()

    membership, voting = membership_app(s, tenants), voting_app(s, tenants)
    try:
        got = membership.test_client().get(
            f"/api/v1/chemnitz/partners/{partner_id}", headers=auth("coordinator")
        )
        assert got.status_code == 200 and got.get_json()["name"] == name
        record_after = (
            voting.test_client()
            .get(f"/api/v1/chemnitz/ballots/{ballot_id}/record", headers=auth("coordinator"))
            .get_json()
        )
    finally:
        for app in (membership, voting):
            app.extensions["knotenpunkt"].db.close()
    assert record_after["valid"] is True
    assert record_after == record_before


def test_a_damaged_backup_is_refused_before_anything_is_touched(operator_settings, tmp_path):
    provision(operator_settings)
    folder = tmp_path / "backup"
    backup(operator_settings, folder, services=["membership"])
    dump = folder / "kpbk_membership.dump"
    dump.write_bytes(dump.read_bytes()[:-10])
    with pytest.raises(BackupError, match="checksum"):
        restore(operator_settings, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["databases"] == {"membership": "kpbk_membership"}


def test_a_role_without_bypassrls_gets_told_what_to_grant(postgres, operator_settings, tmp_path):
    url = make_role(postgres, PLAIN, "createdb createrole")
    with pytest.raises(BackupError, match=f"ALTER ROLE {PLAIN} BYPASSRLS"):
        backup(operator_settings.with_(database_url=url), tmp_path / "backup")
    assert not (tmp_path / "backup").exists()


def test_a_backup_goes_into_a_new_folder(operator_settings, tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(BackupError, match="not empty"):
        backup(operator_settings, tmp_path)
