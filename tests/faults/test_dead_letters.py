"""Dead letters: a failing and a poison message reach the dead-letter queue with their reasons;
`knotenpunkt dead-letters list` shows them, `replay` gives one back and it is handled once."""

from __future__ import annotations

import json

from kombu import Connection

from knotenpunkt import cli
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.messaging import (
    EXCHANGE,
    EventConsumer,
    dead_queue,
    declare,
    delay_queue,
    envelope,
    exchange,
)
from tests.support import drain, unique


def test_dead_letters_are_listed_with_their_reason_and_replayed_once(settings, capsys, monkeypatch):
    service = unique("dltest")  # a consumer of its own: its queues see no other test's events
    name = f"{service}.thing.happened"
    handled, broken = [], [True]

    def on_thing(conn, env, ctx):
        if broken[0]:
            raise RuntimeError("Empfänger fehlt noch")
        handled.append(env["id"])

    db = Database(settings.app_url("voting"), max_size=2, name="dltest")
    db.open()
    conn = Connection(settings.broker_url)
    try:
        consumer = EventConsumer(
            conn, db, service, {name: on_thing}, lambda tenant: None, max_retries=0
        )
        declare(conn, service, consumer.queue_keys)
        env = envelope(service, "chemnitz", "thing", "happened", {"n": 1})
        producer = conn.Producer(exchange=exchange(EXCHANGE))
        key = f"chemnitz.{name}"
        producer.publish(json.dumps(env), routing_key=key)
        producer.publish(b"{not json", routing_key=key, content_type="application/json")
        drain(consumer, idle=0.5)
        assert handled == []

        monkeypatch.setenv("BROKER_URL", settings.broker_url)
        assert cli.main(["dead-letters", "list", "--service", service]) == 0
        out = capsys.readouterr()
        lines = [line.split("\t") for line in out.out.splitlines()]
        reasons = {line[1]: line[4] for line in lines}
        assert "RuntimeError('Empfänger fehlt noch')" in reasons[env["id"]]
        assert [r for i, r in reasons.items() if i != env["id"]] == [
            "body is not JSON: Expecting property name enclosed in double quotes"
        ]
        assert "2 dead letters" in out.err

        assert cli.main(["dead-letters", "replay", "--service", service]) == 2  # names nothing
        broken[0] = False
        argv = ["dead-letters", "replay", "--service", service, "--id", env["id"]]
        assert cli.main(argv) == 0
        assert f"replayed {service}\t{env['id']}" in capsys.readouterr().out
        drain(consumer, idle=0.5)
        assert handled == [env["id"]]

        assert cli.main(argv) == 0  # replaying again finds nothing: it is no dead letter now
        assert "0 dead letters replayed" in capsys.readouterr().err
        assert cli.main(["dead-letters", "list", "--service", service]) == 0
        left = capsys.readouterr().out.splitlines()
        assert len(left) == 1 and "body is not JSON" in left[0]
    finally:
        channel = conn.default_channel
        for queue in (consumer.queue, dead_queue(service), delay_queue(service)):
            queue(channel).delete()
        conn.release()
        db.close()
