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


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_shared_imports_no_service_and_not_the_composition_root():
    assert offenders("shared", ("services", "knotenpunkt", "tests", "bench")) == []


def test_services_do_not_import_the_composition_root_or_tests():
    assert offenders("services", ("knotenpunkt", "tests", "bench")) == []


def test_benchmarks_do_not_import_tests():
    assert offenders("bench", ("tests",)) == []
