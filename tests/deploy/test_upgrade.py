"""An upgrade as county IT does it (README, "Upgrades and rollback"): the previous release
(deploy/upgrade/previous-release) runs with its demo data and a completed admission, is
backed up, HEAD migrates the same databases and its processes find every record, the
ballot's hash chain and the outbox intact; then the documented rollback — the backup
restored with the old release — gives the old release its data back.

The old release is the tree of its commit (git archive), run by the same interpreter with
the old tree first on its path; real PostgreSQL and RabbitMQ containers of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests

from knotenpunkt.containers import Postgres, RabbitMQ, free_port
from knotenpunkt.shared.auth import issue_token
from knotenpunkt.shared.config import SERVICES, Settings

pytestmark = [pytest.mark.deploy, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
TENANT = "chemnitz"
VOTERS = ("koordinierungsstelle", "migrationsbeauftragte", "ag-leitung-sprache")


def previous_release() -> tuple[str, str]:
    for line in (ROOT / "deploy/upgrade/previous-release").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            tag, commit = line.split()
            return tag, commit
    raise AssertionError("deploy/upgrade/previous-release names no release")


@pytest.fixture(scope="module")
def old_tree(tmp_path_factory) -> Path:
    """The previous release's files, from git (the tag where fetched, else its commit)."""
    tag, commit = previous_release()
    target = tmp_path_factory.mktemp("old-release")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit],
        capture_output=True,
        check=True,
        timeout=120,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    assert (target / "knotenpunkt" / "cli.py").is_file(), tag
    return target


@pytest.fixture(scope="module")
def servers():
    pg, mq = Postgres().start(), RabbitMQ().start()
    try:
        yield pg, mq
    finally:
        mq.stop()
        pg.stop()


class Release:
    """One release's `knotenpunkt` commands and processes against the module's servers."""

    def __init__(self, tree: Path | None, servers, var: Path):
        pg, mq = servers
        self.tree = tree
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("KNOTENPUNKT", "PYTHON"))},
            "DATABASE_URL": pg.url,
            "BROKER_URL": mq.url,
            "KNOTENPUNKT_DEV": "1",
            "KNOTENPUNKT_VAR": str(var),
            "MAIL_DIR": str(var / "mail"),
            "WORKER_OPS_PORT": "0",
            "TENANTS": "",
        }
        if tree is not None:
            self.env["PYTHONPATH"] = str(tree)
        self.processes: list[tuple[subprocess.Popen, object]] = []

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "knotenpunkt.cli", *args],
            cwd=self.tree or ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
        return done.stdout

    def start(self, *args: str) -> None:
        log = open(Path(self.env["KNOTENPUNKT_VAR"]) / f"{'-'.join(args)}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "knotenpunkt.cli", *args],
            cwd=self.tree or ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append((proc, log))

    def web(self, service: str) -> str:
        port = free_port()
        self.start("web", service, "--port", str(port), "--workers", "1", "--threads", "4")
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: requests.get(f"{url}/readyz", timeout=2).ok, f"{service} ready")
        return url

    def stop(self) -> None:
        for proc, _ in self.processes:
            proc.terminate()
        for proc, log in self.processes:
            proc.wait(timeout=60)
            log.close()
        self.processes.clear()


def wait_for(check, what: str, seconds: float = 300.0):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (requests.ConnectionError, requests.Timeout) as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {seconds} s ({last})")


def auth(*roles: str, **kw) -> dict:
    token = issue_token(Settings(), tenant=TENANT, roles=list(roles), **kw)
    return {"Authorization": f"Bearer {token}"}


def snapshot(pg) -> dict:
    """Per database: the rows of every table (counted, as the server's superuser past row-level
    security) and the outbox row by row."""
    found = {}
    for service in SERVICES:
        url = pg.url.rsplit("/", 1)[0] + f"/knotenpunkt_{service}"
        with psycopg.connect(url) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "select tablename from pg_tables where schemaname = 'public'"
                    " and tablename not like '\\_yoyo%' and tablename not like 'yoyo%'"
                )
            ]
            counts = {t: conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
            outbox = conn.execute(
                "select event_id::text, routing_key, sent_at is not null from outbox order by id"
            ).fetchall()
        found[service] = {"counts": counts, "outbox": outbox}
    return found


def admit_one(membership: str, voting: str) -> tuple[str, str]:
    """A Chemnitz admission, as the README's walkthrough: apply, check, every member votes yes."""
    coordinator = auth("coordinator", sub="koord")

    def electorate():  # the voting worker has the body's members from membership's events
        got = requests.get(
            f"{voting}/api/v1/{TENANT}/electorates/vorbereitungsgremium",
            headers=coordinator,
            timeout=10,
        )
        return got.ok and {v["person_id"] for v in got.json()} >= set(VOTERS)

    wait_for(electorate, "the body's members in voting")
    applied = requests.post(
        f"{membership}/api/v1/{TENANT}/applications",
        json={
            "organisation": {"name": "Verein vor dem Upgrade", "kind": "migrant_self_organisation"},
            "contact": {"name": "Ada Upgrade", "email": "ada@example.org"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
        timeout=30,
    )
    assert applied.status_code == 201, applied.text
    app_id = applied.json()["id"]
    checked = requests.post(
        f"{membership}/api/v1/{TENANT}/applications/{app_id}/check",
        json={"complete": True, "plausible": True},
        headers=coordinator,
        timeout=30,
    )
    assert checked.status_code == 200, checked.text

    def ballot():
        found = requests.get(
            f"{voting}/api/v1/{TENANT}/ballots?status=open", headers=coordinator, timeout=10
        ).json()
        return next((b for b in found if b["subject"].get("id") == app_id), None)

    ballot_id = wait_for(ballot, "the admission ballot")["id"]
    for person in VOTERS:
        member = auth("member", sub=person, bodies=["vorbereitungsgremium"])
        cast = requests.post(
            f"{voting}/api/v1/{TENANT}/ballots/{ballot_id}/votes",
            json={"choice": "yes"},
            headers=member,
            timeout=30,
        )
        assert cast.status_code in (200, 201), cast.text

    def admitted():
        got = requests.get(
            f"{membership}/api/v1/{TENANT}/applications/{app_id}", headers=coordinator, timeout=10
        ).json()
        return got["status"] == "admitted" and got

    wait_for(admitted, "the admission decided")
    return app_id, ballot_id


def the_admission_holds(membership: str, voting: str, app_id: str, ballot_id: str) -> None:
    coordinator = auth("coordinator", sub="koord")
    got = requests.get(
        f"{membership}/api/v1/{TENANT}/applications/{app_id}", headers=coordinator, timeout=30
    )
    assert got.status_code == 200 and got.json()["status"] == "admitted", got.text
    record = requests.get(
        f"{voting}/api/v1/{TENANT}/ballots/{ballot_id}/record", headers=coordinator, timeout=30
    )
    assert record.status_code == 200 and record.json()["valid"] is True, record.text
    partners = requests.get(f"{membership}/api/v1/{TENANT}/partners", timeout=30)
    assert partners.status_code == 200 and partners.json()


def test_upgrade_from_the_previous_release_and_roll_back(old_tree, servers, tmp_path):
    pg, _ = servers
    old = Release(old_tree, servers, tmp_path / "old")
    new = Release(None, servers, tmp_path / "new")
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()

    # the previous release, in use: demo data and a completed admission
    old.run("migrate")
    old.run("seed-demo")
    try:
        membership, voting = old.web("membership"), old.web("voting")
        old.start("worker", "membership")
        old.start("worker", "voting")
        app_id, ballot_id = admit_one(membership, voting)
    finally:
        old.stop()
    before = snapshot(pg)
    old.run("backup", str(tmp_path / "backup"))

    # the upgrade: HEAD's migrate, then HEAD's processes
    new.run("migrate")
    after = snapshot(pg)
    for service in SERVICES:
        for table, rows in before[service]["counts"].items():
            assert after[service]["counts"][table] == rows, f"{service}.{table}"
        assert after[service]["outbox"] == before[service]["outbox"], service
    try:
        membership, voting = new.web("membership"), new.web("voting")
        the_admission_holds(membership, voting, app_id, ballot_id)
    finally:
        new.stop()

    # the rollback: the backup restored with the old release, the old release started again
    old.run("restore", str(tmp_path / "backup"))
    assert snapshot(pg) == before
    try:
        membership, voting = old.web("membership"), old.web("voting")
        the_admission_holds(membership, voting, app_id, ballot_id)
    finally:
        old.stop()
