"""Events' layers in the shape of issue #21: handlers reach SQL only through ``ctx.store``,
events go out only through ``shared.usecase.emit``, no module over 450 lines."""

from __future__ import annotations

from tests.unit.test_layers import ROOT
from tests.unit.test_layers_membership import called, imported_names

SERVICE = ROOT / "services" / "events"
PACKAGE = "knotenpunkt.services.events"
PARTS = ("meetings", "agendas", "submissions", "invitations", "minutes")


def python_modules():
    return sorted(p for p in SERVICE.rglob("*.py") if "migrations" not in p.parts)


def test_handlers_import_no_store():
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((SERVICE / "handlers").glob("*.py"))
        for name in imported_names(path)
        if name == f"{PACKAGE}.store" or name.startswith(f"{PACKAGE}.store.")
    ]
    assert found == []


def test_the_store_package_has_its_modules_as_attributes():
    from knotenpunkt.services.events import store

    modules = {p.stem for p in (SERVICE / "store").glob("*.py")} - {"__init__"}
    assert {m for m in modules if hasattr(store, m)} == modules


def test_events_go_out_through_the_shared_emit_only():
    found = []
    for path in python_modules():
        if "add_event" in called(path) or f"{PACKAGE}.handlers.emit" in imported_names(path):
            found.append(str(path.relative_to(ROOT)))
        if "SERVICE" in (path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)} names SERVICE")
    assert found == []


def test_no_module_is_longer_than_450_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in python_modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert long == {}


def test_every_part_of_a_meeting_has_its_modules():
    for layer in ("handlers", "store", "schemas"):
        names = {p.stem for p in (SERVICE / layer).glob("*.py")}
        assert set(PARTS) <= names, layer
    # an agenda has no rules of its own
    assert set(PARTS) - {"agendas"} <= {p.stem for p in (SERVICE / "domain").glob("*.py")}
    assert not (SERVICE / "copies.py").exists()
    assert (SERVICE / "handlers" / "copies.py").exists()
    assert (SERVICE / "store" / "copies.py").exists()
