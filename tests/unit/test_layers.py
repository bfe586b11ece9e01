"""The layering holds: shared/ never imports a service or the top-level package; stores are SQL only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def package_of(path: Path) -> list[str]:
    """The installed package a file is in: services/portal/x.py → knotenpunkt.services.portal."""
    parts = list(path.resolve().relative_to(ROOT).parent.parts)
    return ["knotenpunkt", *parts] if parts and parts[0] in ("shared", "services") else parts


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, relative imports (``from . import labels``) by full name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package_of(path)[: len(package_of(path)) - node.level + 1]
            if node.module:
                names.add(".".join([*base, node.module]))
            else:
                names.update(".".join([*base, a.name]) for a in node.names)
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


def test_a_service_imports_only_shared_and_itself():
    """The services talk over HTTP and the broker only: no service imports another's code (the
    portal neither: it is a client of the four APIs); what two need lives in shared."""
    found = []
    for folder in sorted(p for p in (ROOT / "services").iterdir() if p.is_dir()):
        own = f"knotenpunkt.services.{folder.name}"
        for path in sorted(folder.rglob("*.py")):
            for name in imported_modules(path):
                if layer(name) == "services" and not (name == own or name.startswith(own + ".")):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    assert found == []


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
