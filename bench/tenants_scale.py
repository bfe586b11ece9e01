"""Many tenants: 400 generated tenant files × 500 partners against 4 of them.

Generates tenant files from a template (deploy/tenants/chemnitz.yaml: each copy with
its own key, name and contact address), fills every network with N partners
(default 500) in one PostgreSQL container (durable settings), and for 4 and for 400
tenants (TENANTS_DIR pointing at a folder holding that many files) starts the
membership web process as production does (`knotenpunkt web membership`) and prints:

- start-up: the app factory in a fresh interpreter (tenant files loaded and checked)
  and the web process until it answers /healthz;
- resident memory of the gunicorn master and of each worker after the load;
- tenant-scoped reads with `wrk`, each request for a random network of those served:
  the anonymous partner list (a page of 20; cached per process by its ETag) and one
  partner by id (a database read on every request): req/s, p50, p99, and the p99 of
  400 tenants over that of 4 (target ≤ 1.2). Both web processes run at once and take
  turns under wrk; each figure is the median of --rounds runs.

    .venv/bin/python bench/tenants_scale.py [--tenants 400] [--partners 500] [--duration 10]

Needs what `make test` needs (a Docker engine and the images; deploy/test-infra.sh) and wrk.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from bench._wrk import run_wrk  # noqa: E402
from bench.directory_read import fill_partners, start_web, stop_web, worker_pids  # noqa: E402
from bench.memory import rss_mb  # noqa: E402
from knotenpunkt.containers import Postgres, free_port  # noqa: E402
from knotenpunkt.shared.config import Settings  # noqa: E402
from knotenpunkt.shared.db import provision  # noqa: E402

TEMPLATE = ROOT / "deploy" / "tenants" / "chemnitz.yaml"
ADDRESS = "integrationsnetzwerk@stadt-chemnitz.de"


def tenant_keys(n: int) -> list[str]:
    return [f"netz-{i:04d}" for i in range(1, n + 1)]


def write_tenants(folder: Path, keys: list[str]) -> None:
    """One file per key from the template: its own key, name and contact-point address."""
    template = TEMPLATE.read_text(encoding="utf-8")
    assert re.search(r"^key: chemnitz$", template, re.M) and ADDRESS in template
    folder.mkdir(parents=True, exist_ok=True)
    for key in keys:
        text = re.sub(r"^key: chemnitz$", f"key: {key}", template, flags=re.M)
        text = re.sub(r"^name: (.*)$", rf"name: \1 ({key})", text, count=1, flags=re.M)
        text = text.replace(ADDRESS, f"{key}@stadt-chemnitz.de")
        (folder / f"{key}.yaml").write_text(text, encoding="utf-8")


def app_factory_seconds(env: dict) -> float:
    """create_app() of membership in a fresh interpreter (imports not counted)."""
    code = (
        "import time; from knotenpunkt.services.membership.app import create_app;"
        "t = time.perf_counter(); create_app(); print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip()[-500:])
    return float(out.stdout.strip().splitlines()[-1])


def lua_for(paths: list[str]) -> str:
    """A wrk script that sends each request to one of the paths, at random."""
    listed = ",\n".join(f'  "{p}"' for p in paths)
    return (
        f"local paths = {{\n{listed}\n}}\n"
        "math.randomseed(os.time())\n"
        "request = function()\n"
        '  return wrk.format("GET", paths[math.random(#paths)])\n'
        "end\n"
    )


def start(settings, folder: Path, args) -> dict:
    """The app factory's time, then the web process serving the tenants of the folder."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "KNOTENPUNKT_DEV": "1",
        "LOG_LEVEL": "WARNING",
        "TENANTS_DIR": str(folder),
    }
    env.pop("TENANTS", None)
    factory = app_factory_seconds(env)
    port = free_port()
    proc, startup = start_web(
        settings, port, args.workers, args.threads, {"TENANTS_DIR": str(folder)}
    )
    return {"factory": factory, "startup": startup, "proc": proc, "port": port}


def in_process(settings, folder: Path, paths: list[str], n: int = 1400) -> tuple[float, float]:
    """(wall ms, CPU ms) per request through the app itself (Flask's test client, no HTTP
    server, no load generator), a random path each time; the least of seven batches, so
    that a busy machine disturbs it least."""
    import random

    from knotenpunkt.services.membership.app import create_app
    from knotenpunkt.shared.tenants import TenantRegistry

    app = create_app(settings, TenantRegistry.load(folder))
    try:
        client = app.test_client()
        for _ in range(2 * len(paths)):
            client.get(random.choice(paths))
        walls, cpus = [], []
        for _ in range(7):
            wall, cpu = time.perf_counter(), time.thread_time()
            for _ in range(n // 7):
                client.get(random.choice(paths))
            walls.append((time.perf_counter() - wall) / (n // 7) * 1000)
            cpus.append((time.thread_time() - cpu) / (n // 7) * 1000)
        return min(walls), min(cpus)
    finally:
        app.extensions["knotenpunkt"].db.close()


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def measure(servers: dict, keys: dict, ids: dict, args) -> None:
    """Both servers run at once and take turns under wrk (a busy machine loads both alike);
    each figure is the median over the rounds. Adds list/single results and memory."""
    scripts = {}
    for name, server in servers.items():
        base = f"http://127.0.0.1:{server['port']}"
        lists = [f"/api/v1/{k}/partners" for k in keys[name]]
        singles = [f"/api/v1/{k}/partners/{ids[k]}" for k in keys[name]]
        scripts[name] = {
            "list": (base + lists[0], lua_for(lists)),
            "single": (base + singles[0], lua_for(singles)),
        }
        # warm-up: every network in every worker (page cache, prepared statements)
        run_wrk(base + lists[0], connections=args.connections, duration=5, lua=lua_for(lists))
        server["runs"] = {"list": [], "single": []}
    for _ in range(args.rounds):
        for kind in ("list", "single"):
            for name, server in servers.items():
                url, lua = scripts[name][kind]
                server["runs"][kind].append(
                    run_wrk(url, connections=args.connections, duration=args.duration, lua=lua)
                )
    for server in servers.values():
        for kind, runs in server["runs"].items():
            server[kind] = {
                fig: median([r[fig] for r in runs]) for fig in ("rps", "p50_ms", "p99_ms")
            }
            server[kind]["failed"] = sum(r["errors"] + r["non2xx"] for r in runs)
        proc = server["proc"]
        server["memory"] = {"master": rss_mb(proc.pid)}
        for i, pid in enumerate(worker_pids(proc), 1):
            server["memory"][f"worker {i}"] = rss_mb(pid)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--tenants", type=int, default=400)
    ap.add_argument("--few", type=int, default=4)
    ap.add_argument("--partners", type=int, default=500)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    ap.add_argument("--rounds", type=int, default=3, help="wrk runs per figure (median)")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
    ap.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
    args = ap.parse_args()

    keys = tenant_keys(args.tenants)
    work = Path(tempfile.mkdtemp(prefix="kp-tenants-"))
    write_tenants(work / "many", keys)
    write_tenants(work / "few", keys[: args.few])
    pg = Postgres(durable=True).start()
    try:
        settings = Settings(database_url=pg.url, dev_mode=True)
        provision(settings, ["membership"])
        started = time.perf_counter()
        with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
            for key in keys:
                fill_partners(conn, key, args.partners)
            conn.execute("analyze partners")
            ids = dict(
                conn.execute(
                    "select distinct on (tenant) tenant, id from partners order by tenant, name"
                ).fetchall()
            )
        filled = time.perf_counter() - started
        local = {}
        for name, folder, served in (("few", "few", keys[: args.few]), ("many", "many", keys)):
            local[name] = {
                "list": in_process(
                    settings, work / folder, [f"/api/v1/{k}/partners" for k in served]
                ),
                "single": in_process(
                    settings, work / folder, [f"/api/v1/{k}/partners/{ids[k]}" for k in served]
                ),
            }
        few = start(settings, work / "few", args)
        many = start(settings, work / "many", args)
        try:
            measure({"few": few, "many": many}, {"few": keys[: args.few], "many": keys}, ids, args)
        finally:
            stop_web(few["proc"])
            stop_web(many["proc"])
    finally:
        pg.stop()

    print(
        f"{args.tenants} tenant files from {TEMPLATE.name} × {args.partners} partners"
        f" ({args.tenants * args.partners} rows, filled in {filled:.0f} s); membership web"
        f" {args.workers} workers × {args.threads} threads; wrk {args.connections} connections,"
        f" {args.duration} s × {args.rounds} rounds (median), a random network per request"
    )
    print(f"{'':34}{args.few:>12} tenants{args.tenants:>12} tenants")
    rows = [
        ("create_app (files loaded, checked)", "factory", "s"),
        ("web process until /healthz", "startup", "s"),
    ]
    for label, key, unit in rows:
        print(f"{label:<34}{few[key]:>18.2f} {unit}{many[key]:>18.2f} {unit}")
    for name in few["memory"]:
        print(
            f"{'RSS ' + name:<34}{few['memory'][name]:>17.1f} MB"
            f"{many['memory'].get(name, float('nan')):>17.1f} MB"
        )
    ok = True
    for key, label in (("list", "partner list (page of 20)"), ("single", "one partner by id")):
        a, b = few[key], many[key]
        for fig, unit in (("rps", "req/s"), ("p50_ms", "ms p50"), ("p99_ms", "ms p99")):
            print(f"{label + ' ' + unit:<34}{a[fig]:>18.1f}  {b[fig]:>18.1f}")
        ratio = b["p99_ms"] / a["p99_ms"]
        print(f"{label + ' p99 ratio':<34}{ratio:>39.2f} (target ≤ 1.2)")
        (wa, ca), (wb, cb) = local["few"][key], local["many"][key]
        print(
            f"{label + ' in-process':<34}{wa:>9.2f} ms ({ca:.2f} CPU){wb:>9.2f} ms ({cb:.2f} CPU)"
            f"   ratio {wb / wa:.2f}"
        )
        ok = ok and not (a["failed"] or b["failed"])
    if not ok:
        print("some requests failed (errors or non-2xx answers): see wrk's figures")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
