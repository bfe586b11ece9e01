"""Public directory benchmark: the anonymous partner list against the same service's /healthz.

Starts PostgreSQL in a container (durable settings, as the tests do), fills one
network with N partners (default 500), runs the membership web process as in
production (`knotenpunkt web membership`: gunicorn with its worker class, workers
and threads), and drives it with `wrk` (the compiled load generator) in one run:

- `/healthz` of the same process (the ceiling a Flask view reaches here);
- the anonymous public partner list, a page of 50 (row-level security on);
- the same page with `If-None-Match` (the unchanged page: 304 from the ETag);

and prints requests per second, p50/p99 latency, the ratio list / healthz and the
304 rate; the three take turns over --rounds rounds and each figure is a median.
With --profile, py-spy records one web worker while the list is under
load (an SVG flame graph); with --statements, pg_stat_statements' top statements.

    .venv/bin/python bench/directory_read.py [--partners 500] [--connections 32] [--duration 10]

Needs what `make test` needs (a Docker engine and the images; deploy/test-infra.sh) and wrk.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import warnings
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from bench._common import start_web_process  # noqa: E402
from bench._wrk import run_wrk  # noqa: E402
from knotenpunkt.containers import Postgres, free_port  # noqa: E402
from knotenpunkt.shared.config import Settings  # noqa: E402
from knotenpunkt.shared.db import provision  # noqa: E402

TENANT = "chemnitz"
KINDS = ("authority", "welfare_organisation", "migrant_self_organisation", "education", "other")
TOPICS = ("Arbeit", "Bildung", "Gesundheit", "Wohnen", "Sprache", "Beratung", "Kultur")
LANGUAGES = ("de", "en", "ar", "ru", "uk", "fa", "tr")


def fill_partners(conn, tenant: str, n: int) -> None:
    """n public, active partners of the tenant (COPY as the privileged role, beside RLS)."""
    with conn.cursor().copy(
        "copy partners (tenant, name, kind, street, postcode, city, website, email, phone,"
        " topics, languages, public, status, admitted_at, updated_at) from stdin"
    ) as copy:
        for i in range(n):
            copy.write_row(
                (
                    tenant,
                    f"Partnerorganisation {i:04d} e. V.",
                    KINDS[i % len(KINDS)],
                    f"Hauptstraße {i + 1}",
                    f"{9000 + i % 1000:05d}",
                    "Chemnitz",
                    f"https://partner{i}.example.org",
                    f"info@partner{i}.example.org",
                    f"0371 {100000 + i}",
                    [TOPICS[i % 7], TOPICS[(i + 3) % 7]],
                    [LANGUAGES[i % 7], "de"],
                    True,
                    "active",
                    "2026-01-01T10:00:00+00",
                    "2026-01-01T10:00:00+00",
                )
            )


def start_web(settings: Settings, port: int, workers: int, threads: int, env_extra=None):
    """`knotenpunkt web membership` as production runs it; returns the process once it answers."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "KNOTENPUNKT_DEV": "1",  # loopback container: the development secrets are fine
        "LOG_LEVEL": "WARNING",
        **(env_extra or {}),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return start_web_process("membership", port, env, workers, threads)


def stop_web(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def worker_pids(proc) -> list[int]:
    """gunicorn's workers (the children of the master `knotenpunkt web` became)."""
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True, text=True
    ).stdout
    return [int(p) for p in out.split()]


def line(name: str, r: dict) -> str:
    bad = r["errors"] + r["non2xx"]
    return (
        f"{name:<28} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms"
        + (f"   ({bad} errors or non-2xx/3xx)" if bad else "")
    )


def summary(results: list[dict]) -> dict:
    """The median of each figure over the rounds; errors and non-2xx/3xx answers summed."""
    mid = len(results) // 2
    out = {k: sorted(r[k] for r in results)[mid] for k in ("rps", "p50_ms", "p99_ms")}
    out.update({k: sum(r[k] for r in results) for k in ("errors", "non2xx")})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--partners", type=int, default=500)
    ap.add_argument("--page-size", type=int, default=50)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the three runs (medians)")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
    ap.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
    ap.add_argument(
        "--profile",
        metavar="SVG",
        help="py-spy profile of one web worker (.svg: flame graph, else collapsed stacks)",
    )
    ap.add_argument("--statements", action="store_true", help="print pg_stat_statements' top")
    args = ap.parse_args()

    pg = Postgres(durable=True)
    if args.statements:
        pg.container.with_command(
            "-c max_connections=300 -c shared_preload_libraries=pg_stat_statements"
        )
    pg.start()
    proc = None
    try:
        settings = Settings(database_url=pg.url, dev_mode=True)
        provision(settings, ["membership"])
        with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
            fill_partners(conn, TENANT, args.partners)
            conn.execute("analyze partners")
            if args.statements:
                conn.execute("create extension if not exists pg_stat_statements")
        port = free_port()
        proc, startup = start_web(settings, port, args.workers, args.threads)
        base = f"http://127.0.0.1:{port}"
        health = f"{base}/healthz"
        listing = f"{base}/api/v1/{TENANT}/partners?page=2&page_size={args.page_size}"
        first = requests.get(listing, timeout=10)
        first.raise_for_status()
        page = first.json()
        etag = first.headers.get("ETag")
        again = requests.get(listing, headers={"If-None-Match": etag or "-"}, timeout=10)
        opts = {"connections": args.connections, "duration": args.duration}
        run_wrk(health, connections=args.connections, duration=2)  # warm both up
        run_wrk(listing, connections=args.connections, duration=2)
        if args.statements:
            with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
                conn.execute("select pg_stat_statements_reset()")
        runs = {"health": [], "list": [], "cached": []}
        for round_no in range(args.rounds):
            # The three take turns, round after round, so that a busy machine loads them
            # alike; each figure below is the median over the rounds.
            runs["health"].append(run_wrk(health, **opts))
            profiler = None
            if args.profile and round_no == 0:
                profiler = subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        "record",
                        "--pid",
                        str(worker_pids(proc)[0]),
                        "--duration",
                        str(args.duration),
                        "--rate",
                        "200",
                        "--format",
                        "flamegraph" if args.profile.endswith(".svg") else "raw",
                        "--output",
                        args.profile,
                        "--nonblocking",
                        "--gil",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            runs["list"].append(run_wrk(listing, **opts))
            if profiler is not None:
                profiler.wait(timeout=60)
            runs["cached"].append(run_wrk(listing, headers={"If-None-Match": etag or "-"}, **opts))
        health_r, list_r, cached_r = (summary(runs[k]) for k in ("health", "list", "cached"))
        ratios = sorted(
            lr["rps"] / hr["rps"] for lr, hr in zip(runs["list"], runs["health"], strict=True)
        )
        ratios_304 = sorted(
            c["rps"] / hr["rps"] for c, hr in zip(runs["cached"], runs["health"], strict=True)
        )

        print(
            f"membership web: {args.workers} workers × {args.threads} threads, started in"
            f" {startup:.1f} s; wrk {args.connections} connections, {args.duration} s per run,"
            f" {args.rounds} rounds (medians)"
        )
        print(
            f"partners in the tenant: {args.partners}; page of {len(page['items'])}"
            f" (total {page['total']}), anonymous, row-level security on"
        )
        print(line("/healthz", health_r))
        print(line("public partner list", list_r))
        print(line("unchanged page (304)", cached_r))
        print(
            f"ratio list / healthz         {ratios[len(ratios) // 2]:.2f} (target ≥ 0.5;"
            f" rounds {', '.join(f'{r:.2f}' for r in ratios)})"
        )
        print(
            f"ratio 304 / healthz          {ratios_304[len(ratios_304) // 2]:.2f}"
            f" (rounds {', '.join(f'{r:.2f}' for r in ratios_304)})"
        )
        print(
            f"headers: ETag {etag or '—'}; Cache-Control {first.headers.get('Cache-Control', '—')};"
            f" If-None-Match answered {again.status_code}"
        )
        if args.statements:
            with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
                rows = conn.execute(
                    "select calls, round(total_exec_time::numeric, 1) as ms,"
                    " round(mean_exec_time::numeric, 3) as mean, left(query, 90) as query"
                    " from pg_stat_statements order by total_exec_time desc limit 8"
                ).fetchall()
            print("pg_stat_statements (all wrk runs): calls, total ms, mean ms, statement")
            for calls, ms, mean, query in rows:
                print(f"  {calls:>8} {ms:>10} {mean:>8}  {' '.join(query.split())}")
        if args.profile:
            print(f"profile of one web worker under the list: {args.profile}")
        ok = etag is not None and again.status_code == 304
        return 0 if ok and not (list_r["errors"] or list_r["non2xx"]) else 1
    finally:
        if proc is not None:
            stop_web(proc)
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
