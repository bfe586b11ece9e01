"""Withdrawing consent erases the contact (issue 15): every mail to a contact whose legal basis
is consent carries a signed withdrawal link; GET only asks, POST withdraws
(notifications.consent.withdrawn), membership erases the contact as the coordinator's DELETE
does, and contact.erased erases notifications' copies. The mail's link goes to the portal's
page, which asks and withdraws through the notifications API. Over HTTP and RabbitMQ."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import psycopg
import pytest
from psycopg import sql

from knotenpunkt.services.notifications import worker as nw
from tests.browser.live import csrf_token, portal_app, serve_services
from tests.e2e.conftest import invite_body_to_meeting

LINK = re.compile(r"Einwilligung widerrufen und Ihre Kontaktdaten löschen lassen: (\S+)")


def mails_to(settings, address: str) -> list:
    found = []
    for path in sorted(settings.mail_dir.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in msg["To"]:
            found.append(msg)
    return found


def text(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def page_of(web, path: str) -> str:
    resp = web.get(path)
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def rows_naming(settings, service: str, table: str, column: str, address: str) -> int:
    with psycopg.connect(settings.admin_url(settings.service_database(service))) as conn:
        statement = sql.SQL("select count(*) from {} where lower({}) = lower(%s)").format(
            sql.Identifier(table), sql.Identifier(column)
        )
        return conn.execute(statement, (address,)).fetchone()[0]


@pytest.fixture(scope="module")
def web(apps, settings):
    """The portal over the four services served on loopback: where the mail's link goes."""
    served = serve_services(apps)
    yield portal_app(served, settings).test_client()
    for s in served.values():
        s.stop()


def test_withdrawing_consent_by_the_mail_link_erases_the_contact_everywhere(
    clients, token, flow, settings, set_body, web
):
    m, e, n = clients["membership"], clients["events"], clients["notifications"]
    coord = token("chemnitz", "coordinator")
    consenting, other = set_body(
        "chemnitz", "vorbereitungsgremium", ["Carla Consent", "Otto Other"], emails=True
    )
    consent_mail, other_mail = f"{consenting}@example.org", f"{other}@example.org"
    contacts = {}
    for address, basis in ((consent_mail, "consent"), (other_mail, "public_task")):
        body = {"name": address.split("@")[0], "email": address, "legal_basis": basis}
        if basis == "consent":
            body["consent_at"] = datetime.now(UTC).isoformat()
        r = m.post("/api/v1/chemnitz/contacts", json=body, headers=coord)
        assert r.status_code == 201, r.get_json()
        contacts[address] = r.get_json()["id"]
    flow.settle()

    # a mail to both: the invitation to a meeting of their body
    invite_body_to_meeting(e, coord, "Sitzung mit Einwilligung", 30)
    flow.settle()
    notifier = flow.workers["notifications"]
    nw.deliver(notifier, notifier.context("chemnitz"))

    (to_consenting,) = mails_to(settings, consent_mail)
    (to_other,) = mails_to(settings, other_mail)
    # another legal basis: no link
    assert "einwilligung-widerrufen" not in text(to_other) and not LINK.findall(text(to_other))
    (url,) = LINK.findall(text(to_consenting))
    link = urlsplit(url)
    assert url.startswith(settings.portal_url) and link.path == "/chemnitz/einwilligung-widerrufen"
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert query["email"] == consent_mail
    path = f"{link.path}?{link.query}"

    # GET only asks (mail scanners follow links): a page with a form, nothing changed
    asked = web.get(path)
    assert asked.status_code == 200 and asked.mimetype == "text/html"
    page = asked.get_data(as_text=True)
    assert "<title>Einwilligung widerrufen?" in page and '<form method="post"' in page
    assert consent_mail in page and "<script" not in page
    flow.settle()
    assert (
        m.get(f"/api/v1/chemnitz/contacts/{contacts[consent_mail]}", headers=coord).status_code
        == 200
    )

    # a wrong token, or another address's, is refused (by the API, behind the portal's form)
    form = {"csrf_token": csrf_token(page), **query}
    wrong = web.post(link.path, data={**form, "token": "falsch"})
    assert wrong.status_code == 403 and "Widerrufslink ungültig" in wrong.get_data(as_text=True)
    swapped = web.post(link.path, data={**form, "email": other_mail})
    assert swapped.status_code == 403
    assert (
        n.post(f"/api/v1/chemnitz/consent/withdraw?{urlencode(query | {'token': 'x'})}").status_code
        == 403
    )
    assert web.post(link.path, data=query).status_code == 400  # no CSRF token: refused
    flow.settle()
    assert (
        m.get(f"/api/v1/chemnitz/contacts/{contacts[consent_mail]}", headers=coord).status_code
        == 200
    )

    # the form's POST withdraws: the contact is gone in membership and in notifications
    done = web.post(link.path, data=form)
    assert done.status_code == 200, done.get_data(as_text=True)[:2000]
    assert "Ihre Einwilligung ist widerrufen" in done.get_data(as_text=True)
    flow.settle()
    assert (
        m.get(f"/api/v1/chemnitz/contacts/{contacts[consent_mail]}", headers=coord).status_code
        == 404
    )
    assert rows_naming(settings, "membership", "contacts", "email", consent_mail) == 0
    assert rows_naming(settings, "membership", "body_members", "email", consent_mail) == 0
    for table, column in (
        ("recipients", "email"),
        ("notifications", "recipient"),
        ("preferences", "email"),
    ):
        assert rows_naming(settings, "notifications", table, column, consent_mail) == 0, table
    listed = n.get(f"/api/v1/chemnitz/notifications?recipient={consent_mail}", headers=coord)
    assert listed.get_json() == []
    # the other contact and its mail stay
    assert (
        m.get(f"/api/v1/chemnitz/contacts/{contacts[other_mail]}", headers=coord).status_code == 200
    )
    assert rows_naming(settings, "notifications", "notifications", "recipient", other_mail) == 1

    # a repeated withdrawal changes nothing (the contact is already gone)
    again = web.post(link.path, data={**form, "csrf_token": csrf_token(page_of(web, path))})
    assert again.status_code == 200 and "Einwilligung ist widerrufen" in again.get_data(
        as_text=True
    )
    flow.settle()
    assert (
        m.get(f"/api/v1/chemnitz/contacts/{contacts[other_mail]}", headers=coord).status_code == 200
    )
