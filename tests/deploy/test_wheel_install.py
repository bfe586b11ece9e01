"""Installed as county IT installs it: the built wheel in a fresh virtualenv, without the test extra.

Every process starts from there — `migrate`, the four web processes and the four
workers — against the test containers, from a working directory outside the
checkout, with the tenant files in a folder of their own: nothing is looked up
inside site-packages, every runtime import is a runtime dependency.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from knotenpunkt.shared.config import ROOT, SERVICES
from tests.support import free_port

pytestmark = [pytest.mark.deploy, pytest.mark.integration]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtualenv with the project's wheel and its runtime dependencies only."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(
        ROOT,
        src,
        symlinks=True,  # knotenpunkt/shared and knotenpunkt/services stay links, as committed
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "build", "*.egg-info", "__pycache__", "tests", "bench"
        ),
    )
    wheels = base / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(src)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("knotenpunkt-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    find_links = []
    wheelhouse = ROOT / "var" / "wheelhouse"  # make image's, when there: no index needed
    if wheelhouse.is_dir():
        find_links = ["--find-links", str(wheelhouse)]
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *find_links, str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return venv


def test_only_the_project_name_is_installed(installed):
    site = next((installed / "lib").glob("python3*/site-packages"))
    ours = {
        p.name
        for p in site.iterdir()
        if p.name in ("shared", "services", "knotenpunkt", "deploy", "tests", "bench")
    }
    assert ours == {"knotenpunkt"}, ours
    top = site / "knotenpunkt-0.1.0.dist-info" / "top_level.txt"
    if top.exists():
        assert top.read_text().split() == ["knotenpunkt"]
    for test_only in ("pytest", "testcontainers", "hypothesis", "schemathesis"):
        assert not (site / test_only).exists(), test_only


def test_every_process_starts_from_the_installed_package(installed, settings, tmp_path):
    tenants = tmp_path / "tenants"
    shutil.copytree(ROOT / "deploy" / "tenants", tenants)
    workdir = tmp_path / "run"
    workdir.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": settings.database_url,
        "BROKER_URL": settings.broker_url,
        "JWT_SECRET": secrets.token_urlsafe(48),
        "LINK_SECRET": secrets.token_urlsafe(48),
        "TENANTS_DIR": str(tenants),
        "KNOTENPUNKT_VAR": str(tmp_path / "var"),
        "LOG_LEVEL": "WARNING",
        "WEB_WORKERS": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    cli = str(installed / "bin" / "knotenpunkt")
    migrated = subprocess.run(
        [cli, "migrate"], env=env, cwd=workdir, capture_output=True, text=True, timeout=300
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    checked = subprocess.run(
        [cli, "tenants", "check"], env=env, cwd=workdir, capture_output=True, text=True
    )
    assert checked.returncode == 0 and "chemnitz.yaml" in checked.stdout, checked.stderr

    procs = []
    try:
        web_ports, ops_ports = {}, {}
        for service in SERVICES:
            web_ports[service] = free_port()
            ops_ports[service] = free_port()
            procs.append(
                subprocess.Popen(
                    [cli, "web", service, "--port", str(web_ports[service])],
                    env=env,
                    cwd=workdir,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
            procs.append(
                subprocess.Popen(
                    [cli, "worker", service],
                    env={**env, "WORKER_OPS_PORT": str(ops_ports[service])},
                    cwd=workdir,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
        for service in SERVICES:
            web = f"http://127.0.0.1:{web_ports[service]}"
            wait_ready(web + "/readyz", procs)
            doc = requests.get(web + "/api/v1/openapi.json", timeout=5)
            assert doc.status_code == 200 and doc.json()["paths"], service
            wait_ready(f"http://127.0.0.1:{ops_ports[service]}/readyz", procs)
        rules = requests.get(
            f"http://127.0.0.1:{web_ports['membership']}/api/v1/chemnitz/rules", timeout=5
        )
        assert rules.status_code == 200 and rules.json()["key"] == "chemnitz"
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
            p.stderr.close()


def wait_ready(url: str, procs, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        dead = [p for p in procs if p.poll() is not None]
        if dead:
            raise AssertionError(
                f"{dead[0].args} exited {dead[0].returncode}: "
                + dead[0].stderr.read().decode()[-3000:]
            )
        try:
            resp = requests.get(url, timeout=5)
            if resp.status_code == 200:
                return
            last = resp.text
        except requests.ConnectionError as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"{url} not ready within {seconds}s: {last}")
