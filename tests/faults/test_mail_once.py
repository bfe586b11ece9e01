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


class Cut:
    """A notifications worker on a tenant of its own whose delivery can be cut: `accepted(address)`
    queues an invitation and delivers it with a mailer that sends, then ends the delivery's
    database session (as a server restart would; only that one session, no other test's)."""

    def __init__(self, settings, tenants, smtp):
        registry = registry_with_copy(tenants, TENANT)
        self.w = worker_for(
            "notifications", settings=settings.with_(smtp_url=smtp.url), tenants=registry
        )
        self.w.db.open()
        self.make_mailer = self.w.deps["mailer"]
        self.database = settings.admin_url(settings.service_database("notifications"))
        self.delivering: list[int] = []  # the backend of the delivery's unit of work
        self.transaction = self.w.db.transaction
        self.w.db.transaction = self.watched

    @contextmanager
    def watched(self, tenant):
        with self.transaction(tenant) as conn:
            self.delivering.append(conn.info.backend_pid)
            yield conn

    def accepted(self, address: str) -> None:
        cut = self

        class CutAfterSending:
            def __init__(self):
                self.inner = cut.make_mailer()

            def send(self, message):
                self.inner.send(message)
                with psycopg.connect(cut.database, autocommit=True) as admin:
                    ended = admin.execute(
                        "select pg_terminate_backend(%s)", (cut.delivering[-1],)
                    ).fetchone()[0]
                assert ended

            def close(self):
                self.inner.close()

        self.w.consumer(None).handle(invitation(address))
        self.w.deps["mailer"] = CutAfterSending
        with pytest.raises(psycopg.OperationalError):
            self.deliver()
        self.w.deps["mailer"] = self.make_mailer

    def deliver(self) -> None:
        nw.deliver(self.w, self.w.context(TENANT))

    def row(self, address: str) -> dict:
        with self.transaction(TENANT) as conn:
            return conn.execute(
                "select id::text as id, status from notifications where recipient = %s",
                (address,),
            ).fetchone()


@pytest.fixture
def cut(settings, tenants):
    smtp = SmtpSink().start()
    c = Cut(settings, tenants, smtp)
    c.smtp = smtp
    yield c
    c.w.db.close()
    smtp.stop()


def test_a_mail_accepted_before_the_database_went_away_is_recorded_not_sent_twice(cut):
    address = f"{unique('einmal')}@example.org"
    cut.accepted(address)
    assert len(cut.smtp.to(address)) == 1  # the server has it; the database does not know
    cut.deliver()
    cut.deliver()
    assert len(cut.smtp.to(address)) == 1
    assert cut.row(address)["status"] == "sent"
    assert not nw.ACCEPTED_UNRECORDED


def test_a_remembered_mail_whose_delivery_is_settled_meanwhile_is_forgotten(cut, settings):
    address = f"{unique('vergessen')}@example.org"
    cut.accepted(address)
    delivery = cut.row(address)["id"]
    assert nw.ACCEPTED_UNRECORDED == {f"<{delivery}@knotenpunkt>": TENANT}
    nw.ACCEPTED_UNRECORDED["<other@knotenpunkt>"] = "chemnitz"  # another tenant's: not ours
    try:
        # given up by hand meanwhile: it is not due again, so no run would record it
        with psycopg.connect(cut.database, autocommit=True) as admin:
            admin.execute("update notifications set status = 'failed' where id = %s", (delivery,))
        cut.deliver()
        assert nw.ACCEPTED_UNRECORDED == {"<other@knotenpunkt>": "chemnitz"}
        assert len(cut.smtp.to(address)) == 1
    finally:
        nw.ACCEPTED_UNRECORDED.pop("<other@knotenpunkt>", None)
