"""The house holds its shape. Imports between layers are import-linter contracts
(pyproject.toml, tests/unit/test_import_contracts.py); this file checks what an import graph
cannot see: every module of every service, read as text and as a syntax tree.

- every service has the same rooms, as packages (api, schemas, handlers, domain, store) and
  modules (app, bootstrap, worker), and its store exposes its modules (ctx.store.<module>);
- no module in services/ or shared/ is over 450 lines;
- stores take the time as a value (no SQL now(), no clock), handlers read no clock and no
  environment, routes and workers run no SQL, events leave only through shared.usecase.emit;
- the code is imported as knotenpunkt.shared / knotenpunkt.services only (tests, bench too),
  and the benchmarks do not import the tests.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("membership", "voting", "events", "notifications")
PACKAGES = ("api", "schemas", "handlers", "domain", "store")
MODULES = ("app", "bootstrap", "worker")
CLOCK = {"now", "today", "utcnow"}
MAX_LINES = 450


def modules(service: str, room: str) -> list[Path]:
    folder = ROOT / "services" / service
    return (
        sorted((folder / room).rglob("*.py"))
        if (folder / room).is_dir()
        else [folder / f"{room}.py"]
    )


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


def strings(path: Path) -> list[str]:
    return [
        n.value
        for n in ast.walk(tree(path))
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_rooms(service):
    folder = ROOT / "services" / service
    missing = [p for p in PACKAGES if not (folder / p / "__init__.py").is_file()]
    missing += [m for m in MODULES if not (folder / f"{m}.py").is_file()]
    missing += [] if (folder / "migrations").is_dir() else ["migrations"]
    assert missing == []
    assert (folder / "handlers" / "privacy.py").is_file() and (
        folder / "store" / "privacy.py"
    ).is_file()
    assert not (folder / "copies.py").exists() and not list(folder.glob("privacy_store.py"))
    store = importlib.import_module(f"knotenpunkt.services.{service}.store")
    assert {p.stem for p in (folder / "store").glob("*.py")} - {"__init__"} <= set(vars(store))


def test_no_module_is_over_450_lines():
    long = [
        f"{p.relative_to(ROOT)}: {n}"
        for folder in ("services", "shared")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert long == []


@pytest.mark.parametrize("service", SERVICES)
def test_stores_take_the_time_as_a_value(service):
    found = []
    for path in modules(service, "store"):
        name = path.relative_to(ROOT)
        for text in strings(path):
            lowered = text.lower()
            if "now()" in lowered or "current_date" in lowered or "current_timestamp" in lowered:
                found.append(f"{name}: SQL reads the clock: {text.strip()[:60]}")
        if CLOCK & called(path):
            found.append(f"{name} reads the clock")
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_handlers_read_no_clock_no_environment_and_emit_only_through_usecase(service):
    found = []
    for path in modules(service, "handlers"):
        calls = called(path)
        if (CLOCK | {"from_env", "getenv", "cache", "lru_cache"}) & calls:
            found.append(f"{path.relative_to(ROOT)} reads the clock or the environment")
        if "add_event" in calls or "add_event" in path.read_text(encoding="utf-8"):
            found.append(f"{path.relative_to(ROOT)} writes the outbox itself (use emit)")
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_routes_and_workers_run_no_sql(service):
    paths = modules(service, "api") + modules(service, "worker")
    assert [str(p.relative_to(ROOT)) for p in paths if "execute" in called(p)] == []


def test_no_service_defines_its_own_service_name_or_emit():
    found = []
    for service in SERVICES:
        for path in sorted((ROOT / "services" / service).rglob("*.py")):
            for node in tree(path).body:
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "SERVICE" for t in node.targets
                ):
                    found.append(f"{path.relative_to(ROOT)} defines SERVICE")
                if isinstance(node, ast.FunctionDef) and node.name in ("emit", "_emit"):
                    found.append(f"{path.relative_to(ROOT)} defines {node.name}")
    assert found == []


def test_benchmarks_do_not_import_tests():
    found = [
        f"{p.relative_to(ROOT)} imports {n}"
        for p in sorted((ROOT / "bench").rglob("*.py"))
        for n in imported_modules(p)
        if n.split(".")[0] == "tests"
    ]
    assert found == []


def test_the_code_is_imported_under_the_project_name_only():
    """shared and services are knotenpunkt.shared and knotenpunkt.services: a bare `shared`
    would load a second copy of every module (and is refused by shared/__init__.py)."""
    found = [
        f"{p.relative_to(ROOT)} imports {n}"
        for folder in ("shared", "services", "knotenpunkt", "tests", "bench")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if not p.is_symlink()
        and "knotenpunkt/shared" not in str(p)
        and "knotenpunkt/services" not in str(p)
        for n in imported_modules(p)
        if n.split(".")[0] in ("shared", "services")
    ]
    assert found == []
