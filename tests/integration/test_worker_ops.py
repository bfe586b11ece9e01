"""Workers tell their operators how they are: readiness, outbox backlog, queues, unknown tenants.

A real voting worker runs (relay, jobs, consumer) on the test containers with its
ops endpoints on a free port; a web process says "degraded" when its outbox ages.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
import requests

from knotenpunkt.wiring import worker_for
from tests.support import free_port


def wait_until(check, what: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
        except requests.ConnectionError:  # the worker is still starting
            result = None
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {seconds}s")


@pytest.fixture
def running_worker(settings, tenants):
    port = free_port()
    w = worker_for("voting", settings=settings.with_(worker_ops=port), tenants=tenants)
    thread = threading.Thread(target=w.run, name="voting-worker", daemon=True)
    thread.start()
    yield w, f"http://127.0.0.1:{port}"
    w.stop.set()
    if w.running is not None:
        w.running.should_stop = True
    thread.join(timeout=20)
    assert not thread.is_alive()


def metric(text: str, name: str, **labels) -> float | None:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    prefix = f"{name}{{{want}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(prefix + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_worker_readiness_and_metrics(running_worker, settings):
    w, url = running_worker
    ready = wait_until(
        lambda: (r := requests.get(url + "/readyz", timeout=5)).status_code == 200 and r,
        "the worker ready",
    )
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "consumer": "ok"}
    text = requests.get(url + "/metrics", timeout=5).text
    for tenant in ("chemnitz", "saalekreis", "magdeburg", "mittelsachsen"):
        assert metric(text, "knotenpunkt_outbox_backlog", tenant=tenant) is not None
        assert metric(text, "knotenpunkt_outbox_oldest_unsent_seconds", tenant=tenant) is not None
    for queue in ("voting.events", "voting.events.delay", "voting.events.dead"):
        assert metric(text, "knotenpunkt_queue_messages", queue=queue) is not None
    assert metric(text, "knotenpunkt_events_processed_total") is not None

    # an event committed for a network this worker does not serve is told, not silent
    with psycopg.connect(settings.admin_url(settings.service_database("voting"))) as conn:
        conn.execute(
            "insert into outbox (tenant, event_id, routing_key, envelope)"
            " values ('leipzig', %s, 'leipzig.voting.ballot.opened', '{}')",
            (uuid.uuid4(),),
        )
    try:
        wait_until(
            lambda: (
                metric(
                    requests.get(url + "/metrics", timeout=5).text,
                    "knotenpunkt_outbox_unknown_tenant_notices_total",
                    tenant="leipzig",
                )
                == 1.0
            ),
            "the unknown tenant counted",
        )
    finally:
        with psycopg.connect(settings.admin_url(settings.service_database("voting"))) as conn:
            conn.execute("delete from outbox where tenant = 'leipzig'")


def test_without_the_broker_the_worker_is_not_ready_and_comes_back_by_itself(settings, tenants):
    from tests.support import RabbitMQ

    mq = RabbitMQ(fixed_port=True).start()
    port = free_port()
    w = worker_for(
        "voting", settings=settings.with_(worker_ops=port, broker_url=mq.url), tenants=tenants
    )
    thread = threading.Thread(target=w.run, name="voting-worker", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(url + "/readyz", timeout=5).status_code == 200, "ready")
        mq.pause_server()
        (resp,) = wait_until(
            lambda: (r := requests.get(url + "/readyz", timeout=10)).status_code == 503 and [r],
            "not ready without the broker",
            seconds=40,
        )
        assert resp.headers["Content-Type"] == "application/problem+json"
        checks = resp.json()["checks"]
        assert checks["database"] == "ok" and checks["broker"].startswith("error: ")
        assert checks["consumer"] == "error: not consuming"
        mq.resume_server()
        ready = wait_until(
            lambda: (r := requests.get(url + "/readyz", timeout=10)).status_code == 200 and r,
            "ready again once the broker is back",
            seconds=60,
        )
        assert ready.json()["checks"]["consumer"] == "ok"
    finally:
        w.stop.set()
        if w.running is not None:
            w.running.should_stop = True
        thread.join(timeout=30)
        mq.stop()
    assert not thread.is_alive()


def test_web_readyz_is_degraded_when_the_outbox_ages(settings, tenants):
    from knotenpunkt.services.voting.app import create_app

    app = create_app(settings.with_(outbox_degraded_seconds=60), tenants)
    service = app.extensions["knotenpunkt"]
    event_id = uuid.uuid4()
    admin = settings.admin_url(settings.service_database("voting"))
    try:
        c = app.test_client()
        assert c.get("/readyz").get_json()["checks"]["outbox"] == "ok"
        with psycopg.connect(admin) as conn:
            conn.execute(
                "insert into outbox (tenant, event_id, routing_key, envelope)"
                " values ('saalekreis', %s, 'saalekreis.voting.ballot.opened', %s)",
                (event_id, json.dumps({"id": str(event_id)})),
            )
            created = conn.execute(
                "select created_at from outbox where event_id = %s", (event_id,)
            ).fetchone()[0]
        service.clock = lambda: created + timedelta(seconds=30)
        assert c.get("/readyz").get_json()["status"] == "ready"
        service.clock = lambda: created + timedelta(seconds=300)
        resp = c.get("/readyz")
        assert resp.status_code == 200
        body = resp.get_json()
        assert body["status"] == "degraded"
        assert body["checks"]["outbox"] == "degraded: saalekreis 300 s"
    finally:
        with psycopg.connect(admin) as conn:
            conn.execute("delete from outbox where event_id = %s", (event_id,))
        service.db.close()


def test_sighup_makes_a_running_worker_learn_a_new_network(settings, tmp_path):
    """A fifth network's file appears; SIGHUP (no restart) and the worker serves it."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    from pathlib import Path

    tenants = tmp_path / "tenants"
    tenants.mkdir()
    shutil.copy(settings.tenants_dir / "chemnitz.yaml", tenants)
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": settings.database_url,
        "BROKER_URL": settings.broker_url,
        "JWT_SECRET": settings.jwt_secret,
        "LINK_SECRET": settings.link_secret,
        "TENANTS_DIR": str(tenants),
        "KNOTENPUNKT_VAR": str(tmp_path / "var"),
        "WORKER_OPS_PORT": str(port),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "INFO",
    }
    cli = Path(sys.executable).parent / "knotenpunkt"
    proc = subprocess.Popen(
        [str(cli), "worker", "voting"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    log: list[bytes] = []
    reader = threading.Thread(target=lambda: log.extend(iter(proc.stderr.readline, b"")))
    reader.start()
    url = f"http://127.0.0.1:{port}/metrics"

    def served() -> set[str]:
        text = requests.get(url, timeout=5).text
        return {
            line.split('tenant="')[1].split('"')[0]
            for line in text.splitlines()
            if line.startswith("knotenpunkt_outbox_backlog{")
        }

    try:
        assert wait_until(lambda: served() == {"chemnitz"}, "the worker up with one network")
        shutil.copy(settings.tenants_dir / "saalekreis.yaml", tenants)
        os.kill(proc.pid, signal.SIGHUP)
        assert wait_until(
            lambda: served() == {"chemnitz", "saalekreis"}, "the new network after SIGHUP"
        )
        # a broken file: the worker keeps what it had and says why
        (tenants / "leipzig.yaml").write_text("key: leipzig\nname: [\n", encoding="utf-8")
        os.kill(proc.pid, signal.SIGHUP)
        wait_until(lambda: any(b"tenant files not reloaded" in line for line in log), "the log")
        assert served() == {"chemnitz", "saalekreis"}
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        reader.join(timeout=10)
        proc.stderr.close()
    assert any(b"tenants reloaded (2; added: saalekreis" in line for line in log)
