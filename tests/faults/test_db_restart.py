"""A web process after a PostgreSQL restart and on a frozen server (real PostgreSQL on a fixed
port): the first request once the server is back gets a working connection (200, not 503),
the pool's "error connecting" warning comes once per outage, and /readyz answers 503 on a
frozen server instead of waiting for it."""

from __future__ import annotations

import logging
import secrets
import threading
import uuid

import pytest

from knotenpunkt.services.membership.app import create_app
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.db import provision
from tests.support import Postgres

READ = "/api/v1/chemnitz/partners"  # read_uow (pipeline)
UNIT = f"/api/v1/chemnitz/partners/{uuid.uuid4()}"  # uow(): 404 once the database answered


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pg = Postgres(fixed_port=True).start()
    yield pg
    pg.stop()


@pytest.fixture(scope="module")
def app(server, tenants, tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    settings = Settings(
        database_url=server.url,
        var_dir=var,
        mail_dir=var / "mail",
        jwt_secret=secrets.token_urlsafe(48),
        link_secret=secrets.token_urlsafe(48),
        pool_min=3,
        db_pool_timeout=3.0,
        allowed_hosts=("localhost",),
    )
    provision(settings, services=("membership",))
    app = create_app(settings, tenants)
    yield app
    app.extensions["knotenpunkt"].db.close()


def warm(client, app) -> None:
    """The pool filled with its idle connections (which the restart then kills)."""
    assert client.get(READ).status_code == 200
    app.extensions["knotenpunkt"].db.pool.wait(timeout=30)


def test_first_request_after_a_restart_is_answered(server, app):
    client = app.test_client()
    warm(client, app)
    server.pause_server()
    server.resume_server()  # returns once the server answers a new connection
    resp = client.get(READ)
    assert resp.status_code == 200, resp.get_data(as_text=True)


def test_after_requests_during_the_outage_the_first_one_back_is_answered_and_logged_once(
    server, app, caplog
):
    client = app.test_client()
    warm(client, app)
    caplog.set_level(logging.WARNING, logger="psycopg.pool")
    server.pause_server()
    try:
        for _ in range(2):  # each waits the pool's timeout while the pool tries to connect
            down = client.get(READ)
            assert down.status_code == 503, down.get_data(as_text=True)
            assert down.headers["Retry-After"] == "5"
    finally:
        server.resume_server()
    resp = client.get(UNIT)
    assert resp.status_code == 404, resp.get_data(as_text=True)
    tries = [
        r
        for r in caplog.records
        if r.name == "psycopg.pool" and r.getMessage().startswith("error connecting in ")
    ]
    assert len(tries) == 1, [r.getMessage() for r in tries]
    assert any("reachable again" in r.getMessage() for r in caplog.records)


def test_readyz_answers_503_on_a_frozen_server(server, app):
    client = app.test_client()
    warm(client, app)
    answers = []
    server.freeze()
    try:
        asking = threading.Thread(target=lambda: answers.append(client.get("/readyz")))
        asking.start()
        asking.join(timeout=30)  # generous: the ping's connect timeout is 2 s
        assert not asking.is_alive(), "/readyz waited for the frozen server"
    finally:
        server.thaw()
    assert answers[0].status_code == 503
    assert answers[0].get_json()["checks"]["database"].startswith("error")
    assert client.get("/readyz").status_code == 200
