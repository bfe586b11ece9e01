"""Messaging: exchanges and queues, the CloudEvents envelope, the outbox, its relay, the consumer.

Topology (declared here and nowhere else):

- ``knotenpunkt`` (topic, durable): every domain event, routing key
  ``<tenant>.<service>.<aggregate>.<event>``;
- ``knotenpunkt.delay`` (direct): a failed message waits in
  ``<service>.events.delay`` (no consumer) for its per-message TTL, then is
  dead-lettered to ``knotenpunkt.retry``; the consumer thread never sleeps;
- ``knotenpunkt.retry`` (direct): a failed message goes back to one service's
  queue only, routing key ``<service>``;
- ``knotenpunkt.dead`` (direct): messages that failed after their retries, routing
  key ``<service>``, into ``<service>.events.dead`` with the reason in a header;
- ``<service>.events``: one durable queue per consuming service.

``QUEUE_TYPE=quorum`` (the setting for clustered brokers) declares the three
queues of a service as quorum queues (durable, never exclusive; per-message TTL
and dead-lettering of the delay queue need RabbitMQ 3.10 or newer). A queue
keeps the type it was first declared with: switching an existing deployment
means deleting its queues (drained) first.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import psycopg
from kombu import Connection, Exchange, Producer, Queue, binding
from kombu.mixins import ConsumerMixin

from knotenpunkt.shared.config import Settings

if TYPE_CHECKING:
    from knotenpunkt.shared.usecase import Context

log = logging.getLogger(__name__)

EXCHANGE = "knotenpunkt"
RETRY_EXCHANGE = "knotenpunkt.retry"
DELAY_EXCHANGE = "knotenpunkt.delay"
DEAD_EXCHANGE = "knotenpunkt.dead"
TYPE_PREFIX = "de.knotenpunkt."
REQUIRED = ("specversion", "id", "source", "type", "time", "tenant", "data")


def exchanges() -> tuple[Exchange, Exchange, Exchange, Exchange]:
    return (
        Exchange(EXCHANGE, type="topic", durable=True),
        Exchange(RETRY_EXCHANGE, type="direct", durable=True),
        Exchange(DEAD_EXCHANGE, type="direct", durable=True),
        Exchange(DELAY_EXCHANGE, type="direct", durable=True),
    )


def exchange(name: str) -> Exchange:
    return next(e for e in exchanges() if e.name == name)


QUEUE_TYPES = ("classic", "quorum")


def queue_type() -> str:
    """The setting QUEUE_TYPE: ``classic`` (default) or ``quorum``."""
    value = os.environ.get("QUEUE_TYPE", "").strip().lower() or "classic"
    if value not in QUEUE_TYPES:
        raise ValueError(f"QUEUE_TYPE must be one of {', '.join(QUEUE_TYPES)}, not {value!r}")
    return value


def queue_arguments(arguments: dict | None = None) -> dict | None:
    """Queue arguments with ``x-queue-type`` added when QUEUE_TYPE=quorum."""
    args = dict(arguments or {})
    if queue_type() == "quorum":
        args["x-queue-type"] = "quorum"
    return args or None


def events_queue(service: str, keys: Iterable[str]) -> Queue:
    """The service's queue, bound to the routing keys it consumes and to its retry key."""
    topic, retry = exchange(EXCHANGE), exchange(RETRY_EXCHANGE)
    bindings = [binding(topic, routing_key=k) for k in keys]
    bindings.append(binding(retry, routing_key=service))
    return Queue(
        f"{service}.events",
        bindings=bindings,
        durable=True,
        queue_arguments=queue_arguments(),
    )


def dead_queue(service: str) -> Queue:
    return Queue(
        f"{service}.events.dead",
        exchange=exchange(DEAD_EXCHANGE),
        routing_key=service,
        durable=True,
        queue_arguments=queue_arguments(),
    )


def delay_queue(service: str) -> Queue:
    """Where a failed message waits for its retry: expired messages go back to the service's queue."""
    return Queue(
        f"{service}.events.delay",
        exchange=exchange(DELAY_EXCHANGE),
        routing_key=service,
        durable=True,
        queue_arguments=queue_arguments(
            {
                "x-dead-letter-exchange": RETRY_EXCHANGE,
                "x-dead-letter-routing-key": service,
            }
        ),
    )


def declare(connection: Connection, service: str, keys: Iterable[str]) -> None:
    """Declare exchanges, the service's queue with its bindings and its dead-letter queue."""
    channel = connection.default_channel
    for ex in exchanges():
        ex(channel).declare()
    events_queue(service, keys)(channel).declare()
    dead_queue(service)(channel).declare()
    if supports_delay(connection):
        delay_queue(service)(channel).declare()


def supports_delay(connection: Connection) -> bool:
    """AMQP brokers expire and dead-letter messages; kombu's filesystem/memory transports do not."""
    return connection.transport.driver_type == "amqp"


def routing_key(tenant: str, service: str, aggregate: str, event: str) -> str:
    return f"{tenant}.{service}.{aggregate}.{event}"


def envelope(
    service: str, tenant: str, aggregate: str, event: str, data: dict, subject: str | None = None
) -> dict:
    """A CloudEvents 1.0 structured-mode envelope."""
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": f"/{service}/{tenant}",
        "type": f"{TYPE_PREFIX}{service}.{aggregate}.{event}",
        "time": datetime.now(UTC).isoformat(),
        "subject": subject,
        "datacontenttype": "application/json",
        "tenant": tenant,
        "data": data,
    }


def event_name(env: dict) -> str:
    """``<service>.<aggregate>.<event>`` of an envelope, e.g. ``membership.application.checked``."""
    return env["type"].removeprefix(TYPE_PREFIX)


def add_event(
    conn: psycopg.Connection,
    service: str,
    tenant: str,
    aggregate: str,
    event: str,
    data: dict,
    subject: str | None = None,
) -> dict:
    """Write an event to the outbox inside the caller's transaction; returns the envelope."""
    env = envelope(service, tenant, aggregate, event, data, subject)
    conn.execute(
        "insert into outbox (tenant, event_id, routing_key, envelope) values (%s, %s, %s, %s)",
        (
            tenant,
            env["id"],
            routing_key(tenant, service, aggregate, event),
            json.dumps(env, default=str),
        ),
    )
    return env


class EnvelopeError(ValueError):
    """A message is no valid Knotenpunkt CloudEvent; it can never succeed."""


def parse(body) -> dict:
    """Decode and check a message body. Raises EnvelopeError saying what is wrong."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EnvelopeError("body is not UTF-8") from exc
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except json.JSONDecodeError as exc:
            raise EnvelopeError(f"body is not JSON: {exc.msg}") from exc
    if not isinstance(body, dict):
        raise EnvelopeError("body is not a JSON object")
    missing = [k for k in REQUIRED if k not in body]
    if missing:
        raise EnvelopeError(f"envelope lacks {', '.join(missing)}")
    if body["specversion"] != "1.0" or not str(body["type"]).startswith(TYPE_PREFIX):
        raise EnvelopeError(f"not a Knotenpunkt CloudEvent 1.0: type {body['type']!r}")
    try:
        uuid.UUID(str(body["id"]))
    except ValueError as exc:
        raise EnvelopeError(f"id is not a UUID: {body['id']!r}") from exc
    return body


def connect(settings: Settings, *, confirm_publish: bool = False) -> Connection:
    """A broker connection (lazy); with confirm_publish, each publish on it waits for the
    broker's confirm (the option is read when the connection is established, so it is given
    here, not set on the connection afterwards)."""
    options = settings.broker_transport_options()
    if confirm_publish:
        options = {**options, "confirm_publish": True}
    return Connection(
        settings.broker,
        transport_options=options,
        connect_timeout=5,
        heartbeat=0,
    )


class PublishError(Exception):
    """The broker did not confirm a batch; nothing of it may be marked sent."""


class Publisher:
    """Publishes batches to the topic exchange; with AMQP, waits for confirms per batch.

    Confirms are collected for a whole batch (one round trip), not one by one. The
    messages go straight to the channel (prepare_message, basic_publish: what kombu's
    Producer does underneath, without its per-message serializer, compression and
    declaration checks); the body is the envelope's JSON text as the outbox holds it.
    """

    def __init__(self, settings: Settings, confirm_timeout: float = 10.0):
        self.settings = settings
        self.confirm_timeout = confirm_timeout
        self._conn: Connection | None = None
        self._channel = None
        self._unacked: set[int] = set()
        self._nacked = False
        self._seq = 0
        self._floor = 1

    @property
    def confirms(self) -> bool:
        return self.settings.broker.startswith(("amqp", "pyamqp"))

    def _ensure(self):
        if self._channel is not None:
            return self._channel
        conn = connect(self.settings)
        conn.ensure_connection(max_retries=1)
        channel = conn.channel()
        exchange(EXCHANGE)(channel).declare()
        if self.confirms:
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
        self._conn, self._seq, self._unacked, self._nacked = conn, 0, set(), False
        self._floor = 1
        self._channel = channel
        return channel

    def _on_ack(self, tag: int, multiple: bool) -> None:
        if multiple:
            # Tags count up per channel; nothing below _floor is unconfirmed: one pass over
            # each tag, not over every unconfirmed one per ack.
            self._unacked.difference_update(range(self._floor, tag + 1))
            self._floor = max(self._floor, tag + 1)
        else:
            self._unacked.discard(tag)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._nacked = True
        self._on_ack(tag, multiple)

    def publish_batch(self, messages: list[tuple[str, str, str]]) -> None:
        """Publish (routing key, envelope as JSON text, event id) triples; returns once the
        broker holds all of them (persistent messages, confirmed with AMQP).

        Raises PublishError (or a kombu/amqp connection error) when it does not.
        """
        try:
            channel = self._ensure()
            if self.confirms:
                # Registered first: basic_publish may read acks of earlier messages already.
                self._unacked.update(range(self._seq + 1, self._seq + len(messages) + 1))
                self._seq += len(messages)
            for key, body, event_id in messages:
                message = channel.prepare_message(
                    body.encode("utf-8"),
                    None,
                    "application/cloudevents+json",
                    "utf-8",
                    None,
                    {"delivery_mode": 2, "message_id": str(event_id)},
                )
                channel.basic_publish(message, exchange=EXCHANGE, routing_key=key)
            if self.confirms:
                self._wait_confirms()
        except Exception:
            self.reset()
            raise

    def _wait_confirms(self) -> None:
        deadline = time.monotonic() + self.confirm_timeout
        while self._unacked:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PublishError(f"{len(self._unacked)} messages not confirmed in time")
            try:
                self._conn.drain_events(timeout=left)
            except TimeoutError:
                continue
        if self._nacked:
            raise PublishError("the broker refused (nacked) a message of the batch")

    def reset(self) -> None:
        """Drop the connection; the next publish opens a new one."""
        if self._conn is not None:
            try:
                self._conn.release()
            except Exception as exc:  # closing a broken connection may fail too
                log.debug("releasing broker connection failed: %s", exc)
        self._conn, self._channel = None, None


class OutboxRelay:
    """Publishes committed outbox rows, tenant by tenant, in batches (at least once)."""

    def __init__(
        self,
        db,
        publisher: Publisher,
        tenants: Iterable[str],
        batch: int = 500,
        on_unknown_tenant: Callable[[str], None] | None = None,
    ):
        self.db = db
        self.publisher = publisher
        self.tenants = list(tenants)
        self.batch = batch
        # Called with the tenant of a committed outbox row this relay does not serve.
        self.on_unknown_tenant = on_unknown_tenant

    def run_once(self) -> int:
        """Publish everything now in the outbox; returns how many events went out."""
        total = 0
        for tenant in self.tenants:
            while True:
                with self.db.transaction(tenant) as conn:
                    # The envelope as text: published as the outbox holds it, never parsed here.
                    rows = conn.execute(
                        "select id, event_id, routing_key, envelope::text as body from outbox"
                        " where sent_at is null order by id limit %s for update skip locked",
                        (self.batch,),
                    ).fetchall()
                    if not rows:
                        break
                    self.publisher.publish_batch(
                        [(r["routing_key"], r["body"], r["event_id"]) for r in rows]
                    )
                    conn.execute(
                        "update outbox set sent_at = now() where id = any(%s)",
                        ([r["id"] for r in rows],),
                    )
                total += len(rows)
                if len(rows) < self.batch:
                    break
        return total

    def _notice(self, tenant: str) -> None:
        """A row committed for a tenant this relay does not serve would wait unseen: tell."""
        if tenant and tenant not in self.tenants and self.on_unknown_tenant is not None:
            self.on_unknown_tenant(tenant)

    def prune(self, keep_days: int = 7) -> int:
        """Delete rows sent more than keep_days ago; returns how many."""
        deleted = 0
        for tenant in self.tenants:
            with self.db.transaction(tenant) as conn:
                cur = conn.execute(
                    "delete from outbox where sent_at < now() - make_interval(days => %s)",
                    (keep_days,),
                )
                deleted += cur.rowcount
        return deleted

    def run(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Relay until stop is set: woken by NOTIFY on commit, polling as a fallback."""
        listener = None
        backoff = 0.5
        last_prune = 0.0
        failing_since = None  # one log line when publishing stops and one when it resumes
        while not stop.is_set():
            try:
                if listener is None or listener.closed:
                    listener = psycopg.connect(self.db.url, autocommit=True, connect_timeout=5)
                    listener.execute("listen outbox")
                sent = self.run_once()
                backoff = 0.5
                if failing_since is not None:
                    log.warning(
                        "outbox relay: publishing again after %.1f s",
                        time.monotonic() - failing_since,
                    )
                    failing_since = None
                if time.monotonic() - last_prune > 3600:
                    self.prune()
                    last_prune = time.monotonic()
                if sent:
                    continue
                for notice in listener.notifies(timeout=poll_seconds, stop_after=1):
                    self._notice(notice.payload)
            except Exception as exc:
                # Broker or database away: nothing was marked sent, so retry later.
                if failing_since is None:
                    failing_since = time.monotonic()
                    log.warning("outbox relay: %s; retrying with backoff (up to 10 s)", exc)
                else:
                    log.debug("outbox relay: %s; retrying in %.1fs", exc, backoff)
                self.publisher.reset()
                if listener is not None:
                    listener.close()
                    listener = None
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        if listener is not None:
            listener.close()
        self.publisher.reset()


Handler = Callable[[psycopg.Connection, dict, "Context"], None]


class PermanentError(Exception):
    """A handler's way to say: this message can never succeed; dead-letter it now."""


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
        with self.db.transaction(env["tenant"]) as conn:
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


def binding_keys(consumers: Iterable[str]) -> list[str]:
    """Routing keys for handler names like ``membership.application.checked`` (any tenant)."""
    return sorted({f"*.{name}" for name in consumers})
