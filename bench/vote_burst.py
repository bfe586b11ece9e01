"""Live-vote benchmark: the members of one body vote at once against the voting service.

What it starts, as in production:

- PostgreSQL in a container (as the tests do, ``knotenpunkt.containers.Postgres`` with
  durable settings: fsync and synchronous commit on), ``pg_stat_statements`` preloaded;
  RabbitMQ in a container;
- the voting web process with the very command line operators use,
  ``knotenpunkt web voting --port … --workers … --threads …`` (gunicorn, the
  ProblemWorker, the access log to standard output), and ``knotenpunkt worker voting``
  (outbox relay, sealer, closing of due ballots).

What it measures, all with the same load generator (Debian's ``wrk``, compiled, 2 threads):

1. ``/healthz`` of the same web process, same connections and threads: the ceiling.
2. Closed loop: ``--ballots`` ballots (default 8) of a body with a ``--voters``-member
   electorate (default 1,000) are opened; a wrk Lua script casts every voter's vote once in
   each ballot (distinct voters, each with their own token; voter *v* in ballot *b* chooses
   yes/no/abstain by *(v + b) mod 3*, a reason with every no). Each wrk thread takes every
   T-th vote; a thread whose share is answered stops; the rate is the votes over the time
   from the first request to the last answer (the script's own clock). The ballots close
   themselves with their last vote (close_when_all_voted). After the run: every answer
   200, every ballot closed with exactly the tally that was sent, 1,000 votes each and no
   vote changed (0 lost, 0 doubled), the hash chain of each record valid, and the delay from
   each closing commit (``closed_at``) to the arrival of its ``ballot.closed`` event on a
   queue bound to the exchange.
3. Open loop: a body of ``--open-voters`` members (default 2,000) votes in one ballot at
   ``--open-rate`` casts per second offered (default 200, i.e. within 10 s), each cast sent
   at its scheduled time whether or not earlier ones were answered (``bench._wrk.open_loop``:
   asyncio, keep-alive connections, a new connection whenever all are busy; latency from the
   *scheduled* send time to the answer, so a server that falls behind shows as latency).
4. ``pgbench -N`` (simple updates) on the same server as a reference line, where pgbench is
   installed (Debian: postgresql-client); otherwise a note.

    .venv/bin/python bench/vote_burst.py [--connections 32] [--ballots 8] [--voters 1000]
        [--web-workers 2] [--web-threads 4] [--open-voters 2000] [--open-rate 200]
        [--pgbench-seconds 10] [--profile DIR] [--statements] [--sweep 2x4,2x8,3x4,4x4]

``--profile DIR`` records the web workers with py-spy during the closed loop (collapsed
stacks, DIR/web-*.txt, plus a summary); ``--statements`` prints the top statements of
``pg_stat_statements`` and the wait events sampled from ``pg_stat_activity`` during the
closed loop; ``--sweep`` repeats the closed loop for several gunicorn worker × thread counts
(``--open-voters 0`` and ``--pgbench-seconds 0`` skip those parts). Needs what ``make test`` needs (a Docker engine and the images;
deploy/test-infra.sh) and ``wrk``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
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

from bench._common import CpuMeter, percentile  # noqa: E402
from bench._wrk import (  # noqa: E402
    LUA_CLOCK,
    have_wrk,
    healthz_reference,
    open_loop,
    run_wrk_script,
)
from knotenpunkt.containers import Postgres, RabbitMQ, free_port, unique  # noqa: E402
from knotenpunkt.shared.auth import issue_token  # noqa: E402
from knotenpunkt.shared.config import Settings  # noqa: E402
from knotenpunkt.shared.db import provision  # noqa: E402
from knotenpunkt.shared.messaging import exchanges  # noqa: E402

TENANT, BODY = "chemnitz", "vorbereitungsgremium"
CHOICES = ("yes", "no", "abstain")
REASON = "Begruendung"


def choice_of(voter: int, ballot: int) -> str:
    return CHOICES[(voter + ballot) % 3]


# The closed-loop script: thread k of T casts votes k, k+T, k+2T, … of ballots × voters.
CAST_LUA = (
    LUA_CLOCK
    + r"""
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

choices = {"yes", "no", "abstain"}
issued, answered, ok, bad, tail = 0, 0, 0, 0, 0
statuses = ""
t_first, t_last = nil, nil

function init(args)
  -- wrk calls request() once in thread 0 to check the script's request (not sent)
  checking = (tid == 0)
  share = 0
  for i = tid, TOTAL - 1, NTHREADS do share = share + 1 end
  if share == 0 then io.write("KP-DONE\n"); io.flush() end
end

function request()
  if checking then
    checking = false
    return wrk.format("GET", "/healthz")
  end
  if t_first == nil then t_first = kp_now() end
  local i = tid + issued * NTHREADS
  if i >= TOTAL then
    return wrk.format("GET", "/healthz")
  end
  issued = issued + 1
  local b = math.floor(i / VOTERS)
  local v = i % VOTERS
  local choice = choices[(v + b) % 3 + 1]
  local body
  if choice == "no" then
    body = '{"choice":"no","reason":"REASON"}'
  else
    body = '{"choice":"' .. choice .. '"}'
  end
  return wrk.format("POST", PREFIX .. BALLOTS[b + 1] .. "/votes",
    {["Authorization"] = "Bearer " .. TOKENS[v + 1], ["Content-Type"] = "application/json"},
    body)
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"service"', 1, true) then
    tail = tail + 1
    return
  end
  answered = answered + 1
  if status == 200 then
    ok = ok + 1
  else
    bad = bad + 1
    if bad <= 3 then statuses = statuses .. status .. " " .. string.sub(body, 1, 200) .. " | " end
  end
  if answered == share then
    t_last = kp_now()
    io.write("KP-DONE\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local first, last, sum_ok, sum_bad, sum_tail, msgs = nil, nil, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    local f, l = t:get("t_first"), t:get("t_last")
    if f ~= nil and (first == nil or f < first) then first = f end
    if l ~= nil and (last == nil or l > last) then last = l end
    sum_ok = sum_ok + t:get("ok")
    sum_bad = sum_bad + t:get("bad")
    sum_tail = sum_tail + t:get("tail")
    msgs = msgs .. t:get("statuses")
  end
  io.write(string.format(
    'KP-JSON {"ok": %d, "bad": %d, "tail": %d, "seconds": %.6f, "first_bad": "%s"}\n',
    sum_ok, sum_bad, sum_tail, (last or 0) - (first or 0),
    string.gsub(msgs, '["\\]', "'")))
end
"""
)


def cast_script(prefix: str, ballots: list[str], tokens: list[str], threads: int) -> str:
    consts = (
        f"TOTAL = {len(ballots) * len(tokens)}\nVOTERS = {len(tokens)}\nNTHREADS = {threads}\n"
        f'PREFIX = "{prefix}"\n'
        "BALLOTS = {" + ",".join(f'"{b}"' for b in ballots) + "}\n"
        "TOKENS = {" + ",".join(f'"{t}"' for t in tokens) + "}\n"
    )
    return consts + CAST_LUA.replace("REASON", REASON)


def cast_statement_calls(admin_url: str) -> int:
    """How often the cast statement (store.votes.cast_named, cast_secret: one per batch or lone
    cast) ran since pg_stat_statements was reset."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "select coalesce(sum(calls), 0)::int from pg_stat_statements"
            " where query like 'with%%i as (%%unnest(%%'"
        ).fetchone()
    return row[0]


def pgbench_rate(url: str, clients: int, seconds: int) -> str:
    """`pgbench -N` on the server (a database of its own), as a printed line."""
    binary = shutil.which("pgbench")
    if binary is None:
        return "pgbench not installed (Debian: postgresql-client); no reference line"
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
    subprocess.run(
        [binary, "-i", "-s", "10", "-q", "pgbench"], env=env, check=True, capture_output=True
    )
    out = subprocess.run(
        [binary, "-N", "-c", str(clients), "-j", "2", "-T", str(seconds), "pgbench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    return f"{tps:.0f} tps (same server, {clients} clients, -j 2, {seconds} s)"


class ClosedEvents(threading.Thread):
    """A queue bound to ballot.closed, consumed all along: when each ballot's event arrived."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.queue = Queue(
            unique("bench"),
            exchange=exchanges()[0],
            routing_key=f"{TENANT}.voting.ballot.closed",
            durable=False,
        )
        self.arrived: dict[str, float] = {}
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.start()
        self.ready.wait(30)

    def run(self):
        def on_message(message):
            data = json.loads(message.body)
            self.arrived.setdefault(str(data["data"]["ballot_id"]), time.time())
            message.ack()

        with Connection(self.url) as conn:
            exchanges()[0](conn.default_channel).declare()
            with Consumer(conn, queues=[self.queue], accept=None, on_message=on_message):
                self.ready.set()
                while not self.stop.is_set():
                    try:
                        conn.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass

    def wait_for(self, ballot_ids, seconds: float = 20.0) -> dict[str, float]:
        want = {str(b) for b in ballot_ids}
        deadline = time.monotonic() + seconds
        while not want <= set(self.arrived) and time.monotonic() < deadline:
            time.sleep(0.1)
        return {b: self.arrived[b] for b in want if b in self.arrived}


class Sampler(threading.Thread):
    """Samples the wait events of the application's backends in pg_stat_activity."""

    def __init__(self, url: str, database: str):
        super().__init__(daemon=True)
        self.url, self.database = url, database
        self.counts: Counter = Counter()
        self.samples = 0
        self.stop = threading.Event()

    def run(self):
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(
                    "select state, coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-')"
                    " from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
                    (self.database,),
                ).fetchall()
                self.samples += 1
                for state, kind, event in rows:
                    if state == "active":
                        self.counts[f"{kind}:{event}"] += 1
                    else:
                        self.counts[f"({state})"] += 1
                time.sleep(0.02)


def top_statements(url: str, n: int = 12) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "select calls, total_exec_time, mean_exec_time, query from pg_stat_statements"
            " where query not like '%%pg_stat%%' order by total_exec_time desc limit %s",
            (n,),
        ).fetchall()
    return [
        f"  {calls:>7} calls {total:9.0f} ms total {mean:7.3f} ms mean  "
        + " ".join(query.split())[:110]
        for calls, total, mean, query in rows
    ]


def web_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    return [int(p) for p, pp in (line.split() for line in out.splitlines()) if int(pp) == master]


def summarise_profile(path: Path, n: int = 25) -> list[str]:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks."""
    own, incl, total = Counter(), Counter(), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        k = int(count)
        total += k
        frames = [re.sub(r" \(.*/", " (", f) for f in stack.split(";")]
        own[frames[-1]] += k
        for f in set(frames):
            incl[f] += k
    out = [f"  samples {total}", "  self:"]
    out += [f"   {c / total:6.1%}  {f}" for f, c in own.most_common(n)]
    out.append("  inclusive:")
    out += [f"   {c / total:6.1%}  {f}" for f, c in incl.most_common(n + 15)]
    return out


def wait_ready(port: int, procs) -> None:
    for _ in range(150):
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("a process of the voting service ended at start-up")
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass  # still starting
        time.sleep(0.2)
    raise RuntimeError("the voting service did not become ready")


def fill_electorate(admin_url: str, body: str, first: int, count: int) -> None:
    with psycopg.connect(admin_url) as conn:
        with conn.cursor().copy(
            "copy electorate (tenant, body, person_id, name, role) from stdin"
        ) as copy:
            for i in range(first, first + count):
                copy.write_row((TENANT, body, f"v{i:05d}", f"Mitglied {i:05d}", "member"))


def check_ballots(
    base: str, coord: dict, ballots: list[str], voters: int, offset: int
) -> tuple[bool, list[str], dict[str, datetime]]:
    """Every ballot closed with the tally sent, its record valid; (ok, problems, closed_at)."""
    problems, closed = [], {}
    for b, ballot_id in enumerate(ballots):
        final = requests.get(f"{base}/ballots/{ballot_id}", headers=coord, timeout=30).json()
        expected = Counter(choice_of(v, b + offset) for v in range(voters))
        if final["status"] != "closed":
            problems.append(f"ballot {b}: {final['status']}, voted {final['voted']}")
            continue
        closed[ballot_id] = datetime.fromisoformat(final["closed_at"])
        tally = final["tally"]
        if any(tally[c] != expected[c] for c in CHOICES) or tally["voted"] != voters:
            problems.append(f"ballot {b}: tally {tally}, expected {dict(expected)}")
        record = requests.get(f"{base}/ballots/{ballot_id}/record", headers=coord, timeout=60)
        body = record.json()
        votes = sum(1 for e in body["entries"] if e["entry"]["type"] == "vote")
        if not body["valid"] or votes != voters:
            problems.append(f"ballot {b}: record valid={body['valid']}, {votes} vote entries")
    return not problems, problems, closed


def sweep(args) -> int:
    """One closed-loop run (healthz and casts, no open loop, no pgbench) per workers × threads."""
    keep = ("/healthz", "vote cast", "ratio", "group commit", "CPU per request", "tally", "close")
    failed = 0
    for item in args.sweep.split(","):
        workers, threads = (int(x) for x in item.lower().split("x"))
        argv = [sys.executable, __file__, "--open-voters", "0", "--pgbench-seconds", "0"]
        argv += ["--web-workers", str(workers), "--web-threads", str(threads)]
        argv += ["--ballots", str(args.ballots), "--voters", str(args.voters)]
        argv += ["--connections", str(args.connections), "--wrk-threads", str(args.wrk_threads)]
        run = subprocess.run(argv, capture_output=True, text=True)
        failed += run.returncode != 0
        print(f"--- {workers} workers × {threads} threads (exit {run.returncode})")
        for line in run.stdout.splitlines():
            if line.startswith(keep):
                print("    " + line)
    return 1 if failed else 0


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--voters", type=int, default=1000)
    ap.add_argument("--ballots", type=int, default=8)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--healthz-seconds", type=int, default=8)
    ap.add_argument("--web-workers", type=int, default=2)
    ap.add_argument("--web-threads", type=int, default=4, help="default: the CLI's (WEB_THREADS)")
    ap.add_argument("--pool-max", type=int, default=0, help="DB_POOL_MAX (default: the settings')")
    ap.add_argument("--open-voters", type=int, default=2000)
    ap.add_argument("--open-rate", type=float, default=200.0)
    ap.add_argument("--pgbench-seconds", type=int, default=10)
    ap.add_argument("--profile", metavar="DIR", help="py-spy record of the web workers")
    ap.add_argument("--statements", action="store_true", help="pg_stat_statements, wait events")
    ap.add_argument(
        "--sweep",
        metavar="WxT,…",
        help="web workers × threads to compare, e.g. 2x4,2x8,3x4,4x4: one closed-loop run each",
    )
    args = ap.parse_args()
    if args.sweep:
        return sweep(args)
    if not have_wrk():
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2

    pg = Postgres(durable=True)
    pg.container.with_command(
        "-c max_connections=300 -c shared_preload_libraries=pg_stat_statements"
    )
    pg.start()
    mq = RabbitMQ().start()
    procs: list[subprocess.Popen] = []
    metrics_dir = tempfile.mkdtemp(prefix="kp-bench-metrics-")
    try:
        settings = Settings(database_url=pg.url, broker_url=mq.url, dev_mode=True)
        provision(settings, ["voting"])
        admin_url = settings.admin_url("knotenpunkt_voting")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("create extension if not exists pg_stat_statements")
        fill_electorate(admin_url, BODY, 0, args.voters)

        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": pg.url,
            "BROKER_URL": mq.url,
            "LOG_LEVEL": "WARNING",
            "KNOTENPUNKT_DEV": "1",  # loopback containers: the development secrets sign the tokens
            "WORKER_OPS_PORT": "0",
            "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
            **({"DB_POOL_MAX": str(args.pool_max)} if args.pool_max else {}),
        }
        bindir = Path(sys.executable).parent
        web_argv = [str(bindir / "knotenpunkt"), "web", "voting", "--port", str(port)]
        web_argv += ["--workers", str(args.web_workers), "--threads", str(args.web_threads)]
        procs.append(subprocess.Popen(web_argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL))
        procs.append(
            subprocess.Popen(
                [str(bindir / "knotenpunkt"), "worker", "voting"],
                cwd=ROOT,
                env=env,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_ready(port, procs)
        root = f"http://127.0.0.1:{port}"
        base = f"{root}/api/v1/{TENANT}"
        events = ClosedEvents(mq.url)
        coord = {
            "Authorization": "Bearer " + issue_token(settings, tenant=TENANT, roles=["coordinator"])
        }

        def open_ballots(n: int, title: str) -> list[str]:
            return [
                requests.post(
                    f"{base}/ballots",
                    json={"body": BODY, "title": f"{title} {i + 1}"},
                    headers=coord,
                    timeout=30,
                ).json()["id"]
                for i in range(n)
            ]

        def tokens(first: int, count: int) -> list[str]:
            return [
                issue_token(
                    settings, tenant=TENANT, roles=["member"], sub=f"v{i:05d}", bodies=[BODY]
                )
                for i in range(first, first + count)
            ]

        voter_tokens = tokens(0, args.voters)
        # A warm-up ballot (connections, caches), not measured.
        warm = open_ballots(1, "Aufwärmen")
        run_wrk_script(
            root,
            connections=args.connections,
            threads=args.wrk_threads,
            lua=cast_script(f"/api/v1/{TENANT}/ballots/", warm, voter_tokens, args.wrk_threads),
        )
        master = procs[0].pid
        pg_id = pg.container.get_wrapped_container().id

        def meter() -> CpuMeter:
            return CpuMeter(lambda: [master, *web_pids(master)], [("pg", pg_id)]).start()

        health_cpu = meter()
        health = healthz_reference(
            root,
            connections=args.connections,
            duration=args.healthz_seconds,
            threads=args.wrk_threads,
        )

        health_cpu.stop()
        ballots = open_ballots(args.ballots, "Benchmark")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("select pg_stat_statements_reset()")  # cast statements counted below
        if args.statements:
            sampler = Sampler(pg.url, "knotenpunkt_voting")
            sampler.start()
        spy = []
        if args.profile:
            out = Path(args.profile)
            out.mkdir(parents=True, exist_ok=True)
            for pid in web_pids(procs[0].pid):
                spy.append(
                    subprocess.Popen(
                        [str(bindir / "py-spy"), "record", "--pid", str(pid), "--format", "raw"]
                        + [
                            "--rate",
                            "250",
                            "--gil",
                            "--nonblocking",
                            "-o",
                            str(out / f"web-{pid}.txt"),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            time.sleep(1.0)
        casts_cpu = meter()
        casts = run_wrk_script(
            root,
            connections=args.connections,
            threads=args.wrk_threads,
            lua=cast_script(f"/api/v1/{TENANT}/ballots/", ballots, voter_tokens, args.wrk_threads),
        )
        casts_cpu.stop()
        for p in spy:
            p.send_signal(signal.SIGINT)
        for p in spy:
            p.wait(timeout=30)
        cast_statements = cast_statement_calls(admin_url)
        if args.statements:
            sampler.stop.set()
            sampler.join()
            statements = top_statements(admin_url)
        script = casts["script"]
        cast_rate = script["ok"] / script["seconds"] if script["seconds"] else 0.0
        arrived = events.wait_for(ballots)
        closed_ok, problems, closed_at = check_ballots(base, coord, ballots, args.voters, offset=0)
        delays = sorted(arrived[b] - closed_at[b].timestamp() for b in closed_at if b in arrived)

        live = None
        if args.open_voters:
            # Open loop: a body of open-voters members, one ballot, casts at fixed times.
            fill_electorate(admin_url, BODY, args.voters, max(0, args.open_voters - args.voters))
            open_tokens = voter_tokens + tokens(args.voters, max(0, args.open_voters - args.voters))
            (big,) = open_ballots(1, "Live-Abstimmung")
            offset = 7  # choices of this ballot: (voter + 7) mod 3
            reqs = []
            for v in range(args.open_voters):
                choice = choice_of(v, offset)
                body = {"choice": choice, **({"reason": REASON} if choice == "no" else {})}
                headers = {
                    "Authorization": "Bearer " + open_tokens[v],
                    "Content-Type": "application/json",
                }
                reqs.append(
                    (
                        "POST",
                        f"/api/v1/{TENANT}/ballots/{big}/votes",
                        headers,
                        json.dumps(body).encode(),
                    )
                )
            live = open_loop(root, reqs, rate=args.open_rate)
            live_arrived = events.wait_for([big])
            live_ok, live_problems, live_closed = check_ballots(
                base, coord, [big], args.open_voters, offset=offset
            )
            live_delay = (
                live_arrived[big] - live_closed[big].timestamp()
                if big in live_arrived and big in live_closed
                else float("nan")
            )

        events.stop.set()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        procs.clear()
        reference = (
            pgbench_rate(pg.url, args.connections, args.pgbench_seconds)
            if args.pgbench_seconds
            else "skipped (--pgbench-seconds 0)"
        )

        ratio = cast_rate / health["rps"] if health["rps"] else 0.0
        lost = args.ballots * args.voters - script["ok"]
        print(
            f"voting service           knotenpunkt web voting --workers {args.web_workers}"
            f" --threads {args.web_threads} (DB_POOL_MAX {env.get('DB_POOL_MAX', 'default')}),"
            " its worker;"
            " PostgreSQL 15 and RabbitMQ in containers"
        )
        print(
            f"load generator           wrk, {args.wrk_threads} threads,"
            f" {args.connections} connections, closed loop"
        )
        print(
            f"/healthz                 {health['rps']:.0f} req/s"
            f"  p50 {health['p50_ms']:.1f} ms  p99 {health['p99_ms']:.1f} ms"
            f"  (errors {health['errors']}, non-2xx {health['non2xx']})"
        )
        print(
            f"vote cast                {cast_rate:.0f} votes/s"
            f"  p50 {casts['p50_ms']:.1f} ms  p99 {casts['p99_ms']:.1f} ms"
            f"  ({args.ballots} ballots × {args.voters} voters, {script['seconds']:.1f} s)"
        )
        print(f"ratio cast / healthz     {ratio:.2f} (target ≥ 0.5)")
        if cast_statements:
            print(
                f"group commit             {cast_statements} cast statements (one per batch or"
                f" lone cast): {script['ok'] / cast_statements:.1f} casts each"
                f" (VOTING_BATCH_MAX {env.get('VOTING_BATCH_MAX', 'default')},"
                f" VOTING_BATCH_WAIT_MS {env.get('VOTING_BATCH_WAIT_MS', 'default')})"
            )
        for name, meter_, run in (
            ("/healthz", health_cpu, health),
            ("vote cast", casts_cpu, casts),
        ):
            n = run["requests"] if name == "/healthz" else script["ok"] + script["tail"]
            cpu = meter_.per(n)
            print(
                f"CPU per request          {name}: web {cpu['web']:.2f} ms, PostgreSQL"
                f" {cpu['pg']:.2f} ms, wrk {run['cpu_s'] * 1000 / n:.2f} ms"
                f" (machine: {os.cpu_count()} cores)"
            )
        print(
            f"answers                  {script['ok']} × 200, {script['bad']} other,"
            f" socket errors {casts['errors']}"
            + (f"  first: {script['first_bad']}" if script["bad"] else "")
        )
        print(
            f"tally                    {'exact' if closed_ok and lost == 0 and not script['bad'] else 'WRONG'}"
            f" (lost {lost}, every ballot closed with the votes sent, no vote changed,"
            " records valid)" + (f"  problems: {problems[:3]}" if problems else "")
        )
        if delays:
            print(
                f"close → ballot.closed    p50 {percentile(delays, 50) * 1000:.0f} ms,"
                f" max {delays[-1] * 1000:.0f} ms over {len(delays)} ballots (target ≤ 1 s)"
            )
        else:
            print("close → ballot.closed    no event arrived")
        if live is not None:
            print(
                f"open loop                {args.open_voters} voters at {args.open_rate:.0f}/s offered"
                f" ({live['achieved_rate']:.0f}/s answered):"
                f"  p50 {live['p50_ms']:.1f} ms  p90 {live['p90_ms']:.1f} ms"
                f"  p99 {live['p99_ms']:.1f} ms  max {live['max_ms']:.0f} ms (target p99 ≤ 50 ms)"
            )
            print(
                f"open loop answers        {live['ok']} × 200, {live['non2xx']} other,"
                f" {live['errors']} errors, {live['connections']} connections,"
                f" driver lag p99 {live['lag_ms']:.1f} ms;"
                f" tally {'exact' if live_ok and live['ok'] == args.open_voters else 'WRONG'},"
                f" close → ballot.closed {live_delay * 1000:.0f} ms"
                + (f"  problems: {live_problems[:3]}" if live_problems else "")
            )
        print(f"pgbench -N               {reference}")
        tps = re.match(r"(\d+) tps", reference)
        if tps:
            print(f"ratio cast / pgbench -N  {cast_rate / int(tps.group(1)):.2f}")
        if args.statements:
            print("pg_stat_statements (closed loop, by total time):")
            print("\n".join(statements))
            total = sum(sampler.counts.values())
            print(f"wait events of the application's backends ({sampler.samples} samples):")
            for name, n in sampler.counts.most_common(12):
                print(f"  {n / total:6.1%}  {name}")
        if args.profile:
            for f in sorted(Path(args.profile).glob("web-*.txt")):
                summary = summarise_profile(f)
                (f.with_suffix(".summary")).write_text("\n".join(summary) + "\n")
                print(f"py-spy {f}:")
                print("\n".join(summary[:20]))
        good = (
            closed_ok
            and lost == 0
            and not script["bad"]
            and (live is None or (live_ok and live["ok"] == args.open_voters))
        )
        return 0 if good else 1
    finally:
        for proc in procs:
            proc.kill()
        shutil.rmtree(metrics_dir, ignore_errors=True)
        pg.stop()
        mq.stop()


if __name__ == "__main__":
    sys.exit(main())
