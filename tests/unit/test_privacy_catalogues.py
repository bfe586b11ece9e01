"""Every column in a service's migrations is classified by that service's data catalogue."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from knotenpunkt.shared.privacy import LEGAL_BASES, migration_columns, unclassified

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("membership", "voting", "events", "notifications")


def catalogue(service):
    return importlib.import_module(f"knotenpunkt.services.{service}.privacy_catalogue").CATALOGUE


@pytest.mark.parametrize("service", SERVICES)
def test_every_migrated_column_is_classified(service):
    assert unclassified(ROOT / "services" / service / "migrations", catalogue(service)) == []


@pytest.mark.parametrize("service", SERVICES)
def test_personal_tables_name_purpose_basis_and_retention(service):
    for table, entry in catalogue(service).items():
        assert entry["legal_basis"] in LEGAL_BASES, table
        assert not set(entry["personal"]) & set(entry["other"]), table
        if entry["personal"]:
            assert entry["purpose"] and entry["retention"] and entry["legal_basis"] != "none", table


def test_an_unclassified_column_fails(tmp_path):
    (tmp_path / "0001.sql").write_text(
        "create table t (\n    tenant text not null,\n    name text\n);\n"
        "alter table t add column email text;\n"
    )
    cat = {"t": {"personal": ("name",), "other": ("tenant",)}}
    assert migration_columns(tmp_path) == {"t": {"tenant", "name", "email"}}
    assert unclassified(tmp_path, cat) == ["t.email"]
