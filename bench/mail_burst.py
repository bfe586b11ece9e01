"""Mail benchmark: an invitation to N partners (default 500) until N mails are handed to SMTP.

Starts PostgreSQL in a container and a real SMTP server (aiosmtpd) on loopback,
feeds the notifications service's consumer one `events.event.invited` event
with N recipients and runs its delivery job until every mail has been accepted
by the SMTP server. Prints the time from handling the event to the last
accepted mail (target: 500 mails within 10 s).

    .venv/bin/python bench/mail_burst.py [--recipients 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from knotenpunkt.containers import Postgres, SmtpSink  # noqa: E402
from knotenpunkt.services.notifications import worker as nw  # noqa: E402
from knotenpunkt.shared.config import Settings  # noqa: E402
from knotenpunkt.shared.db import provision  # noqa: E402
from knotenpunkt.shared.messaging import envelope  # noqa: E402
from knotenpunkt.shared.tenants import TenantRegistry  # noqa: E402
from knotenpunkt.wiring import worker_for  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--recipients", type=int, default=500)
    args = ap.parse_args()
    pg, smtp = Postgres(durable=True).start(), SmtpSink().start()
    try:
        settings = Settings(database_url=pg.url, smtp_url=smtp.url, dev_mode=True)
        provision(settings, ["notifications"])
        tenants = TenantRegistry.load(settings.tenants_dir)
        w = worker_for("notifications", settings=settings, tenants=tenants)
        w.db.open()
        consumer = w.consumer(None)
        start_at = datetime.now(UTC) + timedelta(days=30)
        env = envelope(
            "events",
            "chemnitz",
            "event",
            "invited",
            {
                "id": "bench-event",
                "kind": "network_event",
                "body": None,
                "title": "Netzwerkveranstaltung",
                "starts_at": start_at.isoformat(),
                "ends_at": (start_at + timedelta(hours=3)).isoformat(),
                "place": "Rathaus Chemnitz",
                "online_url": None,
                "public": True,
                "status": "invited",
                "sequence": 0,
                "agenda": [
                    {"title": "Begrüßung", "presenter": None},
                    {"title": "Berichte der Arbeitsgruppen", "presenter": None},
                ],
                "recipients": [
                    {"invitee": f"p{i}", "name": f"Partner {i}", "email": f"partner{i}@example.org"}
                    for i in range(args.recipients)
                ],
            },
        )
        t0 = time.perf_counter()
        consumer.handle(env)
        enqueued = time.perf_counter() - t0
        while len(smtp.messages) < args.recipients and time.perf_counter() - t0 < 120:
            nw.deliver(w, w.context("chemnitz"))
        total = time.perf_counter() - t0
        w.db.close()
        print(f"recipients               {args.recipients}")
        print(f"rendered and queued      {enqueued:.2f} s")
        print(
            f"all handed to SMTP       {total:.2f} s ({len(smtp.messages)} accepted; target {args.recipients} within 10 s)"
        )
        print(f"mails per second         {len(smtp.messages) / total:.0f}")
        return 0 if len(smtp.messages) == args.recipients else 1
    finally:
        smtp.stop()
        pg.stop()


if __name__ == "__main__":
    sys.exit(main())
