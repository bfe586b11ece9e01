"""Tenant files: the four networks load; each kind of mistake names file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.tenants import TenantConfigError, TenantRegistry, load_file

TENANTS = Settings().tenants_dir


def test_the_four_networks_load():
    reg = TenantRegistry.load(TENANTS)
    assert reg.keys() == ["chemnitz", "magdeburg", "mittelsachsen", "saalekreis"]
    chemnitz = reg.get("chemnitz")
    assert chemnitz.membership["mode"] == "application"
    assert chemnitz.membership["admitting_body"] == "vorbereitungsgremium"
    assert chemnitz.membership["decision_days"] == 14
    body = chemnitz.body("vorbereitungsgremium")
    assert body["decision_rule"] == "simple_majority"
    assert body["reasons_required_for"] == ["no"]
    assert chemnitz.rules["directory"]["publication_months"] == 6
    assert chemnitz.rules["directory"]["mark_new_partners"] is True
    assert reg.get("saalekreis").membership["mode"] == "open"
    assert reg.get("saalekreis").rules["directory"]["doctors"] is True
    pg = reg.get("magdeburg").body("projektgruppe")
    assert pg["decision_rule"] == "consensus" and pg["binding"] is False
    assert pg["meeting"]["weekdays"] == ["wednesday"]
    assert pg["meeting"]["window"] == {"start": "13:00", "end": "15:30"}
    assert pg["meeting"]["max_minutes"] == 60
    assert len(reg.get("magdeburg").rules["policy_fields"]) >= 10
    assert reg.get("mittelsachsen").rules["directory"]["responsibility_matrix"] is True
    ak = reg.get("mittelsachsen").body("arbeitskreis-bildung-arbeit")
    assert ak["meeting"]["convened_by"] == "education_coordinators"


def _broken(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((TENANTS / "chemnitz.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "chemnitz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(TenantConfigError) as info:
        load_file(path)
    return str(info.value)


def test_unknown_key_names_file_and_field(tmp_path):
    path = _broken(tmp_path, lambda d: d["membership"].update(decision_dayz=14))
    msg = _error(path)
    assert str(path) in msg and "membership.decision_dayz: unknown key" in msg


def test_wrong_type_names_file_and_field(tmp_path):
    path = _broken(tmp_path, lambda d: d["membership"].update(decision_days="vierzehn"))
    msg = _error(path)
    assert str(path) in msg and "membership.decision_days: Not a valid integer" in msg


def test_unknown_admitting_body(tmp_path):
    path = _broken(tmp_path, lambda d: d["membership"].update(admitting_body="stadtrat"))
    msg = _error(path)
    assert "membership.admitting_body: names no body of this network: 'stadtrat'" in msg
    assert "vorbereitungsgremium" in msg


def test_bad_time_window(tmp_path):
    def change(d):
        d["bodies"][0]["meeting"]["window"] = {"start": "15:30", "end": "13:00"}

    msg = _error(_broken(tmp_path, change))
    assert "bodies.0.meeting.window.end: must be later than start" in msg
    path = _broken(
        tmp_path,
        lambda d: d["bodies"][0]["meeting"].update(window={"start": "25:00", "end": "26:00"}),
    )
    assert "bodies.0.meeting.window.start: must be a time of day as HH:MM" in _error(path)


def test_unknown_decision_rule_and_wrong_choice(tmp_path):
    path = _broken(tmp_path, lambda d: d["bodies"][0].update(decision_rule="majority"))
    assert "bodies.0.decision_rule: Must be one of" in _error(path)
    path = _broken(tmp_path, lambda d: d["bodies"][0].update(reasons_required_for=["object"]))
    assert "'object' is no choice under simple_majority" in _error(path)


def test_application_mode_needs_body_and_days(tmp_path):
    path = _broken(tmp_path, lambda d: d["membership"].pop("decision_days"))
    assert "membership.decision_days: is required when mode is 'application'" in _error(path)


def test_yaml_syntax_error_and_key_mismatch(tmp_path):
    bad = tmp_path / "chemnitz.yaml"
    bad.write_text("key: chemnitz\nname: [unclosed\n", encoding="utf-8")
    assert "is not valid YAML (line" in _error(bad)
    other = tmp_path / "leipzig.yaml"
    shutil.copy(TENANTS / "chemnitz.yaml", other)
    assert "key: 'chemnitz' differs from the file name 'leipzig'" in _error(other)


def test_a_fifth_network_is_one_more_file(tmp_path):
    for f in TENANTS.glob("*.yaml"):
        shutil.copy(f, tmp_path)
    data = yaml.safe_load((TENANTS / "saalekreis.yaml").read_text(encoding="utf-8"))
    data["key"] = "leipzig"
    data["name"] = "Netzwerk Leipzig"
    (tmp_path / "leipzig.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    assert "leipzig" in TenantRegistry.load(tmp_path)


def test_cli_check_reports_bad_file(tmp_path, capsys):
    from knotenpunkt.cli import main

    path = _broken(tmp_path, lambda d: d["membership"].update(admitting_body="stadtrat"))
    assert main(["tenants", "check", str(path)]) == 1
    assert "membership.admitting_body" in capsys.readouterr().err
    assert main(["tenants", "check", str(TENANTS / "magdeburg.yaml")]) == 0


def test_each_network_sends_as_itself(tmp_path):
    registry = TenantRegistry.load(TENANTS)
    fallback = "Knotenpunkt <no-reply@example.org>"
    chemnitz, saalekreis = registry.get("chemnitz"), registry.get("saalekreis")
    assert chemnitz.sender(fallback) == "Integrationsnetzwerk Chemnitz <no-reply@example.org>"
    assert saalekreis.sender(fallback) == "Netzwerk Integration Saalekreis <no-reply@example.org>"
    assert chemnitz.reply_to() == "integrationsnetzwerk@stadt-chemnitz.de"
    data = yaml.safe_load((TENANTS / "chemnitz.yaml").read_text(encoding="utf-8"))
    data["mail"] = {"from_name": "Netzwerk C", "from_address": "netzwerk@example.org"}
    (tmp_path / "chemnitz.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    own = load_file(tmp_path / "chemnitz.yaml")
    assert own.sender(fallback) == "Netzwerk C <netzwerk@example.org>"
    data["mail"] = {"from_address": "not an address"}
    (tmp_path / "chemnitz.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    assert "mail.from_address" in _error(tmp_path / "chemnitz.yaml")


def test_cli_check_warns_when_two_networks_share_a_contact_address(tmp_path, capsys):
    from knotenpunkt.cli import main

    data = yaml.safe_load((TENANTS / "chemnitz.yaml").read_text(encoding="utf-8"))
    data["key"] = "leipzig"
    (tmp_path / "leipzig.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    shutil.copy(TENANTS / "chemnitz.yaml", tmp_path)
    files = [str(tmp_path / "chemnitz.yaml"), str(tmp_path / "leipzig.yaml")]
    assert main(["tenants", "check", *files]) == 0
    err = capsys.readouterr().err
    address = data["contact_point"]["email"]
    assert f"WARNUNG contact_point.email {address} steht in mehreren Netzwerken" in err
    assert "(chemnitz, leipzig)" in err
    assert main(["tenants", "check", *map(str, sorted(TENANTS.glob("*.yaml")))]) == 0
    assert "WARNUNG" not in capsys.readouterr().err


def test_legislative_terms_are_checked_and_become_oparl_terms(tmp_path):
    from knotenpunkt.services.membership.domain import oparl

    def terms(*given):
        return lambda d: d.setdefault("oparl", {}).update(legislative_terms=list(given))

    wrong = {"key": "2024-2026", "name": "Arbeitsperiode", "start_date": "2026-01-01"}
    wrong["end_date"] = "2024-01-01"
    msg = _error(_broken(tmp_path, terms(wrong)))
    assert "oparl.legislative_terms.0.end_date: ends before it starts" in msg
    msg = _error(_broken(tmp_path, terms({"key": "Zwei Wörter", "name": "x"})))
    assert "oparl.legislative_terms.0.key" in msg
    term = {"key": "2024-2026", "name": "Arbeitsperiode 2024–2026", "start_date": "2024-01-01"}
    tenant = load_file(_broken(tmp_path, terms({**term, "end_date": "2026-12-31"})))
    root = "https://rats.example.org/oparl/v1/chemnitz"
    (made,) = oparl.legislative_terms(root, "chemnitz", tenant.rules["oparl"])
    assert made == {
        "id": f"{root}/legislativeterm/2024-2026",
        "type": oparl.OPARL + "LegislativeTerm",
        "body": f"{root}/body/chemnitz",
        "name": "Arbeitsperiode 2024–2026",
        "startDate": "2024-01-01",
        "endDate": "2026-12-31",
    }
    # none in the tenant file: one open term
    (open_term,) = oparl.legislative_terms(
        root, "chemnitz", load_file(TENANTS / "chemnitz.yaml").rules["oparl"]
    )
    assert open_term["id"].endswith("/legislativeterm/laufend") and "endDate" not in open_term
