"""Import benchmark (issue 22): a network moves in with 5,000 partners in one XLSX.

Starts PostgreSQL in a container (durable settings), runs the membership web process as in
production (`knotenpunkt web membership`: gunicorn, its workers and threads), writes an
XLSX of N partners with openpyxl (German headers, every row valid and new) and measures
over HTTP, as a coordinator:

- the upload and its preview (POST /imports: read, map, verdicts, stored);
- apply (POST /imports/<id>/apply: every partner with its outbox event, one transaction);
- the export of all partners as XLSX and as CSV (GET /exports/partners);

and prints each time, the counts, and the web workers' largest RSS after each step.

    .venv/bin/python bench/import_partners.py [--partners 5000]

Needs what `make test` needs (a Docker engine and the images; deploy/test-infra.sh).
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import subprocess
import sys
import time
import warnings
from pathlib import Path

import requests
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from bench._common import start_web_process  # noqa: E402
from knotenpunkt.containers import Postgres, free_port  # noqa: E402
from knotenpunkt.shared.auth import issue_token  # noqa: E402
from knotenpunkt.shared.config import Settings  # noqa: E402
from knotenpunkt.shared.db import provision  # noqa: E402

TENANT = "chemnitz"
SECRET = secrets.token_urlsafe(48)
KINDS = ("Behörde", "Wohlfahrtsverband", "Migrantenselbstorganisation", "Bildung", "Sonstige")
TOPICS = ("Arbeit", "Bildung", "Gesundheit", "Wohnen", "Sprache", "Beratung", "Kultur")
LANGUAGES = ("Deutsch", "Englisch", "Arabisch", "Russisch", "Ukrainisch", "Persisch")
HEADER = ["Name", "Art", "Straße", "PLZ", "Ort", "E-Mail", "Telefon", "Website", "Themen"]
HEADER += ["Sprachen"]


def workbook(n: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Partner")
    sheet.append(HEADER)
    for i in range(n):
        sheet.append(
            [
                f"Partnerorganisation {i:05d} e. V.",
                KINDS[i % len(KINDS)],
                f"Hauptstraße {i + 1}",
                f"{9000 + i % 1000:05d}",
                "Chemnitz",
                f"info@partner{i}.example.org",
                f"0371 {100000 + i}",
                f"www.partner{i}.example.org",
                f"{TOPICS[i % 7]}, {TOPICS[(i + 3) % 7]}",
                f"{LANGUAGES[i % 6]}, Deutsch",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_rss(proc) -> float:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True, text=True
    ).stdout
    return max((rss_mb(int(p)) for p in out.split()), default=rss_mb(proc.pid))


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--partners", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
    ap.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
    args = ap.parse_args()

    pg = Postgres(durable=True).start()
    proc = None
    try:
        settings = Settings(database_url=pg.url, dev_mode=True)
        provision(settings, ["membership"])
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "KNOTENPUNKT_DEV": "1",
            "LOG_LEVEL": "WARNING",
            "JWT_SECRET": SECRET,
            "LINK_SECRET": SECRET[::-1],
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        proc, _ = start_web_process("membership", port, env, args.workers, args.threads)
        base = f"http://127.0.0.1:{port}/api/v1/{TENANT}"
        token = issue_token(
            Settings(jwt_secret=SECRET), tenant=TENANT, roles=["coordinator"], sub="bench"
        )
        auth = {"Authorization": f"Bearer {token}"}
        data, made = timed(lambda: workbook(args.partners))
        print(
            f"XLSX of {args.partners} partners: {len(data) / 1024:.0f} KiB, written in {made:.2f} s"
        )
        print(f"web worker RSS at start: {worker_rss(proc):.0f} MiB")

        preview, took = timed(
            lambda: requests.post(
                f"{base}/imports",
                files={"file": ("partner.xlsx", data)},
                data={"kind": "partners"},
                headers=auth,
                timeout=600,
            )
        )
        preview.raise_for_status()
        body = preview.json()
        print(f"preview: {took:.2f} s  counts {body['counts']}  RSS {worker_rss(proc):.0f} MiB")

        applied, took = timed(
            lambda: requests.post(
                f"{base}/imports/{body['id']}/apply", json={}, headers=auth, timeout=600
            )
        )
        applied.raise_for_status()
        counts = applied.json()["counts"]
        print(
            f"apply:   {took:.2f} s  created {counts['created']}, errors {counts['errors']}"
            f"  RSS {worker_rss(proc):.0f} MiB"
        )
        for fmt in ("xlsx", "csv"):
            exported, took = timed(
                lambda fmt=fmt: requests.get(
                    f"{base}/exports/partners", params={"format": fmt}, headers=auth, timeout=600
                )
            )
            exported.raise_for_status()
            print(
                f"export {fmt}: {took:.2f} s  {len(exported.content) / 1024:.0f} KiB"
                f"  RSS {worker_rss(proc):.0f} MiB"
            )
        return 0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
