"""Every process's log lines have the same fields (shared.logs): a consumer's lines carry the
event's tenant and id, a job's its tenant, a request's its tenant and request id."""

from __future__ import annotations

import contextlib
import io
import json
import logging

from flask import Flask, g

from knotenpunkt.shared import logs
from knotenpunkt.shared.consumer import EventConsumer
from knotenpunkt.shared.messaging import envelope


def lines_of(fn) -> list[dict]:
    stream = io.StringIO()
    handler = logs.handler("voting-worker", stream)
    log = logging.getLogger("test.logs")
    log.addHandler(handler)
    log.setLevel("INFO")
    try:
        fn(log)
    finally:
        log.removeHandler(handler)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class OneRowConnection:
    """The consumer's unit of work across the database boundary: the event is new."""

    def execute(self, *args):
        return self

    def fetchone(self):
        return {"event_id": "x"}


class OneTransaction:
    @contextlib.contextmanager
    def transaction(self, tenant):
        yield OneRowConnection()


def test_a_consumer_s_lines_carry_the_event_s_tenant_and_id():
    env = envelope("membership", "chemnitz", "body", "member_added", {"body": "x"})

    def run(log):
        def on_member_added(conn, env, ctx):
            log.info("copied a member")

        consumer = EventConsumer.__new__(EventConsumer)
        consumer.db, consumer.processed = OneTransaction(), 0
        consumer.consumers = {"membership.body.member_added": on_member_added}
        consumer.context = lambda tenant: None
        consumer.handle(env)
        log.info("between events")

    during, after = lines_of(run)
    assert set(logs.FIELDS) <= set(during)
    assert during["tenant"] == "chemnitz" and during["event_id"] == env["id"]
    assert during["service"] == "voting-worker" and during["message"] == "copied a member"
    assert after["tenant"] is None and after["event_id"] is None


def test_a_request_s_lines_carry_its_tenant_and_request_id():
    app = Flask("t")

    @app.get("/api/v1/<tenant>/x")
    def view(tenant):
        g.request_id = "r-7"
        logging.getLogger("test.logs").info("answered")
        return "ok"

    def run(log):
        app.test_client().get("/api/v1/saalekreis/x")

    (line,) = lines_of(run)
    assert line["tenant"] == "saalekreis" and line["request_id"] == "r-7"
    assert line["event_id"] is None and line["time"].endswith("+00:00")


def test_a_job_s_context_names_its_tenant():
    def run(log):
        with logs.context(tenant="magdeburg"):
            log.info("retention ran")

    (line,) = lines_of(run)
    assert line["tenant"] == "magdeburg" and line["request_id"] is None
