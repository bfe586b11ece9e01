"""Outbox to consumer against real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import json

import pytest
from kombu import Connection, Consumer, Queue
from kombu.exceptions import OperationalError

from knotenpunkt.services.membership.handlers.partners import CreatePartner, create_partner
from knotenpunkt.shared.consumer import EventConsumer
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.messaging import add_event, dead_queue, declare, exchanges
from knotenpunkt.shared.outbox import OutboxRelay, Publisher, PublishError
from tests.support import RabbitMQ, drain, unique


@pytest.fixture
def db(settings):
    d = Database(settings.app_url("membership"), max_size=4)
    d.open()
    yield d
    d.close()


@pytest.fixture
def relay_for():
    """relay_for(settings, db, broker_url=None): a relay whose connection is closed after the test."""
    made = []

    def make(settings, db, broker_url=None):
        s = settings if broker_url is None else settings.with_(broker_url=broker_url)
        relay = OutboxRelay(
            db, Publisher(s), ["chemnitz", "magdeburg", "saalekreis", "mittelsachsen"]
        )
        made.append(relay)
        return relay

    yield make
    for relay in made:
        relay.publisher.reset()


def flush(relay):
    """Publish everything pending (other tests may have left events too)."""
    while relay.run_once():
        pass


def collect(url: str, queue: Queue, idle: float = 1.0) -> list[dict]:
    got = []
    with Connection(url) as conn:
        with Consumer(
            conn, queues=[queue], accept=None, on_message=lambda m: (got.append(m), m.ack())
        ):
            while True:
                try:
                    conn.drain_events(timeout=idle)
                except TimeoutError:
                    break
    return [json.loads(m.body) for m in got]


def tap(url: str, key: str, durable: bool = False) -> Queue:
    """A fresh queue bound to one routing key, to watch what the relay publishes."""
    topic = exchanges()[0]
    q = Queue(unique("tap"), exchange=topic, routing_key=key, durable=durable, auto_delete=False)
    with Connection(url) as conn:
        topic(conn.default_channel).declare()
        q(conn.default_channel).declare()
    return q


def add_partner(conn, settings, tenant: str, name: str, kind: str) -> None:
    """A partner through membership's use case (it adds membership.partner.created)."""
    from knotenpunkt.services.membership import bootstrap
    from knotenpunkt.shared.tenants import TenantRegistry
    from knotenpunkt.shared.usecase import Context, utcnow

    tenants = TenantRegistry.load(settings.tenants_dir)
    ctx = Context(
        settings=settings,
        tenant=tenants.get(tenant),
        now=utcnow(),
        deps=bootstrap.deps(settings, tenants),
        service="membership",
    )
    create_partner(CreatePartner(name=name, kind=kind), conn, ctx)


def unsent(db, tenant: str, names: list[str]) -> list[str]:
    """The routing keys of the outbox rows about these partners (the test's own) not yet published."""
    with db.transaction(tenant) as conn:
        rows = conn.execute(
            "select routing_key from outbox"
            " where sent_at is null and envelope->'data'->>'name' = any(%s)",
            (names,),
        ).fetchall()
    return sorted(r["routing_key"] for r in rows)


def test_committed_change_is_published_exactly_once(settings, db, relay_for):
    relay = relay_for(settings, db)
    flush(relay)
    q = tap(settings.broker_url, "chemnitz.membership.partner.created")
    name = unique("Verein")
    with db.transaction("chemnitz") as conn:
        add_partner(conn, settings, "chemnitz", name, "initiative")
    assert unsent(db, "chemnitz", [name]) == ["chemnitz.membership.partner.created"]
    relay.run_once()
    assert unsent(db, "chemnitz", [name]) == []
    assert relay.run_once() == 0
    got = [e for e in collect(settings.broker_url, q) if e["data"]["name"] == name]
    assert len(got) == 1
    assert got[0]["type"] == "de.knotenpunkt.membership.partner.created"
    assert got[0]["source"] == "/membership/chemnitz" and got[0]["tenant"] == "chemnitz"


def test_rolled_back_change_publishes_nothing(settings, db, relay_for):
    relay = relay_for(settings, db)
    flush(relay)
    q = tap(settings.broker_url, "chemnitz.membership.partner.created")
    name = unique("Verein")
    with pytest.raises(RuntimeError):
        with db.transaction("chemnitz") as conn:
            add_partner(conn, settings, "chemnitz", name, "initiative")
            raise RuntimeError("abort the unit of work")
    assert relay.run_once() == 0
    assert [e for e in collect(settings.broker_url, q) if e["data"]["name"] == name] == []


def _consumer(settings, db, conn, handlers, service):
    return EventConsumer(
        conn, db, service, handlers, _contexts(settings), max_retries=2, retry_delay=0.01
    )


def _contexts(settings):
    """Contexts for chemnitz and magdeburg only: any other tenant is unknown to this consumer."""
    from knotenpunkt.shared.tenants import TenantRegistry
    from knotenpunkt.shared.usecase import Context, utcnow

    registry = TenantRegistry.load(settings.tenants_dir)

    def context(key):
        if key not in ("chemnitz", "magdeburg"):
            raise KeyError(key)
        return Context(settings=settings, tenant=registry.get(key), now=utcnow())

    return context


def test_same_event_twice_has_one_effect(settings, db):
    service = unique("svc")
    marker = unique("effect")

    def handler(conn, env, ctx):
        # A visible, non-idempotent effect: one more outbox row per handled event.
        add_event(conn, "membership", env["tenant"], "test", "effect", {"marker": marker})

    with Connection(settings.broker_url) as conn:
        consumer = _consumer(settings, db, conn, {"membership.test.ping": handler}, service)
        declare(conn, service, consumer.queue_keys)
        with db.transaction("chemnitz") as tx:
            env = add_event(tx, "membership", "chemnitz", "test", "ping", {})
        producer = conn.Producer()
        for _ in range(2):
            producer.publish(
                json.dumps(env),
                exchange=exchanges()[0],
                routing_key="chemnitz.membership.test.ping",
            )
        drain(consumer)
    with db.transaction("chemnitz") as tx:
        n = tx.execute(
            "select count(*) as n from outbox where envelope->'data'->>'marker' = %s", (marker,)
        ).fetchone()["n"]
        seen = tx.execute(
            "select count(*) as n from processed_events where event_id = %s", (env["id"],)
        ).fetchone()["n"]
    assert n == 1 and seen == 1


def test_always_failing_message_is_dead_lettered_with_reason(settings, db):
    service = unique("svc")

    def handler(conn, env, ctx):
        raise ValueError("Gremium unbekannt")

    with Connection(settings.broker_url) as conn:
        consumer = _consumer(settings, db, conn, {"membership.test.poison": handler}, service)
        declare(conn, service, consumer.queue_keys)
        with db.transaction("chemnitz") as tx:
            env = add_event(tx, "membership", "chemnitz", "test", "poison", {})
        conn.Producer().publish(
            json.dumps(env), exchange=exchanges()[0], routing_key="chemnitz.membership.test.poison"
        )
        conn.Producer().publish(
            "kein json", exchange=exchanges()[0], routing_key="chemnitz.membership.test.poison"
        )
        drain(consumer)
        dead = []
        with Consumer(
            conn,
            queues=[dead_queue(service)],
            accept=None,
            on_message=lambda m: (dead.append(m), m.ack()),
        ):
            try:
                while True:
                    conn.drain_events(timeout=1)
            except TimeoutError:
                pass
    reasons = {m.headers["x-dead-reason"] for m in dead}
    assert len(dead) == 2
    assert any("failed 3 times" in r and "Gremium unbekannt" in r for r in reasons)
    assert any("not JSON" in r for r in reasons)
    with db.transaction("chemnitz") as tx:
        assert (
            tx.execute(
                "select count(*) as n from processed_events where event_id = %s", (env["id"],)
            ).fetchone()["n"]
            == 0
        )


def test_broker_outage_loses_nothing_and_doubles_nothing(settings, db, relay_for):
    mq = RabbitMQ(fixed_port=True).start()
    try:
        relay = relay_for(settings, db, broker_url=mq.url)
        flush(relay)
        q = tap(mq.url, "magdeburg.membership.partner.*", durable=True)
        names = [unique("Amt") for _ in range(10)]
        for name in names[:5]:
            with db.transaction("magdeburg") as conn:
                add_partner(conn, settings, "magdeburg", name, "authority")
        created = "magdeburg.membership.partner.created"
        assert unsent(db, "magdeburg", names) == [created] * 5
        relay.run_once()
        assert unsent(db, "magdeburg", names) == []
        mq.pause_server()
        for name in names[5:]:
            with db.transaction("magdeburg") as conn:
                add_partner(conn, settings, "magdeburg", name, "authority")
        with pytest.raises((OSError, ConnectionError, PublishError, OperationalError)):
            relay.run_once()
        assert unsent(db, "magdeburg", names) == [created] * 5  # the five after the outage
        assert unsent(db, "magdeburg", names[5:]) == [created] * 5
        mq.resume_server()
        flush(relay)
        got = [e for e in collect(mq.url, q) if e["data"]["name"] in names]
        ids = [e["id"] for e in got]
        assert sorted(e["data"]["name"] for e in got) == sorted(names)
        assert len(ids) == len(set(ids)) == 10
    finally:
        mq.stop()
