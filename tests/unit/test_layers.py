"""The layering holds: shared/ never imports a service or the top-level package; stores are SQL only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def layer(name: str) -> str:
    """The part of the house a module belongs to: shared, services, knotenpunkt (the
    composition root), tests, bench — or the third-party package it is."""
    parts = name.split(".")
    if parts[0] == "knotenpunkt" and len(parts) > 1 and parts[1] in ("shared", "services"):
        return parts[1]
    return parts[0]


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in imported_modules(path):
            if layer(name) in forbidden:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_shared_imports_no_service_and_not_the_composition_root():
    assert offenders("shared", ("services", "knotenpunkt", "tests", "bench")) == []


def test_services_do_not_import_the_composition_root_or_tests():
    assert offenders("services", ("knotenpunkt", "tests", "bench")) == []


def test_benchmarks_do_not_import_tests():
    assert offenders("bench", ("tests",)) == []


def test_the_code_is_imported_under_the_project_name_only():
    """shared and services are knotenpunkt.shared and knotenpunkt.services: a bare `shared`
    would load a second copy of every module (and is not installed at all)."""
    found = []
    for folder in ("shared", "services", "knotenpunkt", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for name in imported_modules(path):
                if name.split(".")[0] in ("shared", "services"):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    assert found == []
