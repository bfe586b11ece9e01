"""The import rules hold as import-linter contracts (pyproject.toml, [tool.importlinter]), and
the tools that read imports find the code: the import graph, an editor's language server, and
the interpreter refusing a second copy under a bare name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import jedi

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "7 kept, 0 broken" in done.stdout


def test_the_import_graph_sees_every_service_module():
    graph = grimp.build_graph("knotenpunkt", cache_dir=None)
    imported = graph.find_modules_directly_imported_by("knotenpunkt.services.voting.handlers.votes")
    assert "knotenpunkt.shared.usecase" in imported
    for service in ("membership", "voting", "events", "notifications", "portal"):
        assert f"knotenpunkt.services.{service}.app" in graph.modules


def test_go_to_definition_finds_the_file():
    source = "from knotenpunkt.services.voting.handlers.votes import cast_vote\n"
    script = jedi.Script(source, path=str(ROOT / "probe.py"), project=jedi.Project(str(ROOT)))
    (found,) = script.goto(1, source.index("cast_vote") + 2, follow_imports=True)
    assert Path(found.module_path).resolve() == ROOT / "services/voting/handlers/votes.py"
    assert found.name == "cast_vote"


def test_a_bare_shared_import_is_refused():
    for name in ("shared", "shared.errors", "services"):
        done = subprocess.run(
            [sys.executable, "-c", f"import {name}"], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode != 0 and "ImportError" in done.stderr, name
    ok = subprocess.run(
        [sys.executable, "-c", "import knotenpunkt.shared.errors as e; print(e.NotFound)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "knotenpunkt.shared.errors.NotFound" in ok.stdout
