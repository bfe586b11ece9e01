"""A mail the SMTP server accepted just before the database went away is not sent again:
the notifications worker records it as sent once the database is back."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from knotenpunkt.services.notifications import worker as nw
from knotenpunkt.shared.messaging import envelope
from knotenpunkt.wiring import worker_for
from tests.support import SmtpSink, registry_with_copy, unique

TENANT = "mail-once"  # a tenant of its own: no other test's due deliveries are sent in its run


def invitation(address: str) -> dict:
    start = datetime.now(UTC) + timedelta(days=30)
    return envelope(
        "events",
        TENANT,
        "event",
        "invited",
        {
            "id": unique("event"),
            "kind": "network_event",
            "body": None,
            "title": "Netzwerkveranstaltung",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "place": "Rathaus Chemnitz",
            "online_url": None,
            "public": True,
            "status": "invited",
            "sequence": 0,
            "agenda": [],
            "recipients": [{"invitee": unique("p"), "name": "Partner", "email": address}],
        },
    )


def test_a_mail_accepted_before_the_database_went_away_is_recorded_not_sent_twice(
    settings, tenants
):
    smtp = SmtpSink().start()
    registry = registry_with_copy(tenants, TENANT)
    w = worker_for("notifications", settings=settings.with_(smtp_url=smtp.url), tenants=registry)
    w.db.open()
    make_mailer = w.deps["mailer"]
    database = settings.admin_url(settings.service_database("notifications"))
    delivering: list[int] = []  # the backend of the delivery's unit of work
    transaction = w.db.transaction

    @contextmanager
    def watched(tenant):
        with transaction(tenant) as conn:
            delivering.append(conn.info.backend_pid)
            yield conn

    w.db.transaction = watched

    class CutAfterSending:
        """Sends, then ends the delivery's database session (as a server restart would);
        only that one session, no other test's."""

        def __init__(self):
            self.inner = make_mailer()

        def send(self, message):
            self.inner.send(message)
            with psycopg.connect(database, autocommit=True) as admin:
                ended = admin.execute(
                    "select pg_terminate_backend(%s)", (delivering[-1],)
                ).fetchone()[0]
            assert ended

        def close(self):
            self.inner.close()

    address = f"{unique('einmal')}@example.org"
    try:
        w.consumer(None).handle(invitation(address))
        w.deps["mailer"] = CutAfterSending
        with pytest.raises(psycopg.OperationalError):
            nw.deliver(w, w.context(TENANT))
        assert len(smtp.to(address)) == 1  # the server has it; the database does not know
        w.deps["mailer"] = make_mailer
        nw.deliver(w, w.context(TENANT))
        nw.deliver(w, w.context(TENANT))
        assert len(smtp.to(address)) == 1
        with transaction(TENANT) as conn:
            row = conn.execute(
                "select status from notifications where recipient = %s", (address,)
            ).fetchone()
        assert row["status"] == "sent"
        assert not nw.ACCEPTED_UNRECORDED
    finally:
        w.db.close()
        smtp.stop()
