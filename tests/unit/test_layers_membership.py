"""Membership's layers: stores are SQL only, routes call handlers, the worker runs no SQL."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.test_layers import ROOT, imported_modules

SERVICE = ROOT / "services" / "membership"
PACKAGE = "knotenpunkt.services.membership"
AGGREGATES = ("partners", "applications", "working_groups", "monitoring", "directories")


def modules(layer: str) -> list[Path]:
    return sorted((SERVICE / layer).glob("*.py"))


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def called(path: Path) -> set[str]:
    """Names of the functions and methods a module calls (``f(…)``, ``x.f(…)``)."""
    names = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def imported_names(path: Path) -> set[str]:
    """Every module and every name a module imports (``from m import n`` gives m and m.n)."""
    names = set(imported_modules(path))
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def strings(path: Path) -> list[str]:
    return [
        node.value
        for node in ast.walk(tree(path))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def uses(path: Path, layer: str) -> list[str]:
    prefix = f"{PACKAGE}.{layer}"
    return sorted(n for n in imported_names(path) if n == prefix or n.startswith(prefix + "."))


def test_every_layer_has_one_module_per_aggregate():
    for layer in ("api", "schemas", "domain", "handlers", "store"):
        names = {p.stem for p in modules(layer)}
        assert set(AGGREGATES) <= names, layer
    assert not (SERVICE / "store.py").exists() and not (SERVICE / "api.py").exists()


def test_stores_import_no_domain_and_add_no_events():
    found = []
    for path in modules("store"):
        found += [f"{path.name} imports {n}" for n in uses(path, "domain") + uses(path, "handlers")]
        if "add_event" in called(path) or any("messaging" in n for n in imported_names(path)):
            found.append(f"{path.name} adds events")
    assert found == []


def test_stores_take_the_time_as_a_parameter():
    found = []
    for path in modules("store"):
        for text in strings(path):
            lowered = text.lower()
            if "now()" in lowered or "current_date" in lowered or "current_timestamp" in lowered:
                found.append(f"{path.name}: {text.strip()[:60]}")
        if {"now", "today", "utcnow"} & called(path):
            found.append(f"{path.name} reads the clock")
    assert found == []


def test_handlers_read_no_clock_and_no_environment():
    found = []
    for path in modules("handlers"):
        if {"now", "today", "utcnow", "from_env"} & called(path):
            found.append(f"{path.name} reads the clock or the environment")
    assert found == []


def test_routes_import_handlers_and_schemas_never_store_or_domain():
    found = []
    for path in modules("api"):
        found += [
            f"api/{path.name} imports {n}" for n in uses(path, "store") + uses(path, "domain")
        ]
        if "execute" in called(path):
            found.append(f"api/{path.name} runs SQL")
    assert found == []


def test_the_worker_calls_handlers_and_runs_no_sql():
    path = SERVICE / "worker.py"
    assert uses(path, "store") == [] and uses(path, "domain") == []
    assert "execute" not in called(path)
    assert uses(path, "handlers")


def test_handlers_reach_the_store_only_through_the_context():
    """ctx.store.<module>.<function>(conn, …): no handler imports the store, none writes to
    the outbox but through shared.usecase.emit."""
    found = []
    for path in modules("handlers"):
        found += [f"handlers/{path.name} imports {n}" for n in uses(path, "store")]
        if "add_event" in called(path) or any("messaging" in n for n in imported_names(path)):
            found.append(f"handlers/{path.name} adds events itself")
    assert found == []


def test_no_module_over_450_lines():
    long = [
        f"{path.relative_to(SERVICE)}: {n}"
        for path in sorted(SERVICE.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 450
    ]
    assert long == []
