"""Notifications hardened (issue 10): link secret, unsubscribe only on POST, webhook targets,
erasure, introductions after the decision, no addresses in logs, bad input, roles; the
sender per network and the deliveries gauge (issue 11).

Against real PostgreSQL, a real SMTP server and real HTTP receivers, on the test's clock;
the fixtures are test_notifications.py's.
"""

from __future__ import annotations

import html
import http.server
import logging
import re
import smtplib
import socket
import threading
import uuid
from datetime import timedelta
from email.header import decode_header, make_header
from email.utils import parseaddr
from urllib.parse import urlencode, urljoin

import pytest

from knotenpunkt.services.notifications import handlers, store
from knotenpunkt.services.notifications import worker as nw
from knotenpunkt.services.notifications.api import BLUEPRINTS
from knotenpunkt.services.notifications.domain import links
from knotenpunkt.shared.access import action_of
from knotenpunkt.shared.messaging import envelope
from tests.integration import test_notifications as base
from tests.support import WebhookReceiver, unique

HOOKS = base.HOOKS
clock, tenants_here, notifications_app, clients, smtp, notifier, members = (
    base.clock,
    base.tenants_here,
    base.notifications_app,
    base.clients,
    base.smtp,
    base.notifier,
    base.members,
)
deliver, ballot_closed, rejected = base.deliver, base.ballot_closed, base.rejected
PUBLIC_IP = "93.184.215.14"  # a global address: accepted as a target, never called here


def address() -> str:
    return f"{unique('p')}@example.org"


def unsubscribe_path(tenant: str, email: str, category: str, token: str) -> str:
    query = urlencode({"email": email, "category": category, "token": token})
    return f"/api/v1/{tenant}/unsubscribe?{query}"


def opted_out(notifier, tenant: str, email: str, category: str) -> bool:
    with notifier.db.transaction(tenant) as conn:
        return store.preferences.opted_out(conn, email, category)


def rows(notifier, tenant: str, **filters) -> list[dict]:
    with notifier.db.transaction(tenant) as conn:
        return store.deliveries.list_notifications(conn, **filters)


# --- Point 1: links are signed with the link secret ---------------------------------------------


def test_unsubscribe_token_signed_with_the_jwt_secret_is_refused(clients, settings, notifier):
    email = address()
    forged = links.unsubscribe_token(settings.jwt_secret, "chemnitz", email, "ballots")
    path = unsubscribe_path("chemnitz", email, "ballots", forged)
    assert clients["notifications"].get(path).status_code == 403
    assert clients["notifications"].post(path).status_code == 403
    assert not opted_out(notifier, "chemnitz", email, "ballots")
    good = links.unsubscribe_token(settings.link_secret, "chemnitz", email, "ballots")
    assert (
        clients["notifications"]
        .post(unsubscribe_path("chemnitz", email, "ballots", good))
        .status_code
        == 200
    )


def test_the_link_in_a_mail_carries_a_link_secret_token(notifier, smtp, members, settings):
    people = members("chemnitz", "vorbereitungsgremium", 1)
    email = f"{people[0]}@example.org"
    notifier.inbox.handle(ballot_closed())
    deliver(notifier)
    link = smtp.to(email)[0]["List-Unsubscribe"]
    assert links.unsubscribe_token(settings.link_secret, "chemnitz", email, "ballots") in link
    assert links.unsubscribe_token(settings.jwt_secret, "chemnitz", email, "ballots") not in link


# --- Point 16: GET asks, POST unsubscribes ------------------------------------------------------


def test_get_unsubscribe_asks_and_post_unsubscribes(clients, settings, notifier):
    email = address()
    token = links.unsubscribe_token(settings.link_secret, "chemnitz", email, "events")
    path = unsubscribe_path("chemnitz", email, "events", token)
    page = clients["notifications"].get(path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert '<html lang="de">' in text and "<script" not in text and "style=" not in text
    assert "Termine" in text and html.escape(email) in text
    assert not opted_out(notifier, "chemnitz", email, "events")  # a mail scanner changes nothing
    # the page's form posts to the same link, as RFC 8058's one-click does
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', text).group(1))
    done = clients["notifications"].post(
        urljoin(path, action),
        data={"List-Unsubscribe": "One-Click"},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert done.status_code == 200 and done.mimetype == "text/html"
    assert "<h1>Abgemeldet</h1>" in done.get_data(as_text=True)
    assert opted_out(notifier, "chemnitz", email, "events")


def test_one_click_post_answers_json(clients, settings, notifier):
    email = address()
    token = links.unsubscribe_token(settings.link_secret, "chemnitz", email, "ballots")
    resp = clients["notifications"].post(
        unsubscribe_path("chemnitz", email, "ballots", token),
        data={"List-Unsubscribe": "One-Click"},
    )
    assert resp.status_code == 200 and "keine Nachrichten" in resp.get_json()["detail"]
    assert opted_out(notifier, "chemnitz", email, "ballots")


def test_the_confirmation_page_escapes_what_the_link_says(clients, settings):
    email = '"<img/src=x>"@example.org'  # a valid address (quoted local part) full of markup
    token = links.unsubscribe_token(settings.link_secret, "chemnitz", email, "events")
    resp = clients["notifications"].get(unsubscribe_path("chemnitz", email, "events", token))
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    text = resp.get_data(as_text=True)
    assert "<img" not in text and "&lt;img/src=x&gt;" in text


def test_a_link_with_markup_that_is_no_address_is_refused(clients, settings):
    email = '"><img src=x>@example.org'
    token = links.unsubscribe_token(settings.link_secret, "chemnitz", email, "events")
    resp = clients["notifications"].get(unsubscribe_path("chemnitz", email, "events", token))
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"query.email": ["Keine gültige E-Mail-Adresse."]}
    assert "<img" not in resp.get_data(as_text=True)


# --- Point 2: webhook targets -------------------------------------------------------------------

INTERNAL = [
    "http://127.0.0.1/hook",
    "http://localhost:8080/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/hook",
    "http://192.168.0.1/hook",
    "http://172.16.0.5/hook",
    "http://[::1]/hook",
    "http://[fd12:3456::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0x7f000001/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://0.0.0.0/hook",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_subscribing_an_internal_address_is_refused(clients, token, url):
    resp = clients["notifications"].post(
        "/api/v1/chemnitz/webhooks",
        json={"url": url, "event_types": ["voting.*"]},
        headers=token("chemnitz", "coordinator"),
    )
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["url"]


def test_a_public_address_and_an_allowed_internal_host_are_accepted(clients, token):
    coord = token("chemnitz", "coordinator")
    public = clients["notifications"].post(
        "/api/v1/chemnitz/webhooks",
        json={"url": f"http://{PUBLIC_IP}/hook", "event_types": ["voting.*"]},
        headers=coord,
    )
    assert public.status_code == 201
    clients["notifications"].delete(
        f"/api/v1/chemnitz/webhooks/{public.get_json()['id']}", headers=coord
    )
    allowed = clients["notifications"].post(
        f"/api/v1/{HOOKS}/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "event_types": ["voting.*"]},
        headers=token(HOOKS, "coordinator"),
    )
    assert allowed.status_code == 201
    clients["notifications"].delete(
        f"/api/v1/{HOOKS}/webhooks/{allowed.get_json()['id']}",
        headers=token(HOOKS, "coordinator"),
    )


class Redirector:
    """A loopback HTTP server answering every POST with a 307 to `location`."""

    def __init__(self, location: str):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(307)
                self.send_header("Location", location)
                self.end_headers()

            def log_message(self, *args):
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def subscribe(clients, token):
    """subscribe(tenant, url) -> webhook id; every subscription is ended after the test."""
    made = []

    def make(tenant, url, secret="s3cr3t-s3cr3t-s3cr3t"):
        resp = clients["notifications"].post(
            f"/api/v1/{tenant}/webhooks",
            json={"url": url, "event_types": ["voting.*"], "secret": secret},
            headers=token(tenant, "coordinator"),
        )
        assert resp.status_code == 201, resp.get_data(as_text=True)
        made.append((tenant, resp.get_json()["id"]))
        return resp.get_json()["id"]

    yield make
    for tenant, hook in made:
        clients["notifications"].delete(
            f"/api/v1/{tenant}/webhooks/{hook}", headers=token(tenant, "coordinator")
        )


def webhook_rows(notifier, tenant: str, url: str) -> list[dict]:
    return [r for r in rows(notifier, tenant, channel="webhook") if r["recipient"] == url]


def test_redirects_are_not_followed_and_the_log_says_only_the_status(notifier, subscribe, caplog):
    target = WebhookReceiver("s3cr3t-s3cr3t-s3cr3t")
    redirector = Redirector(target.url)
    try:
        subscribe(HOOKS, redirector.url)
        notifier.inbox.handle(ballot_closed(HOOKS, "projektgruppe"))
        with caplog.at_level(logging.WARNING, logger="knotenpunkt.services.notifications"):
            deliver(notifier, HOOKS)
        assert target.received == []  # the 307 did not re-POST the body
        row = webhook_rows(notifier, HOOKS, redirector.url)[0]
        assert row["status"] == "retrying"
        assert row["last_error"] == "Zustellung fehlgeschlagen (HTTP 307)"
        assert str(row["id"]) in caplog.text
    finally:
        redirector.stop()
        target.stop()


def test_an_unreachable_receiver_is_logged_generically(notifier, subscribe, caplog):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook"
    subscribe(HOOKS, url)
    notifier.inbox.handle(ballot_closed(HOOKS, "projektgruppe"))
    with caplog.at_level(logging.WARNING, logger="knotenpunkt.services.notifications"):
        deliver(notifier, HOOKS)
    row = webhook_rows(notifier, HOOKS, url)[0]
    assert row["last_error"] == "Empfänger nicht erreichbar"
    assert "ConnectionRefusedError" in caplog.text  # the details: in the process log only


def test_http_errors_are_recorded_by_status_only(notifier, subscribe):
    receiver = WebhookReceiver("s3cr3t-s3cr3t-s3cr3t")
    receiver.fail_with = 503
    try:
        subscribe(HOOKS, receiver.url)
        notifier.inbox.handle(ballot_closed(HOOKS, "projektgruppe"))
        deliver(notifier, HOOKS)
        row = webhook_rows(notifier, HOOKS, receiver.url)[0]
        assert row["last_error"] == "Zustellung fehlgeschlagen (HTTP 503)"
    finally:
        receiver.stop()


def test_a_name_that_rebinds_to_loopback_is_not_called(notifier, subscribe, monkeypatch):
    receiver = WebhookReceiver("s3cr3t-s3cr3t-s3cr3t")
    port = receiver.server.server_address[1]
    answer = {"address": PUBLIC_IP}
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "hooks.rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer["address"], port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://hooks.rebind.example:{port}/hook"
    try:
        subscribe("magdeburg", url)  # public at subscription
        answer["address"] = "127.0.0.1"  # loopback at delivery
        notifier.inbox.handle(ballot_closed("magdeburg", "projektgruppe"))
        deliver(notifier, "magdeburg")
        assert receiver.received == []
        row = webhook_rows(notifier, "magdeburg", url)[0]
        assert row["status"] == "retrying" and row["last_error"] == "Empfänger nicht erreichbar"
    finally:
        receiver.stop()


# --- Point 9: erasure ---------------------------------------------------------------------------


def test_erasure_leaves_no_row_with_the_address(notifier, smtp, clients, token, subscribe):
    email = address()
    receiver = WebhookReceiver("s3cr3t-s3cr3t-s3cr3t")
    try:
        subscribe(HOOKS, receiver.url)
        with notifier.db.transaction(HOOKS) as conn:
            handlers.add_body_member(
                handlers.AddBodyMember("projektgruppe", unique("m"), "Erika E.", email),
                conn,
                notifier.context(HOOKS),
            )
        assert (
            clients["notifications"]
            .put(
                f"/api/v1/{HOOKS}/preferences",
                json={"email": email, "category": "events", "language": "en"},
                headers=token(HOOKS, "coordinator"),
            )
            .status_code
            == 200
        )
        notifier.inbox.handle(ballot_closed(HOOKS, "projektgruppe"))  # a mail to the member
        notifier.inbox.handle(rejected(HOOKS, email))  # a mail to them as an applicant
        voting_event = envelope(  # a webhook call whose CloudEvent names the address
            "voting",
            HOOKS,
            "ballot",
            "opened",
            {"ballot_id": unique("b"), "title": f"Antrag von {email.upper()}", "body": "x"},
        )
        notifier.inbox.handle(voting_event)
        deliver(notifier, HOOKS)
        # the member's mail, the applicant's mail, the webhook call; the preference; the copy
        assert holding(notifier, email) == {"notifications": 3, "preferences": 1, "recipients": 1}
        notifier.inbox.handle(
            envelope("membership", HOOKS, "contact", "erased", {"email": email.upper()})
        )
        assert holding(notifier, email) == {"notifications": 0, "preferences": 0, "recipients": 0}
    finally:
        receiver.stop()


def holding(notifier, email: str) -> dict[str, int]:
    """How many rows of each of notifications' tables still hold the address (any case)."""
    with notifier.db.transaction(HOOKS) as conn:
        return dict(
            conn.execute(
                """
                select (select count(*) from notifications
                         where strpos(lower(recipient || ' ' || coalesce(recipient_name, '') || ' '
                                      || coalesce(subject, '') || ' ' || body || ' '
                                      || attachments::text), lower(%(e)s)) > 0) as notifications,
                       (select count(*) from preferences
                         where lower(email) = lower(%(e)s)) as preferences,
                       (select count(*) from recipients
                         where lower(email) = lower(%(e)s)) as recipients
                """,
                {"e": email},
            ).fetchone()
        )


# --- Point 11: the introduction follows the decision --------------------------------------------


def admitted(tenant: str, partner_id: str, email: str, deadline):
    return envelope(
        "membership",
        tenant,
        "partner",
        "admitted",
        {
            "id": partner_id,
            "partner_id": partner_id,
            "name": "Neuer Verein",
            "email": email,
            "contact": {"name": "N", "email": email},
            "decision": {
                "tally": {"yes": 3, "no": 0, "abstain": 0},
                "deadline": deadline.isoformat() if deadline else None,
            },
        },
    )


def introduction(tenant: str, partner_id: str, email: str, clock):
    return envelope(
        "events",
        tenant,
        "introduction",
        "scheduled",
        {
            "partner_id": partner_id,
            "name": "Neuer Verein",
            "email": email,
            "event": {
                "id": unique("e"),
                "title": "Netzwerkveranstaltung",
                "starts_at": (clock.now + timedelta(days=30)).isoformat(),
                "place": "Rathaus",
            },
            "minutes": 10,
        },
    )


def subjects(smtp, email: str) -> list[str]:
    return [str(make_header(decode_header(m["Subject"]))).split(":")[0] for m in smtp.to(email)]


def test_the_introduction_waits_for_the_decision_mail(notifier, smtp, clock):
    email, partner = address(), unique("p")
    deadline = clock.now + timedelta(days=10)
    notifier.inbox.handle(admitted("chemnitz", partner, email, deadline))
    notifier.inbox.handle(introduction("chemnitz", partner, email, clock))
    deliver(notifier)
    assert smtp.to(email) == []
    held = {r["template"]: r for r in rows(notifier, "chemnitz", recipient=email)}
    assert held["introduction_slot"]["status"] == "queued"
    assert held["introduction_slot"]["next_attempt_at"] == deadline
    clock.now = deadline
    deliver(notifier)
    deliver(notifier)
    assert subjects(smtp, email) == [
        "Aufnahme in das Integrationsnetzwerk Chemnitz",
        "Ihre Vorstellung im Integrationsnetzwerk Chemnitz",
    ]


def test_the_introduction_follows_a_decision_sent_early(notifier, smtp, clock, clients, token):
    email, partner = address(), unique("p")
    notifier.inbox.handle(admitted("chemnitz", partner, email, clock.now + timedelta(days=10)))
    notifier.inbox.handle(introduction("chemnitz", partner, email, clock))
    decision = next(
        r
        for r in rows(notifier, "chemnitz", recipient=email)
        if r["template"] != "introduction_slot"
    )
    clients["notifications"].post(
        f"/api/v1/chemnitz/notifications/{decision['id']}/resend",
        headers=token("chemnitz", "coordinator"),
    )
    deliver(notifier)
    deliver(notifier)
    assert subjects(smtp, email) == [
        "Aufnahme in das Integrationsnetzwerk Chemnitz",
        "Ihre Vorstellung im Integrationsnetzwerk Chemnitz",
    ]


def test_the_introduction_is_held_at_delivery_while_the_decision_is_pending(notifier, smtp, clock):
    """Even when the slot's own row is due, a queued decision for that partner goes first."""
    email, partner = address(), unique("p")
    notifier.inbox.handle(introduction("chemnitz", partner, email, clock))
    notifier.inbox.handle(admitted("chemnitz", partner, email, clock.now + timedelta(days=10)))
    deliver(notifier)
    assert smtp.to(email) == []
    clock.now += timedelta(days=10)
    deliver(notifier)
    deliver(notifier)
    assert subjects(smtp, email)[0] == "Aufnahme in das Integrationsnetzwerk Chemnitz"


def test_an_introduction_without_a_decision_mail_goes_at_once(notifier, smtp, clock):
    email = address()
    notifier.inbox.handle(introduction("chemnitz", unique("p"), email, clock))
    deliver(notifier)
    assert subjects(smtp, email) == ["Ihre Vorstellung im Integrationsnetzwerk Chemnitz"]


# --- Point 12: no addresses in log lines --------------------------------------------------------


def test_a_failed_mail_is_logged_by_its_id_not_its_address(notifier, smtp, caplog):
    email = address()
    smtp.stop()
    notifier.inbox.handle(rejected("chemnitz", email))
    with caplog.at_level(logging.DEBUG):
        deliver(notifier)
    row = rows(notifier, "chemnitz", recipient=email)[0]
    assert str(row["id"]) in caplog.text and email not in caplog.text


class RefusingMailer:
    """An SMTP server's refusal that names the address (as real ones do)."""

    def send(self, msg):
        address = parseaddr(msg["To"])[1]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"5.1.1 <{address}> unknown".encode())})

    def close(self):
        return None


def test_an_error_text_naming_the_address_is_logged_without_it(notifier, caplog):
    email = address()
    notifier.deps["mailer"] = RefusingMailer
    notifier.inbox.handle(rejected("chemnitz", email))
    with caplog.at_level(logging.DEBUG):
        deliver(notifier)
    row = rows(notifier, "chemnitz", recipient=email)[0]
    assert row["status"] == "retrying" and "SMTPRecipientsRefused" in caplog.text
    assert email not in caplog.text


# --- Point 8: bad input is a 4xx ----------------------------------------------------------------

BAD_REQUESTS = [
    ("get", "/unsubscribe?email=a@example.org&category=events&token=%C3%A4%F0%9F%98%80"),
    ("get", "/unsubscribe?email=a@example.org&category=events&token=" + "x" * 5000),
    ("post", "/unsubscribe?email=a@example.org&category=events&token="),
    ("get", "/unsubscribe?email=a@example.org&category=nichts&token=x"),
    ("get", "/unsubscribe?email=" + "a" * 5000 + "@example.org&category=events&token=x"),
    ("get", "/unsubscribe?category=events&token=x"),
    ("get", "/unsubscribe?email=a@example.org&category=events&token=x&token=y"),
    ("get", "/notifications?status=alle"),
    ("get", "/notifications?channel=fax"),
    ("get", "/preferences?email=keine-adresse"),
    ("get", "/preferences"),
    ("put", "/preferences", {"email": "a@example.org", "category": "events", "language": "xx"}),
    ("put", "/preferences", {"email": "a@example.org", "category": "events", "opted_out": 9e999}),
    ("put", "/preferences", {"email": ["a@example.org"], "category": "events"}),
    ("post", "/notifications/00000000-0000-4000-8000-000000000000/resend"),
    ("post", "/notifications/kein-uuid/resend"),
    ("delete", "/webhooks/00000000-0000-4000-8000-000000000000"),
    ("post", "/webhooks", {"url": "http://[::1", "event_types": ["*"]}),
    ("post", "/webhooks", {"url": "http://a.example:99999/", "event_types": ["*"]}),
    ("post", "/webhooks", {"url": "http://" + "a" * 300 + ".example/", "event_types": ["*"]}),
    ("post", "/webhooks", {"url": "http://xn--zz.example/", "event_types": ["*"]}),
    ("post", "/webhooks", {"url": "http://user:pw@" + PUBLIC_IP + "/", "event_types": ["*"]}),
    ("post", "/webhooks", {"url": "ftp://" + PUBLIC_IP + "/", "event_types": ["*"]}),
    ("post", "/webhooks", {"url": f"http://{PUBLIC_IP}/", "event_types": ["x"] * 10000}),
    ("post", "/webhooks", {"url": f"http://{PUBLIC_IP}/", "event_types": [{"a": 1}]}),
]


@pytest.mark.parametrize("request_", BAD_REQUESTS, ids=lambda r: f"{r[0]} {r[1][:60]}")
def test_bad_input_is_a_4xx_problem(clients, token, request_):
    method, path, *body = request_
    kwargs = {"json": body[0]} if body else {}
    resp = getattr(clients["notifications"], method)(
        f"/api/v1/chemnitz{path}", headers=token("chemnitz", "coordinator"), **kwargs
    )
    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/problem+json"


def test_the_delivery_log_is_bounded_and_pages(clients, token, notifier):
    coord = token("chemnitz", "coordinator")
    for _ in range(3):
        notifier.inbox.handle(rejected("chemnitz", address()))
    first = clients["notifications"].get("/api/v1/chemnitz/notifications?limit=2", headers=coord)
    assert first.status_code == 200 and len(first.get_json()) == 2
    second = clients["notifications"].get(
        "/api/v1/chemnitz/notifications?limit=2&offset=2", headers=coord
    )
    assert second.status_code == 200
    assert {r["id"] for r in first.get_json()}.isdisjoint({r["id"] for r in second.get_json()})
    for query in ("limit=0", "limit=100000", "offset=-1", "offset=" + "9" * 30):
        resp = clients["notifications"].get(
            f"/api/v1/chemnitz/notifications?{query}", headers=coord
        )
        assert resp.status_code == 422, query


# --- Point 4: every route says what it is -------------------------------------------------------


def test_every_route_carries_exactly_the_action_it_is(notifications_app):
    expected = {
        "/api/v1/<tenant>/unsubscribe": "public",
        "/api/v1/<tenant>/consent/withdraw": "public",
        "/api/v1/<tenant>/preferences": "manage",
        "/api/v1/<tenant>/notifications": "manage",
        "/api/v1/<tenant>/notifications/<uuid:notification_id>/resend": "manage",
        "/api/v1/<tenant>/webhooks": "manage",
        "/api/v1/<tenant>/webhooks/<uuid:webhook_id>": "manage",
        "/api/v1/<tenant>/privacy-statement/notifications": "public",
    }
    prefixes = tuple(bp.url_prefix for bp in BLUEPRINTS)
    seen = {}
    for rule in notifications_app.url_map.iter_rules():
        if not rule.rule.startswith(prefixes):
            continue
        view = notifications_app.view_functions[rule.endpoint].view_class
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            seen[(rule.rule, method)] = action_of(getattr(view, method.lower()))
    assert seen and all(action == expected[rule] for (rule, _), action in seen.items()), seen


@pytest.mark.parametrize("role", [None, "member", "partner", "federation"])
def test_only_the_coordination_reads_preferences_and_the_log(clients, token, role):
    headers = token("chemnitz", role) if role else {}
    for path in ("/preferences?email=a@example.org", "/notifications", "/webhooks"):
        resp = clients["notifications"].get(f"/api/v1/chemnitz{path}", headers=headers)
        assert resp.status_code == (401 if role is None else 403), path


# --- Issue 11: the sender per network -----------------------------------------------------------


def test_each_network_sends_as_itself(notifier, smtp):
    chemnitz, saalekreis = address(), address()
    notifier.inbox.handle(rejected("chemnitz", chemnitz))
    notifier.inbox.handle(rejected("saalekreis", saalekreis))
    deliver(notifier, "chemnitz")
    deliver(notifier, "saalekreis")
    c, s = smtp.to(chemnitz)[0], smtp.to(saalekreis)[0]
    from_c, from_s = (parseaddr(str(make_header(decode_header(m["From"])))) for m in (c, s))
    assert from_c[0] == "Integrationsnetzwerk Chemnitz"
    assert from_s[0] == "Netzwerk Integration Saalekreis"
    assert parseaddr(c["Reply-To"])[1] == "integrationsnetzwerk@stadt-chemnitz.de"
    assert s["Reply-To"] is None  # Saalekreis names no address of its contact point


# --- Issue 11: deliveries by channel and status -------------------------------------------------


def test_deliveries_are_counted_by_channel_and_status(notifier, settings):
    tenant = unique("gauge")  # a tenant of its own: nothing else writes here
    with notifier.db.transaction(tenant) as conn:
        for channel, status in [("email", "sent"), ("email", "sent"), ("webhook", "failed")]:
            store.deliveries.enqueue(
                conn,
                {
                    "tenant": tenant,
                    "event_id": uuid.uuid4(),
                    "event_type": "voting.ballot.closed",
                    "channel": channel,
                    "recipient": address(),
                    "template": "ballot_result",
                    "category": "ballots",
                    "body": "x",
                    "status": status,
                },
            )
        counted = store.deliveries.count_by_channel_and_status(conn)
        gauge = nw.GAUGES["knotenpunkt_deliveries"][1](conn, notifier.context("chemnitz"))
    assert counted == [
        {"channel": "email", "status": "sent", "n": 2},
        {"channel": "webhook", "status": "failed", "n": 1},
    ]
    assert gauge == {
        (("channel", "email"), ("status", "sent")): 2.0,
        (("channel", "webhook"), ("status", "failed")): 1.0,
    }
