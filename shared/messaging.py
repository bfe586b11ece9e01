"""Messaging: exchanges and queues, the CloudEvents envelope and the outbox row (the relay is
``shared.outbox``, the consumer ``shared.consumer``).

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
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import psycopg
from kombu import Connection, Exchange, Queue, binding

from knotenpunkt.shared.config import Settings

if TYPE_CHECKING:
    pass

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


class PermanentError(Exception):
    """A handler's way to say: this message can never succeed; dead-letter it now."""


def binding_keys(consumers: Iterable[str]) -> list[str]:
    """Routing keys for handler names like ``membership.application.checked`` (any tenant)."""
    return sorted({f"*.{name}" for name in consumers})
