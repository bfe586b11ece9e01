"""Portal pages benchmark: how fast the main public and console pages answer at a county's
size — 2,000 partners in the measured network, four networks served, 20 users at once
(issue 28: within 200 ms at p95).

Starts PostgreSQL in a container, provisions the four services' databases, fills one
network with N partners (default 2,000, public and active) and the other served networks
with N/4 each (--networks, default 4), runs the four services and the
portal as production runs them (`knotenpunkt web <service>`: gunicorn with its worker
class, workers and threads; the portal calling the services over HTTP), publishes a
partner overview of them, submits a few applications, signs in through the development
login as the Koordinierungsstelle, and then asks each page R times from C clients at
once (keep-alive connections, the next request once the answer is in). Prints per page
p50, p95, p99 and max latency, requests per second and whether p95 is within the target.

    .venv/bin/python bench/portal_pages.py [--partners 2000] [--networks 4] [--requests 200]
        [--clients 20]

Needs what `make test` needs (a Docker engine and the images; deploy/test-infra.sh).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from bench._common import percentile, start_web_process  # noqa: E402
from bench.directory_read import TENANT, fill_partners, stop_web  # noqa: E402
from knotenpunkt.containers import Postgres, free_port  # noqa: E402
from knotenpunkt.shared.auth import issue_token  # noqa: E402
from knotenpunkt.shared.config import Settings  # noqa: E402
from knotenpunkt.shared.db import provision  # noqa: E402

SERVICES = ("membership", "voting", "events", "notifications")
TARGET_P95_MS = 200.0
NETWORKS = ("chemnitz", "saalekreis", "magdeburg", "mittelsachsen")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def start(process: str, port: int, env: dict, workers: int, threads: int):
    """`knotenpunkt web <process>` as production runs it; returns it once /healthz answers."""
    return start_web_process(process, port, env, workers, threads)[0]


def fill(
    settings: Settings, urls: dict, partners: int, applications: int, others: list[str]
) -> str:
    """Partners (COPY; the other networks a quarter as many each), a few applications, one
    published overview; returns its id."""
    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        fill_partners(conn, TENANT, partners)
        for other in others:
            fill_partners(conn, other, max(1, partners // 4))
        conn.execute("analyze partners")
    for i in range(applications):
        resp = requests.post(
            f"{urls['membership']}/api/v1/{TENANT}/applications",
            json={
                "organisation": {"name": f"Verein {i:03d} e. V.", "kind": "initiative"},
                "contact": {"name": "Kontakt", "email": f"verein{i}@bench.example"},
                "statements": {"migrant_interests": True, "non_commercial": True},
            },
            timeout=10,
        )
        resp.raise_for_status()
    token = issue_token(settings, tenant=TENANT, roles=["coordinator"], sub="bench")
    resp = requests.post(
        f"{urls['membership']}/api/v1/{TENANT}/directory/publications",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json()["id"]


def coordinator_cookies(portal: str) -> dict:
    """The session cookie of the development login as the Koordinierungsstelle."""
    s = requests.Session()
    form = s.get(f"{portal}/anmelden/entwicklung?tenant={TENANT}", timeout=10)
    form.raise_for_status()
    resp = s.post(
        f"{portal}/anmelden/entwicklung",
        data={
            "csrf_token": CSRF.search(form.text).group(1),
            "tenant": TENANT,
            "role": "coordinator",
            "person": "",
        },
        allow_redirects=False,
        timeout=10,
    )
    if resp.status_code != 302:
        raise RuntimeError(f"development login answered {resp.status_code}")
    return s.cookies.get_dict()


def measure(url: str, *, requests_n: int, clients: int, cookies: dict | None) -> dict:
    """R requests from C clients at once (closed loop); latencies in ms and the rate."""

    def client(n: int) -> tuple[list[float], int]:
        s = requests.Session()
        if cookies:
            s.cookies.update(cookies)
        times, bad = [], 0
        for _ in range(n):
            t0 = time.perf_counter()
            resp = s.get(url, timeout=30)
            times.append((time.perf_counter() - t0) * 1000)
            bad += resp.status_code != 200
        return times, bad

    share = [requests_n // clients + (1 if i < requests_n % clients else 0) for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, share))
    elapsed = time.perf_counter() - started
    times = [t for ts, _ in results for t in ts]
    return {
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "max": max(times),
        "rps": len(times) / elapsed,
        "bad": sum(b for _, b in results),
    }


def print_profile(urls: dict) -> None:
    """Each service's routes by the time spent in them (one worker's histogram)."""
    line = re.compile(
        r'^http_request_duration_seconds_(sum|count)\{endpoint="([^"]+)"\} ([0-9.e+-]+)$'
    )
    print(f"{'':8} {'route':<56} {'calls':>7} {'mean ms':>8}")
    for service in SERVICES:
        totals: dict[str, dict[str, float]] = {}
        for text in requests.get(f"{urls[service]}/metrics", timeout=10).text.splitlines():
            m = line.match(text)
            if m and m.group(2) not in ("/healthz", "/metrics"):
                totals.setdefault(m.group(2), {})[m.group(1)] = float(m.group(3))
        ranked = sorted(totals.items(), key=lambda kv: -kv[1].get("sum", 0))
        for route, t in ranked[:6]:
            calls = t.get("count", 0)
            mean = 1000 * t.get("sum", 0) / calls if calls else 0
            print(f"{service:<8} {route:<56} {calls:7.0f} {mean:8.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--partners", type=int, default=2000)
    ap.add_argument("--networks", type=int, default=4, help="networks served (1 to 4)")
    ap.add_argument("--applications", type=int, default=30)
    ap.add_argument("--requests", type=int, default=200, help="requests per page")
    ap.add_argument("--clients", type=int, default=20, help="clients asking at the same time")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
    ap.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
    ap.add_argument("--only", default="", help="only the pages whose name contains this")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="after the pages, the services' time per route (one worker's /metrics each)",
    )
    args = ap.parse_args()

    served = [TENANT, *[t for t in NETWORKS if t != TENANT]][: max(1, min(args.networks, 4))]
    pg = Postgres(durable=True)
    pg.start()
    procs = []
    try:
        settings = Settings(database_url=pg.url, dev_mode=True)
        provision(settings)
        ports = {name: free_port() for name in (*SERVICES, "portal")}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "KNOTENPUNKT_DEV": "1",  # loopback container: the development secrets are fine
            "DEV_LOGIN": "1",
            "LOG_LEVEL": "WARNING",
            "TENANTS": ",".join(served),
            **{f"{s.upper()}_URL": urls[s] for s in SERVICES},
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        for name in (*SERVICES, "portal"):
            procs.append(start(name, ports[name], env, args.workers, args.threads))
        publication = fill(settings, urls, args.partners, args.applications, served[1:])
        portal = urls["portal"]
        cookies = coordinator_cookies(portal)
        pages = [
            ("public", "network home", f"/{TENANT}/"),
            ("public", "partner directory", f"/{TENANT}/partner"),
            ("public", "directory, page 10", f"/{TENANT}/partner?seite=10"),
            ("public", "directory search", f"/{TENANT}/partner?q=0042&sprache=ar"),
            ("public", "partner overview", f"/{TENANT}/partneruebersicht"),
            ("public", "overview (print)", f"/{TENANT}/partneruebersicht/{publication}"),
            ("public", "overview (PDF)", f"/{TENANT}/partneruebersicht/{publication}.pdf"),
            ("public", "events", f"/{TENANT}/termine"),
            ("public", "application form", f"/{TENANT}/beitritt"),
            ("console", "start page", f"/{TENANT}/console/"),
            ("console", "applications", f"/{TENANT}/console/antraege?status=submitted"),
            ("console", "partners", f"/{TENANT}/console/verwalten/partner"),
            ("console", "partners, search", f"/{TENANT}/console/verwalten/partner?q=0042"),
            ("console", "contacts", f"/{TENANT}/console/verwalten/kontakte"),
            ("console", "bodies", f"/{TENANT}/console/gremien"),
            ("console", "deliveries", f"/{TENANT}/console/zustellungen"),
            ("console", "overviews", f"/{TENANT}/console/partneruebersicht"),
        ]
        print(
            f"portal pages: {args.partners} partners ({len(served)} networks), "
            f"{args.requests} requests per page from "
            f"{args.clients} clients at once; {args.workers} workers x {args.threads} threads "
            "per web process; target p95 <= 200 ms"
        )
        print(
            f"{'':8} {'page':<22} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
            f" {'req/s':>7}"
        )
        worst = 0.0
        for area, name, path in pages:
            if args.only and args.only not in name:
                continue
            jar = cookies if area == "console" else None
            measure(portal + path, requests_n=args.clients * 3, clients=args.clients, cookies=jar)
            r = measure(portal + path, requests_n=args.requests, clients=args.clients, cookies=jar)
            worst = max(worst, r["p95"])
            verdict = "ok" if r["p95"] <= TARGET_P95_MS else "SLOW"
            print(
                f"{area:8} {name:<22} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f}"
                f" {r['max']:8.1f} {r['rps']:7.1f}  {verdict}"
                + (f"  ({r['bad']} answers not 200)" if r["bad"] else "")
            )
        print(f"worst p95: {worst:.1f} ms ({'within' if worst <= 200 else 'above'} 200 ms)")
        if args.profile:
            print_profile(urls)
        return 0
    finally:
        for proc in procs:
            stop_web(proc)
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
