"""Every service reads the same: stores are SQL only, routes call handlers, workers run no SQL.

A layer is a module (``store.py``) or a package of modules by aggregate
(``store/partners.py``); the rules are the same either way (DEVELOPERS.md,
"Where a rule lives").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_layers import ROOT
from tests.unit.test_layers_membership import called, imported_names, strings

SERVICES = ("membership", "voting", "events", "notifications")
CLOCK = {"now", "today", "utcnow"}


def layer_modules(service: str, layer: str) -> list[Path]:
    folder = ROOT / "services" / service
    single = folder / f"{layer}.py"
    if single.exists():
        return [single]
    return sorted((folder / layer).glob("*.py"))


def uses(path: Path, service: str, layer: str) -> list[str]:
    prefixes = (
        f"knotenpunkt.services.{service}.{layer}",
        f"knotenpunkt.services.{service}.{layer}",
    )
    return sorted(
        n for n in imported_names(path) if any(n == p or n.startswith(p + ".") for p in prefixes)
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_layer_exists(service):
    for layer in ("api", "schemas", "handlers", "store"):
        assert layer_modules(service, layer), f"{service} has no {layer}"


@pytest.mark.parametrize("service", SERVICES)
def test_stores_are_sql_only(service):
    found = []
    for path in layer_modules(service, "store"):
        name = path.relative_to(ROOT)
        found += [f"{name} imports {n}" for n in uses(path, service, "domain")]
        found += [f"{name} imports {n}" for n in uses(path, service, "handlers")]
        if "add_event" in called(path) or any("messaging" in n for n in imported_names(path)):
            found.append(f"{name} adds events")
        for text in strings(path):
            lowered = text.lower()
            if "now()" in lowered or "current_date" in lowered or "current_timestamp" in lowered:
                found.append(f"{name}: SQL reads the clock: {text.strip()[:60]}")
        if CLOCK & called(path):
            found.append(f"{name} reads the clock")
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_handlers_read_no_clock_and_no_environment(service):
    found = [
        str(path.relative_to(ROOT))
        for path in layer_modules(service, "handlers")
        if (CLOCK | {"from_env", "getenv", "cache", "lru_cache"}) & called(path)
    ]
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_routes_call_handlers_never_store_or_domain(service):
    found = []
    for path in layer_modules(service, "api"):
        name = path.relative_to(ROOT)
        found += [f"{name} imports {n}" for n in uses(path, service, "store")]
        found += [f"{name} imports {n}" for n in uses(path, service, "domain")]
        if "execute" in called(path):
            found.append(f"{name} runs SQL")
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_worker_calls_handlers_and_runs_no_sql(service):
    path = ROOT / "services" / service / "worker.py"
    assert uses(path, service, "store") == [] and uses(path, service, "domain") == []
    assert "execute" not in called(path)
    assert uses(path, service, "handlers") or uses(path, service, "copies")
