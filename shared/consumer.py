"""A service's consumer: idempotent handling of its queue's events, retries through the delay
queue, then the dead-letter queue with the reason (topology: ``shared.messaging``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import psycopg
from kombu import Connection, Producer
from kombu.mixins import ConsumerMixin

from knotenpunkt.shared import logs
from knotenpunkt.shared.messaging import (
    DEAD_EXCHANGE,
    DELAY_EXCHANGE,
    RETRY_EXCHANGE,
    EnvelopeError,
    PermanentError,
    binding_keys,
    event_name,
    events_queue,
    exchange,
    parse,
    supports_delay,
)

if TYPE_CHECKING:
    from knotenpunkt.shared.usecase import Context

log = logging.getLogger(__name__)

Handler = Callable[[psycopg.Connection, dict, "Context"], None]


class EventConsumer(ConsumerMixin):
    """Consumes a service's queue: idempotent, acks after commit, retries, then dead-letters.

    Each handler runs in the unit of work of the event's tenant together with
    the record of the event id, so a redelivered event changes nothing.
    """

    def __init__(
        self,
        connection: Connection,
        db,
        service: str,
        consumers: dict[str, Handler],
        context: Callable[[str], Context],
        max_retries: int = 5,
        retry_delay: float = 0.2,
        prefetch: int = 50,
    ):
        self.connection = connection
        self.db = db
        self.service = service
        self.consumers = consumers
        self.context = context
        self.max_retries = max_retries
        self.retry_delay = retry_delay
        self.prefetch = prefetch
        self.queue_keys = binding_keys(consumers)
        self.queue = events_queue(service, self.queue_keys)
        self.processed = 0

    def get_consumers(self, consumer_cls, channel):
        return [
            consumer_cls(
                queues=[self.queue],
                on_message=self.on_message,
                prefetch_count=self.prefetch,
                accept=None,
            )
        ]

    def on_message(self, message) -> None:
        try:
            env = parse(message.body)
            self.handle(env)
        except (EnvelopeError, PermanentError) as exc:
            self._dead_letter(message, str(exc))
        except Exception as exc:
            retries = int((message.headers or {}).get("x-retries", 0))
            if retries >= self.max_retries:
                self._dead_letter(message, f"failed {retries + 1} times; last error: {exc!r}")
            else:
                delay = min(self.retry_delay * 2**retries, 60.0)
                log.warning(
                    "%s: event failed (%s), retry %d in %.2fs",
                    self.service,
                    exc,
                    retries + 1,
                    delay,
                )
                if supports_delay(self.connection):
                    self._republish(
                        message, DELAY_EXCHANGE, {"x-retries": retries + 1}, expiration=delay
                    )
                else:
                    self._republish(message, RETRY_EXCHANGE, {"x-retries": retries + 1})
        message.ack()

    def handle(self, env: dict) -> bool:
        """Apply one event once. Returns False when it had been processed before."""
        name = event_name(env)
        try:
            context = self.context(env["tenant"])
        except KeyError as exc:
            raise EnvelopeError(f"unknown tenant {env['tenant']!r}") from exc
        with (
            logs.context(tenant=env["tenant"], event_id=env["id"]),
            self.db.transaction(env["tenant"]) as conn,
        ):
            row = conn.execute(
                "insert into processed_events (tenant, event_id, event_type) values (%s, %s, %s)"
                " on conflict (event_id) do nothing returning event_id",
                (env["tenant"], env["id"], name),
            ).fetchone()
            if row is None:
                return False
            handler = self.consumers.get(name)
            if handler is not None:
                handler(conn, env, context)
        self.processed += 1
        return True

    def _dead_letter(self, message, reason: str) -> None:
        log.error("%s: dead-lettering message: %s", self.service, reason)
        self._republish(message, DEAD_EXCHANGE, {"x-dead-reason": reason})

    def _republish(
        self, message, exchange_name: str, headers: dict, expiration: float | None = None
    ) -> None:
        all_headers = dict(message.headers or {})
        all_headers.update(headers)
        all_headers.setdefault("x-original-routing-key", message.delivery_info.get("routing_key"))
        ex = exchange(exchange_name)
        producer = Producer(self.connection.default_channel, exchange=ex)
        extra = {"expiration": expiration} if expiration is not None else {}
        body = message.body if isinstance(message.body, (bytes, str)) else json.dumps(message.body)
        producer.publish(
            body,
            routing_key=self.service,
            headers=all_headers,
            content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary",
            delivery_mode=2,
            declare=[ex],
            **extra,
        )
