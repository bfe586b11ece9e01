"""Outbox benchmark: relay rate against plain kombu publishing, and commit → consumer latency.

Starts PostgreSQL (durable settings) and RabbitMQ in containers as the tests do
and prints:

- in each of --runs consecutive runs (default 3): plain unconfirmed publishing with kombu
  (the baseline), messages per second; the outbox relay (batched publisher confirms, rows
  marked sent in the same transaction), messages per second; and their ratio;
- from a committed change to the consumer's committed effect (relay woken by NOTIFY), p50 and p99.

    .venv/bin/python bench/outbox_relay.py [--messages 20000] [--runs 3] [--batch N] [--latency-samples 500]

Needs what `make test` needs (a Docker engine and the images; deploy/test-infra.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

from kombu import Connection, Producer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from bench._common import percentile  # noqa: E402
from knotenpunkt.containers import Postgres, RabbitMQ  # noqa: E402
from knotenpunkt.shared.config import Settings  # noqa: E402
from knotenpunkt.shared.consumer import EventConsumer  # noqa: E402
from knotenpunkt.shared.db import Database, provision  # noqa: E402
from knotenpunkt.shared.messaging import add_event, declare, envelope, exchanges  # noqa: E402
from knotenpunkt.shared.outbox import OutboxRelay, Publisher  # noqa: E402
from knotenpunkt.shared.tenants import TenantRegistry  # noqa: E402
from knotenpunkt.shared.usecase import Context, utcnow  # noqa: E402

TENANT = "chemnitz"
ROUNDS = 4


def baseline(url: str, n: int) -> tuple[float, float]:
    """(seconds, CPU seconds of this thread) to publish n messages with kombu, unconfirmed."""
    body = json.dumps(
        envelope("membership", TENANT, "bench", "baseline", {"i": 0, "pad": "x" * 200})
    )
    with Connection(url) as conn:
        producer = Producer(conn.default_channel, exchange=exchanges()[0])
        exchanges()[0](conn.default_channel).declare()
        start, cpu = time.perf_counter(), time.thread_time()
        for _ in range(n):
            producer.publish(
                body,
                routing_key=f"{TENANT}.membership.bench.baseline",
                content_type="application/cloudevents+json",
                delivery_mode=2,
                retry=False,
            )
        return time.perf_counter() - start, time.thread_time() - cpu


def fill(db: Database, n: int) -> None:
    for start in range(0, n, 1000):
        with db.transaction(TENANT) as conn:
            for i in range(start, min(n, start + 1000)):
                add_event(
                    conn, "membership", TENANT, "bench", "relayed", {"i": i, "pad": "x" * 200}
                )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--batch", type=int, help="rows per relay batch (default: OUTBOX_BATCH)")
    ap.add_argument("--latency-samples", type=int, default=500)
    args = ap.parse_args()
    pg, mq = Postgres(durable=True).start(), RabbitMQ().start()
    try:
        settings = Settings(database_url=pg.url, broker_url=mq.url, dev_mode=True)
        provision(settings, ["membership"])
        db = Database(settings.app_url("membership"), max_size=4)
        db.open()

        batch = args.batch or settings.outbox_batch
        runs = []
        chunk = max(1, args.messages // ROUNDS)
        relay = OutboxRelay(db, Publisher(settings), [TENANT], batch=batch)
        for _ in range(args.runs):
            # Baseline and relay take turns in rounds, so that the load of a shared machine
            # falls on both alike; each side's rate is its messages over its summed time.
            plain_s = relay_s = plain_cpu = relay_cpu = 0.0
            sent = 0
            for _ in range(ROUNDS):
                took, cpu = baseline(mq.url, chunk)
                plain_s, plain_cpu = plain_s + took, plain_cpu + cpu
                fill(db, chunk)
                start, cpu = time.perf_counter(), time.thread_time()
                while n := relay.run_once():
                    sent += n
                relay_s += time.perf_counter() - start
                relay_cpu += time.thread_time() - cpu
            total = chunk * ROUNDS
            runs.append(
                (total / plain_s, sent / relay_s, sent, plain_cpu / total, relay_cpu / max(1, sent))
            )
        relay.publisher.reset()

        latencies: list[float] = []
        committed: dict[str, float] = {}

        class Timed(EventConsumer):
            def handle(self, env):
                done = super().handle(env)
                if env["id"] in committed:
                    latencies.append(time.perf_counter() - committed[env["id"]])
                return done

        stop = threading.Event()
        live_relay = OutboxRelay(db, Publisher(settings), [TENANT], batch=batch)
        relay_thread = threading.Thread(target=live_relay.run, args=(stop, 1.0), daemon=True)
        with Connection(mq.url) as conn:
            tenants = TenantRegistry.load(settings.tenants_dir)
            consumer = Timed(
                conn,
                db,
                "benchsink",
                {"membership.bench.latency": lambda conn, env, ctx: None},
                lambda key: Context(settings=settings, tenant=tenants.get(key), now=utcnow()),
            )
            declare(conn, "benchsink", consumer.queue_keys)
            consumer_thread = threading.Thread(target=consumer.run, daemon=True)
            consumer_thread.start()
            relay_thread.start()
            time.sleep(1.0)
            for i in range(args.latency_samples):
                with db.transaction(TENANT) as tx:
                    env = add_event(tx, "membership", TENANT, "bench", "latency", {"i": i})
                committed[env["id"]] = time.perf_counter()
                time.sleep(0.01)
            deadline = time.monotonic() + 30
            while len(latencies) < args.latency_samples and time.monotonic() < deadline:
                time.sleep(0.1)
            consumer.should_stop = True
            stop.set()
            consumer_thread.join(5)
            relay_thread.join(5)
        db.close()

        print(
            f"{chunk * ROUNDS} messages per run ({ROUNDS} rounds each), relay batch {batch};"
            " baseline: plain kombu"
            " publishing (unconfirmed); relay: confirmed per batch, rows marked sent"
        )
        for i, (plain, relayed, sent, plain_cpu, relay_cpu) in enumerate(runs, 1):
            print(
                f"run {i}: plain {plain:6.0f} msg/s   relay {relayed:6.0f} msg/s"
                f"   ratio {relayed / plain:.2f} (target ≥ 0.5)"
                f"   client CPU per message {plain_cpu * 1e6:.0f} / {relay_cpu * 1e6:.0f} µs"
                + ("" if sent == chunk * ROUNDS else f"  ONLY {sent} SENT")
            )
        print(f"lowest ratio             {min(r[1] / r[0] for r in runs):.2f}")
        if latencies:
            print(
                f"commit → consumer effect p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms ({len(latencies)} of {args.latency_samples}; target p99 ≤ 100 ms)"
            )
        complete = all(r[2] == chunk * ROUNDS for r in runs)
        return 0 if complete and len(latencies) == args.latency_samples else 1
    finally:
        pg.stop()
        mq.stop()


if __name__ == "__main__":
    sys.exit(main())
