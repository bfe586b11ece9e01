"""The outbox's way to the broker: the relay that publishes committed events in order, and
the publisher that waits for the broker's confirms (an event is marked sent only then).

Handlers write events with ``shared.usecase.emit`` (``messaging.add_event``) in their own
transaction; each worker process runs one :class:`OutboxRelay` for its service's database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

import psycopg
from kombu import Connection

from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.messaging import EXCHANGE, connect, exchange

log = logging.getLogger(__name__)


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
