"""The applicant's address confirmed before anything else is sent (issue 10, point 5).

A network of the tests' own ("confirmland": Chemnitz' rules with
membership.confirm_applicant_email on) takes anonymous applications as
unconfirmed: its only event is application.confirmation_requested, whose one mail
carries the signed link; POST …/confirm?token=… submits the application and
publishes application.submitted as without the rule (the receipt follows). Membership
and notifications are driven separately: membership's outbox rows are handed to the
notifications worker's consumer. A second confirmation answers 200 and changes nothing
(idempotent: a double click, a reloaded page). Unconfirmed applications are deleted by
the membership worker after membership.unconfirmed_days (a clock the test moves).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from knotenpunkt.services.membership import worker as mw
from knotenpunkt.services.membership.app import create_app
from knotenpunkt.services.notifications import store as notification_store
from knotenpunkt.shared.messaging import event_name
from knotenpunkt.shared.tenants import TenantRegistry
from knotenpunkt.shared.worker import Worker
from knotenpunkt.wiring import service_deps, worker_for
from tests.support import Clock, unique

CONFIRM = "confirmland"
BASE = f"/api/v1/{CONFIRM}/applications"
FORM_TEXT = ("Gewinnspiel: http://evil.example", "Herr Werbung")


@pytest.fixture(scope="module")
def registry(tenants):
    chemnitz = tenants.get("chemnitz")
    membership = {**chemnitz.rules["membership"], "confirm_applicant_email": True}
    rules = {**chemnitz.rules, "key": CONFIRM, "membership": membership}
    return TenantRegistry({CONFIRM: replace(chemnitz, key=CONFIRM, rules=rules)})


@pytest.fixture(scope="module")
def clock():
    return Clock()


@pytest.fixture(scope="module")
def app(settings, registry, clock):
    built = create_app(settings, registry, clock=clock)
    yield built
    built.extensions["knotenpunkt"].db.close()


@pytest.fixture
def client(app, clock):
    clock.now = datetime.now(UTC)
    return app.test_client()


@pytest.fixture(scope="module")
def notifier(settings, registry):
    w = worker_for("notifications", settings=settings, tenants=registry)
    w.db.open()
    w.inbox = w.consumer(None)
    yield w
    w.db.close()


def application(email: str) -> dict:
    return {
        "organisation": {
            "name": FORM_TEXT[0],
            "kind": "migrant_self_organisation",
            "city": "Chemnitz",
        },
        "contact": {"name": FORM_TEXT[1], "email": email},
        "statements": {"migrant_interests": True, "non_commercial": True},
        "motivation": FORM_TEXT[0],
    }


def events(settings, application_id: str) -> list[dict]:
    """Membership's outbox events about the application, oldest first."""
    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        rows = conn.execute(
            "select envelope from outbox where tenant = %s and envelope->>'subject' = %s"
            " order by id",
            (CONFIRM, application_id),
        ).fetchall()
    return [r[0] for r in rows]


def hand_over(notifier, envs: list[dict]) -> None:
    for env in envs:
        notifier.inbox.handle(env)


def mails_to(notifier, email: str) -> list[dict]:
    with notifier.db.transaction(CONFIRM) as conn:
        return notification_store.deliveries.list_notifications(
            conn, recipient=email, channel="email"
        )


def submitted(client, email: str) -> dict:
    resp = client.post(BASE, json=application(email))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def applied(client, notifier, settings, name: str) -> tuple[dict, str, str]:
    """An unconfirmed application of a fresh address, its mail handed to notifications:
    (the application, the path of its confirmation link, the link's token)."""
    app = submitted(client, f"{unique(name)}@example.org")
    hand_over(notifier, events(settings, app["id"]))
    path, good = link_of(mails_to(notifier, app["contact"]["email"])[0])
    return app, path, good


def link_of(mail: dict) -> tuple[str, str]:
    """(path, token) of the confirmation link in a queued mail's body."""
    m = re.search(r"https?://[^/\s]+(/api/v1/\S+/confirm)\?token=([\w-]+)", mail["body"])
    assert m, mail["body"]
    return m.group(1), m.group(2)


def test_an_unconfirmed_application_causes_exactly_one_mail_the_confirmation(
    client, notifier, settings, token
):
    email = f"{unique('bewerbung')}@example.org"
    app = submitted(client, email)
    assert app["status"] == "unconfirmed"
    envs = events(settings, app["id"])
    assert [event_name(e) for e in envs] == ["membership.application.confirmation_requested"]
    # the event carries the address and the language only: no text from the form
    assert all(text not in str(envs[0]["data"]) for text in FORM_TEXT)
    hand_over(notifier, envs)
    hand_over(notifier, envs)  # redelivered: nothing new
    mails = mails_to(notifier, email)
    assert [(m["template"], m["status"], m["mandatory"]) for m in mails] == [
        ("application_confirm", "queued", True)
    ]
    assert all(text not in mails[0]["subject"] + mails[0]["body"] for text in FORM_TEXT)
    path, _ = link_of(mails[0])
    assert path == f"{BASE}/{app['id']}/confirm"
    # coordinators do not see it among the applications to check
    coord = token(CONFIRM, "coordinator")
    listed = client.get(f"{BASE}?page_size=100", headers=coord).get_json()
    assert app["id"] not in [a["id"] for a in listed["items"]]
    asked = client.get(f"{BASE}?status=unconfirmed&page_size=100", headers=coord).get_json()
    assert app["id"] in [a["id"] for a in asked["items"]]
    check = client.post(
        f"{BASE}/{app['id']}/check", json={"complete": True, "plausible": True}, headers=coord
    )
    assert check.status_code == 409


def test_a_wrong_token_is_refused_and_changes_nothing(client, notifier, settings):
    app, _, good = applied(client, notifier, settings, "falsch")
    other = submitted(client, f"{unique('andere')}@example.org")
    for bad in ("", "x" * 32, good[:-2] + ("AA" if not good.endswith("AA") else "BB")):
        resp = client.post(f"{BASE}/{app['id']}/confirm?token={bad}")
        assert resp.status_code == 403, (bad, resp.get_json())
    # one application's token confirms no other
    assert client.post(f"{BASE}/{other['id']}/confirm?token={good}").status_code == 403
    assert client.get(f"{BASE}/{app['id']}/confirm?token=wrong").status_code == 403
    mine = client.get(f"{BASE}/{app['id']}?token={app['token']}").get_json()
    assert mine["status"] == "unconfirmed"
    assert [event_name(e) for e in events(settings, app["id"])] == [
        "membership.application.confirmation_requested"
    ]


def test_confirming_submits_the_application_and_the_receipt_follows(client, notifier, settings):
    app, path, good = applied(client, notifier, settings, "bestaetigt")
    # following the link (GET, as a mail scanner would) only asks
    page = client.get(f"{path}?token={good}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert 'method="post"' in page.get_data(as_text=True)
    assert client.get(f"{BASE}/{app['id']}?token={app['token']}").get_json()["status"] == (
        "unconfirmed"
    )
    confirmed = client.post(f"{path}?token={good}")
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["status"] == "submitted"
    mine = client.get(f"{BASE}/{app['id']}?token={app['token']}").get_json()
    assert mine["status"] == "submitted"
    assert [h["status"] for h in mine["history"]] == ["unconfirmed", "submitted"]
    envs = events(settings, app["id"])
    assert [event_name(e) for e in envs] == [
        "membership.application.confirmation_requested",
        "membership.application.submitted",
    ]
    hand_over(notifier, envs)
    mails = mails_to(notifier, app["contact"]["email"])
    assert sorted(m["template"] for m in mails) == [
        "application_confirm",
        "application_received",
    ]
    # issue 23.12: the receipt links to the status page; its signed token reads the application
    receipt = next(m for m in mails if m["template"] == "application_received")
    m = re.search(r"/[\w-]+/antrag/([\w-]+)\?token=([\w-]+)", receipt["body"])
    assert m and m.group(1) == str(app["id"]), receipt["body"]
    linked = client.get(f"{BASE}/{app['id']}?token={m.group(2)}")
    assert linked.status_code == 200 and linked.get_json()["status"] == "submitted"
    other = submitted(client, f"{unique('fremd')}@example.org")
    assert client.get(f"{BASE}/{other['id']}?token={m.group(2)}").status_code in (401, 403)


def test_a_second_confirmation_answers_the_same_and_changes_nothing(client, notifier, settings):
    app, path, good = applied(client, notifier, settings, "zweimal")
    first = client.post(f"{path}?token={good}")
    second = client.post(f"{path}?token={good}")
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert [event_name(e) for e in events(settings, app["id"])].count(
        "membership.application.submitted"
    ) == 1
    html = client.post(f"{path}?token={good}", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert "bestätigt" in html.get_data(as_text=True)


def test_unconfirmed_applications_are_deleted_after_the_networks_days(
    client, notifier, settings, registry, clock, token
):
    old = submitted(client, f"{unique('alt')}@example.org")
    kept, path, good = applied(client, notifier, settings, "bestaetigt")
    assert client.post(f"{path}?token={good}").status_code == 200
    start = clock.now
    job = next(j for j in mw.JOBS if j.name == "unconfirmed-applications")
    later = Clock(start + timedelta(days=6))
    deps = service_deps("membership", settings, registry)
    w = Worker("membership", {}, [job], settings=settings, tenants=registry, deps=deps, clock=later)
    w.db.open()
    try:
        coord = token(CONFIRM, "coordinator")
        w.run_jobs_once()  # 6 days: still there
        assert client.get(f"{BASE}/{old['id']}", headers=coord).status_code == 200
        later.advance(days=1, minutes=1)
        w.run_jobs_once()  # 7 days and more: deleted
    finally:
        w.db.close()
    assert client.get(f"{BASE}/{old['id']}", headers=coord).status_code == 404
    assert client.get(f"{BASE}/{kept['id']}", headers=coord).get_json()["status"] == "submitted"


def test_an_expired_link_is_refused_with_409(client, notifier, settings, clock):
    app, path, good = applied(client, notifier, settings, "spaet")
    clock.now += timedelta(days=7, minutes=1)
    resp = client.post(f"{path}?token={good}")
    assert resp.status_code == 409 and "abgelaufen" in resp.get_json()["detail"]


def test_networks_without_the_rule_submit_at_once(clients, settings):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/applications", json=application(f"{unique('direkt')}@example.org")
    )
    assert resp.status_code == 201 and resp.get_json()["status"] == "submitted"
