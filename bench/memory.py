"""Memory benchmark: resident memory of every Knotenpunkt process under `knotenpunkt run`.

Starts the whole system as `make run` does (embedded PostgreSQL, filesystem
broker) with its data in a temporary folder, sends some traffic to each
service, then prints the resident set size of each web and worker process
(target: at most 100 MB each) and stops everything.

    .venv/bin/python bench/memory.py [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORTS = {"membership": 8001, "voting": 8002, "events": 8003, "notifications": 8004}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines():
        p, pp = map(int, line.split())
        children.setdefault(pp, []).append(p)
    found, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.append(c)
            todo.append(c)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    var = tempfile.mkdtemp(prefix="kp-bench-")
    env = {**os.environ, "KNOTENPUNKT_VAR": var, "EMBEDDED_PG_PORT": "55439"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "knotenpunkt"), "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if all(
                    requests.get(f"http://127.0.0.1:{p}/readyz", timeout=5).status_code == 200
                    for p in PORTS.values()
                ):
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            print("the services did not become ready")
            return 1
        with requests.Session() as s:
            for _ in range(args.requests):
                s.get("http://127.0.0.1:8001/api/v1/chemnitz/partners?page_size=50")
                s.get("http://127.0.0.1:8001/api/v1/chemnitz/rules")
                s.get("http://127.0.0.1:8003/api/v1/chemnitz/calendar.ics")
                s.get(f"http://127.0.0.1:{PORTS['voting']}/api/v1/openapi.json")
                s.get(f"http://127.0.0.1:{PORTS['notifications']}/metrics")
        rows = []
        for pid in descendants(proc.pid):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except FileNotFoundError:
                continue
            if "gunicorn" in cmd or "knotenpunkt worker" in cmd or "knotenpunkt web" in cmd:
                rows.append((rss_mb(pid), pid, cmd.strip()[-70:]))
        for mb, pid, cmd in sorted(rows, reverse=True):
            print(f"{mb:7.1f} MB  {pid:>7}  {cmd}")
        worst = max(mb for mb, *_ in rows)
        print(f"largest process          {worst:.1f} MB (target ≤ 100 MB)")
        return 0
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
