"""Failing messages: their retries wait in the delay queue without holding up the others; a
poison or always-failing message reaches the dead-letter queue with its reason;
`knotenpunkt dead-letters list` shows them, `replay` gives one back and it is handled once."""

from __future__ import annotations

import json
import time

import pytest
from amqp.channel import Channel
from kombu import Connection
from kombu.message import Message

from knotenpunkt import cli
from knotenpunkt.shared.consumer import EventConsumer
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.messaging import (
    EXCHANGE,
    dead_queue,
    declare,
    delay_queue,
    envelope,
    exchange,
)
from knotenpunkt.shared.workerops import dead_letters
from tests.support import drain, unique


class OwnConsumer:
    """A consumer of a service name of its own (its queues see no other test's events), on
    voting's database (processed_events), handling `<service>.thing.happened` with `handler`."""

    def __init__(self, settings, handler, **options):
        self.service = unique("dltest")
        self.name = f"{self.service}.thing.happened"
        self.db = Database(settings.app_url("voting"), max_size=2, name="dltest")
        self.db.open()
        self.conn = Connection(settings.broker_url)
        self.consumer = EventConsumer(
            self.conn, self.db, self.service, {self.name: handler}, lambda tenant: None, **options
        )
        declare(self.conn, self.service, self.consumer.queue_keys)
        self.producer = self.conn.Producer(exchange=exchange(EXCHANGE))

    def publish(self, body=None, **data) -> dict:
        env = envelope(self.service, "chemnitz", "thing", "happened", data)
        self.producer.publish(
            json.dumps(env) if body is None else body,
            routing_key=f"chemnitz.{self.name}",
            content_type="application/json",
        )
        return env

    def waiting(self, queue) -> int:
        return queue(self.conn.default_channel).queue_declare(passive=True).message_count

    def close(self) -> None:
        channel = self.conn.default_channel
        for queue in (self.consumer.queue, dead_queue(self.service), delay_queue(self.service)):
            queue(channel).delete()
        self.conn.release()
        self.db.close()


@pytest.fixture
def own_consumer(settings):
    made = []

    def make(handler, **options) -> OwnConsumer:
        made.append(OwnConsumer(settings, handler, **options))
        return made[-1]

    yield make
    for c in made:
        c.close()


def test_a_failing_message_waits_for_its_retry_while_the_others_are_handled(settings, own_consumer):
    handled = []

    def on_thing(conn, env, ctx):
        if env["data"]["n"] == 0:
            raise RuntimeError("Gegenstelle antwortet nicht")
        handled.append(env["data"]["n"])

    c = own_consumer(on_thing, max_retries=2, retry_delay=5.0)
    failing = c.publish(n=0)
    for n in range(1, 21):
        c.publish(n=n)
    drain(c.consumer, idle=0.5)
    # the twenty behind it are done while the failing one waits out its delay
    assert sorted(handled) == list(range(1, 21))
    assert c.waiting(delay_queue(c.service)) == 1 and c.waiting(c.consumer.queue) == 0

    deadline = time.monotonic() + 60
    while not dead_letters(settings, c.service) and time.monotonic() < deadline:
        drain(c.consumer, idle=0.5)
    (dead,) = dead_letters(settings, c.service)
    assert dead["id"] == failing["id"]
    assert dead["reason"].startswith("failed 3 times; last error: RuntimeError(")
    assert dead["routing_key"] == f"chemnitz.{c.name}"


def failing_until_fixed():
    """(handled ids, broken flag, handler): the handler fails while broken[0] is true."""
    handled, broken = [], [True]

    def on_thing(conn, env, ctx):
        if broken[0]:
            raise RuntimeError("Empfänger fehlt noch")
        handled.append(env["id"])

    return handled, broken, on_thing


def test_dead_letters_are_listed_with_their_reason_and_replayed_once(
    settings, own_consumer, capsys, monkeypatch
):
    handled, broken, on_thing = failing_until_fixed()
    c = own_consumer(on_thing, max_retries=0)
    env = c.publish(n=1)
    c.publish(body=b"{not json")
    drain(c.consumer, idle=0.5)
    assert handled == []

    monkeypatch.setenv("BROKER_URL", settings.broker_url)
    assert cli.main(["dead-letters", "list", "--service", c.service]) == 0
    out = capsys.readouterr()
    reasons = {line.split("\t")[1]: line.split("\t")[4] for line in out.out.splitlines()}
    assert "RuntimeError('Empfänger fehlt noch')" in reasons[env["id"]]
    assert [r for i, r in reasons.items() if i != env["id"]] == [
        "body is not JSON: Expecting property name enclosed in double quotes"
    ]
    assert "2 dead letters" in out.err

    assert cli.main(["dead-letters", "replay", "--service", c.service]) == 2  # names nothing
    broken[0] = False
    argv = ["dead-letters", "replay", "--service", c.service, "--id", env["id"]]
    assert cli.main(argv) == 0
    assert f"replayed {c.service}\t{env['id']}" in capsys.readouterr().out
    drain(c.consumer, idle=0.5)
    assert handled == [env["id"]]

    assert cli.main(argv) == 0  # replaying again finds nothing: it is no dead letter now
    assert "0 dead letters replayed" in capsys.readouterr().err
    assert cli.main(["dead-letters", "list", "--service", c.service]) == 0
    left = capsys.readouterr().out.splitlines()
    assert len(left) == 1 and "body is not JSON" in left[0]


def test_replay_all_gives_every_dead_letter_back_once_each_after_the_broker_confirmed_it(
    settings, own_consumer, capsys, monkeypatch
):
    handled, broken, on_thing = failing_until_fixed()
    c = own_consumer(on_thing, max_retries=0)
    first, second = c.publish(n=1), c.publish(n=2)
    drain(c.consumer, idle=0.5)
    assert {d["id"] for d in dead_letters(settings, c.service)} == {first["id"], second["id"]}

    steps = []  # the order of broker confirms and removals from the dead-letter queue
    confirmed_publish, ack = Channel.basic_publish_confirm, Message.ack

    def publish_confirmed(self, *args, **kwargs):
        result = confirmed_publish(self, *args, **kwargs)
        steps.append("confirmed")
        return result

    def acknowledged(self, *args, **kwargs):
        steps.append("removed")
        return ack(self, *args, **kwargs)

    monkeypatch.setattr(Channel, "basic_publish_confirm", publish_confirmed)
    monkeypatch.setattr(Message, "ack", acknowledged)
    monkeypatch.setenv("BROKER_URL", settings.broker_url)
    broken[0] = False
    assert cli.main(["dead-letters", "replay", "--service", c.service, "--all"]) == 0
    captured = capsys.readouterr()
    assert "2 dead letters replayed" in captured.err
    assert steps == ["confirmed", "removed", "confirmed", "removed"]
    monkeypatch.undo()

    drain(c.consumer, idle=0.5)
    assert sorted(handled) == sorted([first["id"], second["id"]])  # each once
    assert dead_letters(settings, c.service) == []
