"""What a public body's website must carry (issue 25), without I/O: the tenant file's Impressum,
data protection and accessibility sections are required and checked field by field; every
table with personal data has its sentence for the Datenschutzerklärung, with the tenant's
retention figures; the Leichte Sprache texts keep the rules of Leichte Sprache."""

from __future__ import annotations

import importlib
import re

import pytest
import yaml

from knotenpunkt.services.portal.legal import EASY, easy_texts
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.privacy_statement import (
    MissingNotice,
    missing_notices,
    processings,
    retention_text,
)
from knotenpunkt.shared.tenant_public import text_dir
from knotenpunkt.shared.tenants import TenantRegistry

TENANTS = Settings().tenants_dir
REG = TenantRegistry.load(TENANTS)
SERVICES = ("membership", "voting", "events", "notifications")


def catalogue(service):
    return importlib.import_module(f"knotenpunkt.services.{service}.privacy_catalogue")


def _write(tmp_path, change):
    data = yaml.safe_load((TENANTS / "chemnitz.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "chemnitz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("imprint"), "imprint"),
        (lambda d: d["imprint"].pop("represented_by"), "imprint.represented_by"),
        (lambda d: d["imprint"].pop("editor"), "imprint.editor"),
        (lambda d: d["imprint"].update(postcode="9111"), "imprint.postcode"),
        (lambda d: d["imprint"].update(email="keine-adresse"), "imprint.email"),
        (lambda d: d.pop("data_protection"), "data_protection"),
        (lambda d: d["data_protection"].pop("officer"), "data_protection.officer"),
        (
            lambda d: d["data_protection"].pop("supervisory_authority"),
            "data_protection.supervisory_authority",
        ),
        (lambda d: d.pop("accessibility"), "accessibility"),
        (lambda d: d["accessibility"].update(conformity="meistens"), "accessibility.conformity"),
        (lambda d: d["accessibility"].pop("enforcement"), "accessibility.enforcement"),
        (lambda d: d["accessibility"].pop("assessed_on"), "accessibility.assessed_on"),
        (
            lambda d: d["easy_language"].update(sign_language_video="http://x.example/v"),
            "easy_language.sign_language_video",
        ),
    ],
)
def test_tenants_check_refuses_a_network_without_its_public_duties(tmp_path, capsys, change, field):
    from knotenpunkt.cli import main

    def broken(d):
        d.setdefault("easy_language", {})
        change(d)

    assert main(["tenants", "check", _write(tmp_path, broken)]) == 1
    assert f"{field}: " in capsys.readouterr().err


def test_the_four_networks_have_impressum_data_protection_and_accessibility():
    for key in REG.keys():
        rules = REG.get(key).rules
        imprint = rules["imprint"]
        assert imprint["body"] and imprint["represented_by"] and imprint["editor"]["name"]
        assert re.fullmatch(r"\d{5}", imprint["postcode"])
        assert rules["data_protection"]["officer"]["email"]
        assert rules["data_protection"]["supervisory_authority"]["url"].startswith("https://")
        assert rules["accessibility"]["enforcement"]["url"].startswith("https://")
    # a sign language video only where a network gives one
    videos = {k: REG.get(k).rules["easy_language"]["sign_language_video"] for k in REG.keys()}
    assert [k for k, v in videos.items() if v] == ["mittelsachsen"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_table_with_personal_data_has_its_sentence(service):
    module = catalogue(service)
    assert missing_notices(module.CATALOGUE, module.NOTICES) == []
    assert set(module.NOTICES) <= set(module.CATALOGUE)  # no sentence for a table that is gone


def test_a_table_without_a_sentence_fails():
    module = catalogue("events")
    notices = {k: v for k, v in module.NOTICES.items() if k != "ideas"}
    assert missing_notices(module.CATALOGUE, notices) == ["ideas"]
    with pytest.raises(MissingNotice, match="ideas"):
        processings("events", module.CATALOGUE, notices, REG.get("chemnitz").rules["privacy"])


@pytest.mark.parametrize("service", SERVICES)
def test_the_statement_names_each_processing_with_the_tenants_figures(service):
    module = catalogue(service)
    for key in REG.keys():
        privacy = REG.get(key).rules["privacy"]
        found = processings(service, module.CATALOGUE, module.NOTICES, privacy)
        personal = sorted(t for t, e in module.CATALOGUE.items() if e["personal"])
        assert [p["table"] for p in found] == personal
        for p in found:
            assert "privacy." not in p["retention"]
            assert p["legal_basis_text"].startswith("Art. 6 Abs. 1")
            assert p["sentence"].endswith(".")


def test_retention_takes_the_tenants_settings():
    text = "nach privacy.applications_months Monaten, Protokoll privacy.delivery_log_days Tage"
    assert retention_text(text, {"applications_months": 3, "delivery_log_days": 30}) == (
        "nach 3 Monaten, Protokoll 30 Tage"
    )


# --- Leichte Sprache ---------------------------------------------------------------------------

ABBREVIATIONS = re.compile(
    r"\b(z\. ?B\.|bzw\.|usw\.|ca\.|d\. ?h\.|u\. ?a\.|ggf\.|evtl\.|Nr\.|Abs\.)"
)
PASSIVE = re.compile(r"\b(wird|werden|wurde|wurden|worden)\b")


@pytest.mark.parametrize("key", sorted(REG.keys()))
def test_the_leichte_sprache_texts_keep_its_rules(key):
    """Short sentences (at most 12 words), one statement each (no comma or semicolon joining
    clauses), no passive, no abbreviations; every section filled."""
    texts = easy_texts(REG.get(key).rules)
    assert set(texts) == set(EASY) and all(texts.values())
    for sentences in texts.values():
        for s in sentences:
            words = s.split()
            assert len(words) <= 12, s
            assert "," not in s and ";" not in s, s
            assert not PASSIVE.search(s) and not ABBREVIATIONS.search(s), s
            assert s[-1] in ".?!" or "@" in s or s.split(":")[-1].strip()[-1].isdigit(), s


def test_a_network_replaces_a_leichte_sprache_section_in_its_file():
    rules = {**REG.get("saalekreis").rules}
    rules["easy_language"] = {**rules["easy_language"], "contact": ["Rufen Sie uns an."]}
    texts = easy_texts(rules)
    assert texts["contact"] == ["Rufen Sie uns an."]
    assert texts["content"][0].startswith("Auf dieser Internet-Seite")
    # Saalekreis has a telephone number at its contact point, Chemnitz gives the Impressum's
    assert any("03461 40 2228" in s for s in easy_texts(REG.get("saalekreis").rules)["contact"])


def test_right_to_left_languages():
    assert text_dir("ar") == "rtl" and text_dir("fa") == "rtl" and text_dir("de") == "ltr"
    assert text_dir(None) == "ltr"
