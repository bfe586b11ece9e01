"""Notifications against real PostgreSQL, a real SMTP server and a real HTTP receiver.

Time is the test's: the notifier and the app here read one clock that the
tests move on (`clock.now += …`) where a retry's backoff has to pass; nothing sleeps.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from types import SimpleNamespace

import pytest

from knotenpunkt.services.notifications import handlers, store
from knotenpunkt.services.notifications import worker as nw
from knotenpunkt.services.notifications.app import create_app
from knotenpunkt.shared.messaging import envelope
from knotenpunkt.shared.tenants import TenantRegistry
from knotenpunkt.wiring import worker_for
from tests.support import SmtpSink, WebhookReceiver, unique

# A network of the tests' own (Magdeburg's rules) whose webhooks may call the receivers on
# loopback: the real networks allow public addresses only.
HOOKS = "hookland"


def subject(msg) -> str:
    """A received mail's subject, decoded (the sink keeps the raw headers)."""
    return str(make_header(decode_header(msg["Subject"])))


RESULT_DE = "Ergebnis: Aufnahme Kulturverein – Beschluss: angenommen"
RESULT_EN = "Result: Aufnahme Kulturverein – adopted"


@pytest.fixture
def clock():
    """The test's time: `clock.now`, moved on by the test."""
    return SimpleNamespace(now=datetime.now(UTC))


@pytest.fixture(scope="module")
def tenants_here(tenants):
    """The deployment's networks and `hookland`, whose webhooks may call 127.0.0.1."""
    magdeburg = tenants.get("magdeburg")
    rules = {
        **magdeburg.rules,
        "key": HOOKS,
        "webhooks": {"allowed_internal_hosts": ["127.0.0.1"]},
    }
    hooks = replace(magdeburg, key=HOOKS, rules=rules)
    return TenantRegistry({**{t.key: t for t in tenants}, HOOKS: hooks})


@pytest.fixture(scope="module")
def notifications_app(settings, tenants_here):
    app = create_app(settings, tenants_here)
    yield app
    app.extensions["knotenpunkt"].db.close()


@pytest.fixture
def clients(notifications_app, clock):
    """This module's notifications app, on the test's clock."""
    notifications_app.extensions["knotenpunkt"].clock = lambda: clock.now
    return {"notifications": notifications_app.test_client()}


@pytest.fixture
def smtp():
    s = SmtpSink().start()
    yield s
    s.stop()


@contextmanager
def notifier_on(settings, tenants_here, smtp, clock, backoff=0.2):
    """The notifications worker's pieces, sending to `smtp`, retries after `backoff` seconds."""
    w = worker_for(
        "notifications",
        settings=settings.with_(
            smtp_url=smtp.url, notify_backoff_seconds=backoff, notify_max_attempts=3
        ),
        tenants=tenants_here,
        clock=lambda: clock.now,
    )
    w.db.open()
    w.inbox = w.consumer(None)
    try:
        yield w
    finally:
        w.db.close()


@pytest.fixture
def notifier(settings, tenants_here, smtp, clock):
    """The notifications worker's pieces, sending to the test SMTP server, quick retries."""
    with notifier_on(settings, tenants_here, smtp, clock) as w:
        yield w


class RejectingSmtp(SmtpSink):
    """A real SMTP server that answers every recipient with a permanent 550."""

    def start(self) -> RejectingSmtp:
        from aiosmtpd.controller import Controller

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                return "550 5.1.1 Mailbox unavailable"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self


@pytest.fixture
def members(notifier, reset_body):
    """members(tenant, body, n) -> person ids: the copy of the body's members is exactly n fresh ones."""

    def make(tenant, body, n):
        reset_body(tenant, body)
        people = [unique("m") for _ in range(n)]
        with notifier.db.transaction(tenant) as conn:
            for i, p in enumerate(people):
                handlers.add_body_member(
                    handlers.AddBodyMember(body, p, f"Mitglied {i + 1}", f"{p}@example.org"),
                    conn,
                    notifier.context(tenant),
                )
        return people

    return make


def ballot_closed(tenant="chemnitz", body="vorbereitungsgremium"):
    return envelope(
        "voting",
        tenant,
        "ballot",
        "closed",
        {
            "ballot_id": unique("b"),
            "body": body,
            "title": "Aufnahme Kulturverein",
            "decision_rule": "simple_majority",
            "outcome": "adopted",
            "outcome_text": "Beschluss: angenommen",
            "kind": "resolution",
            "binding": True,
            "outcome_to": None,
            "tally": {"yes": 2, "no": 1, "abstain": 0, "voted": 3, "electorate": 3},
            "dissent": [{"choice": "no", "reason": "Ziele unklar.", "name": "Mitglied 3"}],
            "subject": {"kind": "admission", "id": "x"},
            "deadline": "2026-12-06T12:00:00+00:00",
        },
    )


def rejected(tenant: str, email: str):
    """A mandatory mail to `email` (a rejected application)."""
    return envelope(
        "membership",
        tenant,
        "application",
        "rejected",
        {
            "application_id": unique("a"),
            "organisation": "X e. V.",
            "contact": {"name": "M", "email": email},
            "decision": {"tally": {"yes": 0, "no": 3, "abstain": 0}},
        },
    )


def deliver(w, tenant="chemnitz"):
    nw.deliver(w, w.context(tenant))


def test_result_mail_to_each_member_once_with_dissent(notifier, smtp, members):
    people = members("chemnitz", "vorbereitungsgremium", 3)
    env = ballot_closed()
    assert notifier.inbox.handle(env) is True
    assert notifier.inbox.handle(env) is False  # redelivered: nothing new
    deliver(notifier)
    deliver(notifier)
    for p in people:
        got = smtp.to(f"{p}@example.org")
        assert len(got) == 1
        body = got[0].get_payload(decode=True).decode()
        assert "Mitglied 3: Ziele unklar." in body and "Ja: 2, Nein: 1" in body
        assert (
            got[0]["Message-ID"]
            and got[0]["Date"]
            and got[0]["List-Unsubscribe"].startswith("<http")
        )
        assert subject(got[0]) == RESULT_DE


def test_smtp_down_while_ballot_closes_then_mail_arrives_once(notifier, smtp, members, clock):
    """A mail server that is away (connection refused: nothing was sent) costs no attempt,
    however many runs find it away; once it is back, the mail goes once."""
    people = members("chemnitz", "vorbereitungsgremium", 1)
    address = f"{people[0]}@example.org"
    smtp.stop()
    notifier.inbox.handle(ballot_closed())
    deliver(notifier)
    for _ in range(4):  # more runs than notify_max_attempts (3), each after the wait (0.2 s)
        clock.now += timedelta(seconds=0.2)
        deliver(notifier)
    with notifier.db.transaction("chemnitz") as conn:
        row = store.deliveries.list_notifications(conn, recipient=address)[0]
    assert row["status"] == "queued" and row["attempts"] == 0
    assert "nicht erreichbar" in row["last_error"] and "Connection" in row["last_error"]
    smtp.start()
    deliver(notifier)  # the wait (0.2 s) after the last run has not passed yet
    assert smtp.to(address) == []
    clock.now += timedelta(seconds=0.2)
    deliver(notifier)
    deliver(notifier)
    assert len(smtp.to(address)) == 1
    with notifier.db.transaction("chemnitz") as conn:
        row = store.deliveries.list_notifications(conn, recipient=address)[0]
    assert row["status"] == "sent" and row["attempts"] == 1


def test_while_the_mail_server_is_away_mails_wait_at_most_5_s_not_the_backoff(
    settings, tenants_here, smtp, members, clock
):
    """With the default first backoff (30 s), a mail server that is away makes the due mails
    wait only 5 s (domain.deliveries.SERVER_AWAY_WAIT_SECONDS): after a 60 s outage they go within 5 s."""
    people = members("chemnitz", "vorbereitungsgremium", 2)
    addresses = [f"{p}@example.org" for p in people]
    with notifier_on(settings, tenants_here, smtp, clock, backoff=30) as w:
        smtp.stop()
        w.inbox.handle(ballot_closed())
        for _ in range(12):  # 60 s of runs, one each 5 s
            deliver(w)
            with w.db.transaction("chemnitz") as conn:
                waiting = [
                    store.deliveries.list_notifications(conn, recipient=a)[0] for a in addresses
                ]
            assert [(r["status"], r["attempts"]) for r in waiting] == [("queued", 0)] * 2
            assert {r["next_attempt_at"] for r in waiting} == {clock.now + timedelta(seconds=5)}
            clock.now += timedelta(seconds=5)
        smtp.start()
        deliver(w)
        assert [len(smtp.to(a)) for a in addresses] == [1, 1]


def test_after_bounded_attempts_a_delivery_is_failed_and_visible(
    settings, tenants_here, smtp, clients, token, members, clock
):
    """A permanent answer of the mail server (550) is a failed attempt; after
    notify_max_attempts the delivery is failed, and a coordinator can send it again."""
    people = members("chemnitz", "vorbereitungsgremium", 1)
    rejecting = RejectingSmtp().start()
    try:
        with notifier_on(settings, tenants_here, rejecting, clock) as w:
            w.inbox.handle(ballot_closed())
            for backoff in (0.2, 0.4, 0.8):  # 0.2 s doubled after each failed attempt
                deliver(w)
                clock.now += timedelta(seconds=backoff)
    finally:
        rejecting.stop()
    listed = (
        clients["notifications"]
        .get(
            f"/api/v1/chemnitz/notifications?status=failed&recipient={people[0]}@example.org",
            headers=token("chemnitz", "coordinator"),
        )
        .get_json()
    )
    assert len(listed) == 1 and listed[0]["attempts"] == 3 and "550" in listed[0]["last_error"]
    again = clients["notifications"].post(
        f"/api/v1/chemnitz/notifications/{listed[0]['id']}/resend",
        headers=token("chemnitz", "coordinator"),
    )
    assert again.status_code == 200 and again.get_json()["status"] == "queued"
    with notifier_on(settings, tenants_here, smtp, clock) as w:
        deliver(w)
    assert len(smtp.to(f"{people[0]}@example.org")) == 1


def test_unsubscribe_link_works_without_login_but_decisions_still_arrive(
    notifier, smtp, clients, members, settings
):
    people = members("chemnitz", "vorbereitungsgremium", 1)
    address = f"{people[0]}@example.org"
    notifier.inbox.handle(ballot_closed())
    deliver(notifier)
    link = smtp.to(address)[0]["List-Unsubscribe"].strip("<>")
    path = link.split(settings.public_url, 1)[1]
    assert clients["notifications"].get(path).status_code == 200  # asks, changes nothing
    one_click = {"List-Unsubscribe": "One-Click"}
    assert clients["notifications"].post(path, data=one_click).status_code == 200
    bad = path.replace("token=", "token=x")
    assert clients["notifications"].post(bad, data=one_click).status_code == 403
    notifier.inbox.handle(ballot_closed())
    deliver(notifier)
    assert len(smtp.to(address)) == 1  # the second result was suppressed
    notifier.inbox.handle(rejected("chemnitz", address))
    deliver(notifier)
    assert len(smtp.to(address)) == 2  # mandatory: ignores the opt-out
    assert "List-Unsubscribe" not in smtp.to(address)[1]


def test_decision_waits_for_the_deadline(notifier, smtp, clock):
    address = f"{unique('antrag')}@example.org"
    deadline = clock.now + timedelta(days=10)
    notifier.inbox.handle(
        envelope(
            "membership",
            "chemnitz",
            "partner",
            "admitted",
            {
                "id": unique("p"),
                "name": "Neuer Verein",
                "contact": {"name": "N", "email": address},
                "decision": {
                    "tally": {"yes": 3, "no": 0, "abstain": 0},
                    "deadline": deadline.isoformat(),
                },
            },
        )
    )
    deliver(notifier)
    assert smtp.to(address) == []
    with notifier.db.transaction("chemnitz") as conn:
        row = store.deliveries.list_notifications(conn, recipient=address)[0]
    assert row["status"] == "queued" and row["next_attempt_at"] == deadline
    clock.now = deadline
    deliver(notifier)
    assert len(smtp.to(address)) == 1


def test_signed_webhook_delivery_and_retry(notifier, clients, token, clock):
    secret = "s3cr3t-s3cr3t-s3cr3t"
    receiver = WebhookReceiver(secret)
    try:
        sub = clients["notifications"].post(
            f"/api/v1/{HOOKS}/webhooks",
            json={"url": receiver.url, "event_types": ["voting.*"], "secret": secret},
            headers=token(HOOKS, "coordinator"),
        )
        assert sub.status_code == 201
        bad = clients["notifications"].post(
            f"/api/v1/{HOOKS}/webhooks",
            json={"url": "kein-link", "event_types": []},
            headers=token(HOOKS, "coordinator"),
        )
        assert bad.status_code == 422 and {"url", "event_types"} <= set(bad.get_json()["errors"])
        receiver.fail_with = 503
        env = ballot_closed(HOOKS, "projektgruppe")
        notifier.inbox.handle(env)
        deliver(notifier, HOOKS)
        assert receiver.received == []
        receiver.fail_with = None
        clock.now += timedelta(seconds=0.2)
        deliver(notifier, HOOKS)
        assert len(receiver.received) == 1
        valid, body = receiver.received[0]
        assert valid and env["id"].encode() in body
        clients["notifications"].delete(
            f"/api/v1/{HOOKS}/webhooks/{sub.get_json()['id']}",
            headers=token(HOOKS, "coordinator"),
        )
    finally:
        receiver.stop()


def test_a_member_who_prefers_english_gets_english(notifier, smtp, clients, token, members):
    people = members("chemnitz", "vorbereitungsgremium", 2)
    english = f"{people[0]}@example.org"
    pref = clients["notifications"].put(
        "/api/v1/chemnitz/preferences",
        json={"email": english, "category": "ballots", "language": "en"},
        headers=token("chemnitz", "coordinator"),
    )
    assert (
        pref.status_code == 200
        and pref.get_json()["language"] == "en"
        and pref.get_json()["opted_out"] is False
    )
    notifier.inbox.handle(ballot_closed())
    deliver(notifier)
    assert [subject(m) for m in smtp.to(english)] == [RESULT_EN]
    assert [subject(m) for m in smtp.to(f"{people[1]}@example.org")] == [RESULT_DE]
