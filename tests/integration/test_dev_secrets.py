"""make run's secrets are its own (issue 27, finding 8): made at random at the first start,
kept in var/dev-secrets.json readable by the owner only, read by `knotenpunkt token`; a token
or link signed with the public development secrets from the source is refused."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time

import requests

from knotenpunkt.shared.auth import issue_token
from knotenpunkt.shared.config import (
    DEV_JWT_SECRET,
    DEV_LINK_SECRET,
    Settings,
    development_secrets,
)
from tests.support import free_port


def test_the_secrets_are_made_once_at_random_and_kept_private(tmp_path):
    first = development_secrets(tmp_path)
    path = tmp_path / "dev-secrets.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert set(first) == {"JWT_SECRET", "LINK_SECRET", "PORTAL_SECRET_KEY"}
    assert len(set(first.values())) == 3
    assert DEV_JWT_SECRET not in first.values() and DEV_LINK_SECRET not in first.values()
    assert all(len(v.encode()) >= 32 for v in first.values())
    assert development_secrets(tmp_path) == first  # kept between runs
    assert development_secrets(tmp_path / "other") != first  # another instance, other secrets


def test_make_run_gives_its_processes_the_file_s_secrets(tmp_path):
    env = {**os.environ, "KNOTENPUNKT_VAR": str(tmp_path / "var"), "EMBEDDED_PG_PORT": "9"}
    for name in ("JWT_SECRET", "LINK_SECRET", "PORTAL_SECRET_KEY", "DATABASE_URL"):
        env.pop(name, None)
    probe = (
        "import json, os, knotenpunkt.devserver as d\n"
        "d.EmbeddedPostgres.start = lambda self: (_ for _ in ()).throw(KeyboardInterrupt)\n"
        "d.run(with_seed=False)\n"
        "print(json.dumps({k: os.environ[k] for k in "
        "('JWT_SECRET', 'LINK_SECRET', 'PORTAL_SECRET_KEY')}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    given = json.loads(done.stdout.strip().splitlines()[-1])
    assert given == json.loads((tmp_path / "var" / "dev-secrets.json").read_text())


def test_a_token_of_the_public_secret_is_refused_and_knotenpunkt_token_s_accepted(tmp_path):
    var = tmp_path / "var"
    secrets = development_secrets(var)
    port = free_port()
    env = {
        **os.environ,
        **secrets,
        "KNOTENPUNKT_VAR": str(var),
        "KNOTENPUNKT_DEV": "1",
        # no database: the token is checked before any is needed (then 503)
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "knotenpunkt.cli",
            "web",
            "voting",
            "--port",
            str(port),
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        forged = issue_token(Settings(), tenant="chemnitz", roles=["coordinator"])
        url = f"{base}/api/v1/chemnitz/ballots"
        refused = requests.get(url, headers={"Authorization": f"Bearer {forged}"}, timeout=10)
        assert refused.status_code == 401, refused.text
        cli_env = {k: v for k, v in env.items() if k not in ("JWT_SECRET", "LINK_SECRET")}
        minted = subprocess.run(
            [
                sys.executable,
                "-m",
                "knotenpunkt.cli",
                "token",
                "--tenant",
                "chemnitz",
                "--role",
                "coordinator",
            ],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
        accepted = requests.get(url, headers={"Authorization": f"Bearer {minted}"}, timeout=30)
        assert accepted.status_code == 503, accepted.text  # past the token, to the database
    finally:
        proc.terminate()
        proc.wait(timeout=30)
