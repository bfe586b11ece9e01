"""TENANTS: an instance serves only the networks it names; the others' files are not even read."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import pytest

from knotenpunkt.shared.config import Settings, from_env
from knotenpunkt.shared.tenants import TenantConfigError, TenantRegistry, selected_tenants

TENANTS = Settings().tenants_dir


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the four tenant files in which Magdeburg's file is broken."""
    for f in TENANTS.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "magdeburg.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    return tmp_path


def test_setting_is_read_from_the_environment():
    assert from_env({"TENANTS": " saalekreis, chemnitz ,"}).tenants == ("saalekreis", "chemnitz")
    assert from_env({}).tenants == ()


def test_selected_tenants_parses_and_checks_keys():
    assert selected_tenants("") == ()
    assert selected_tenants(None) == ()
    assert selected_tenants("chemnitz,chemnitz, saalekreis") == ("chemnitz", "saalekreis")
    assert selected_tenants(["magdeburg"]) == ("magdeburg",)
    with pytest.raises(TenantConfigError, match="no tenant key"):
        selected_tenants("../etc/passwd")


def test_default_is_every_file(monkeypatch):
    monkeypatch.delenv("TENANTS", raising=False)
    assert TenantRegistry.load(TENANTS).keys() == [
        "chemnitz",
        "magdeburg",
        "mittelsachsen",
        "saalekreis",
    ]


def test_only_the_named_files_are_read(folder, monkeypatch):
    monkeypatch.delenv("TENANTS", raising=False)
    # All files: the broken one stops start-up ...
    with pytest.raises(TenantConfigError, match="magdeburg.yaml"):
        TenantRegistry.load(folder)
    # ... but an instance for Saalekreis and Chemnitz never reads it.
    reg = TenantRegistry.load(folder, "saalekreis,chemnitz")
    assert reg.keys() == ["chemnitz", "saalekreis"]
    assert "magdeburg" not in reg and reg.get("magdeburg") is None


def test_environment_decides_when_the_caller_does_not(folder, monkeypatch):
    monkeypatch.setenv("TENANTS", "saalekreis")
    assert TenantRegistry.load(folder).keys() == ["saalekreis"]
    # An explicit empty selection means every file (here: the broken one too).
    with pytest.raises(TenantConfigError):
        TenantRegistry.load(folder, ())


def test_from_settings(folder, monkeypatch):
    monkeypatch.delenv("TENANTS", raising=False)
    s = Settings(tenants_dir=folder, tenants=("chemnitz",))
    assert TenantRegistry.from_settings(s).keys() == ["chemnitz"]


def test_a_named_tenant_without_file_fails_loudly(monkeypatch):
    monkeypatch.delenv("TENANTS", raising=False)
    with pytest.raises(TenantConfigError, match="leipzig.yaml"):
        TenantRegistry.load(TENANTS, "saalekreis,leipzig")


def test_other_networks_answer_404(monkeypatch, tmp_path):
    """A Saalekreis-only membership app: Chemnitz is unknown (problem+json 404), Saalekreis is served."""
    from knotenpunkt.services.membership.app import create_app

    monkeypatch.setenv("TENANTS", "saalekreis")
    settings = Settings(
        database_url="postgresql://nobody@127.0.0.1:9/none",
        jwt_secret=secrets.token_urlsafe(48),
        link_secret=secrets.token_urlsafe(48),
        var_dir=tmp_path,
        mail_dir=tmp_path / "mail",
        tenants=("saalekreis",),
        allowed_hosts=("localhost",),
    )
    app = create_app(settings)
    try:
        client = app.test_client()
        resp = client.get("/api/v1/chemnitz/rules")
        assert resp.status_code == 404
        assert resp.headers["Content-Type"].startswith("application/problem+json")
        assert resp.get_json()["type"].endswith("unknown-tenant")
        assert client.get("/api/v1/saalekreis/rules").status_code == 200
    finally:
        app.extensions["knotenpunkt"].db.close()


def test_demo_data_is_seeded_for_the_served_networks_only(settings):
    """`knotenpunkt seed-demo` (make run, `docker-compose run --rm migrate seed-demo`, the
    Kubernetes demo-data component) under TENANTS=chemnitz: Chemnitz's partners, members and
    consultations, nothing for the networks the instance does not serve (it crashed before)."""
    import psycopg

    from knotenpunkt.services.events.seed import seed_consultations
    from knotenpunkt.services.membership.seed import CHEMNITZ, seed_demo

    only = settings.with_(tenants=("chemnitz",))
    before = _partner_tenants(settings)
    added = seed_demo(only)
    assert set(added) == {"chemnitz"}
    assert seed_demo(only) == {"chemnitz": 0}  # again: nothing new
    seed_consultations(only)
    assert _partner_tenants(settings) - before <= {"chemnitz"}
    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        names = {n for (n,) in conn.execute("select name from partners where tenant = 'chemnitz'")}
    assert {name for name, _ in CHEMNITZ} <= names
    with psycopg.connect(settings.admin_url("knotenpunkt_events")) as conn:
        titles = {t for (t,) in conn.execute("select tenant from consultations")}
    assert "chemnitz" in titles


def _partner_tenants(settings) -> set[str]:
    import psycopg

    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        return {t for (t,) in conn.execute("select distinct tenant from partners")}


def test_compose_and_kubernetes_pass_tenants_to_every_process():
    """The compose stack: every application container (web, worker, migrate: seed-demo too)
    gets TENANTS; Kubernetes: every overlay's settings name exactly its network, and the
    demo-data component's Job runs seed-demo with those settings and that tenant file."""
    import yaml

    from knotenpunkt.shared.config import ROOT

    compose = yaml.safe_load((ROOT / "deploy/compose/docker-compose.yml").read_text("utf-8"))
    apps = {n: s for n, s in compose["services"].items() if "knotenpunkt/app" in s["image"]}
    assert {"migrate", "portal", "membership", "notifications-worker"} <= set(apps)
    for name, service in apps.items():
        assert service["environment"]["TENANTS"] == "${TENANTS:-}", name
    job = yaml.safe_load(
        (ROOT / "deploy/k8s/components/demo-data/seed-demo-job.yaml").read_text("utf-8")
    )
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["seed-demo"]
    assert {"configMapRef": {"name": "knotenpunkt-settings"}} in container["envFrom"]
    volumes = {v["name"]: v for v in job["spec"]["template"]["spec"]["volumes"]}
    assert volumes["tenants"]["configMap"]["name"] == "knotenpunkt-tenants"
