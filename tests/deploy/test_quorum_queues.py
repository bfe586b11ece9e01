"""QUEUE_TYPE=quorum: the service's queues are quorum queues on the real broker, retries still work."""

from __future__ import annotations

import time

import pytest
from kombu import Connection, Exchange, Producer, Queue

from knotenpunkt.shared import messaging
from tests.support import unique

pytestmark = pytest.mark.integration


def test_setting_is_checked(monkeypatch):
    monkeypatch.delenv("QUEUE_TYPE", raising=False)
    assert messaging.queue_type() == "classic"
    assert messaging.events_queue("x", ["a.b"]).queue_arguments is None
    monkeypatch.setenv("QUEUE_TYPE", "Quorum")
    assert messaging.events_queue("x", ["a.b"]).queue_arguments == {"x-queue-type": "quorum"}
    assert messaging.delay_queue("x").queue_arguments["x-queue-type"] == "quorum"
    assert messaging.dead_queue("x").queue_arguments == {"x-queue-type": "quorum"}
    monkeypatch.setenv("QUEUE_TYPE", "lazy")
    with pytest.raises(ValueError, match="QUEUE_TYPE"):
        messaging.queue_type()


def test_quorum_queues_on_the_broker(rabbitmq, monkeypatch):
    """Declared as quorum; a message in the delay queue expires (per-message TTL) back to the service."""
    monkeypatch.setenv("QUEUE_TYPE", "quorum")
    service = unique("quorum")
    key = f"chemnitz.{service}.thing.happened"
    with Connection(rabbitmq.url) as conn:
        messaging.declare(conn, service, [key])
        channel = conn.default_channel
        for name in (f"{service}.events", f"{service}.events.dead", f"{service}.events.delay"):
            # a passive declare with other arguments is refused by the broker, so check the type
            # by declaring again with classic arguments: RabbitMQ answers PRECONDITION_FAILED
            q = Queue(name, durable=True, channel=conn.channel())
            with pytest.raises(Exception, match="PRECONDITION_FAILED|x-queue-type"):
                q.queue_declare()
        # per-message TTL in the quorum delay queue, dead-lettered to the service's queue
        producer = Producer(channel)
        producer.publish(
            b'{"probe": 1}',
            exchange=Exchange(messaging.DELAY_EXCHANGE, type="direct", durable=True),
            routing_key=service,
            expiration=0.3,
            delivery_mode=2,
        )
        queue = messaging.events_queue(service, [key])(channel)
        deadline = time.monotonic() + 10
        message = None
        while message is None and time.monotonic() < deadline:
            message = queue.get(no_ack=True)
            if message is None:
                time.sleep(0.1)
        assert message is not None, (
            "the delayed message did not come back from the quorum delay queue"
        )
        assert message.body == b'{"probe": 1}'
        for name in (f"{service}.events", f"{service}.events.dead", f"{service}.events.delay"):
            channel.queue_delete(name)
