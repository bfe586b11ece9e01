"""Withdrawing consent erases the contact (issue 15): every mail to a contact whose legal basis
is consent carries a signed withdrawal link; GET only asks, POST withdraws
(notifications.consent.withdrawn), membership erases the contact as the coordinator's DELETE
does, and contact.erased erases notifications' copies. Over HTTP and RabbitMQ."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import psycopg
from psycopg import sql

from knotenpunkt.services.notifications import worker as nw
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


def rows_naming(settings, service: str, table: str, column: str, address: str) -> int:
    with psycopg.connect(settings.admin_url(settings.service_database(service))) as conn:
        statement = sql.SQL("select count(*) from {} where lower({}) = lower(%s)").format(
            sql.Identifier(table), sql.Identifier(column)
        )
        return conn.execute(statement, (address,)).fetchone()[0]


def test_withdrawing_consent_by_the_mail_link_erases_the_contact_everywhere(
    clients, token, flow, settings, set_body
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
    assert "consent/withdraw" not in text(to_other)  # another legal basis: no link
    (url,) = LINK.findall(text(to_consenting))
    link = urlsplit(url)
    assert url.startswith(settings.public_url) and link.path == "/api/v1/chemnitz/consent/withdraw"
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert query["email"] == consent_mail
    path = f"{link.path}?{link.query}"

    # GET only asks (mail scanners follow links): a page with a form, nothing changed
    asked = n.get(path)
    assert asked.status_code == 200 and asked.mimetype == "text/html"
    page = asked.get_data(as_text=True)
    assert "Einwilligung widerrufen?" in page and '<form method="post"' in page
    assert "<script" not in page and "style" not in page.lower()
    flow.settle()
    assert (
        m.get(f"/api/v1/chemnitz/contacts/{contacts[consent_mail]}", headers=coord).status_code
        == 200
    )

    # a wrong token, or another address's, is refused
    wrong = n.post(f"{link.path}?{urlencode({**query, 'token': 'falsch'})}")
    assert wrong.status_code == 403
    swapped = n.post(f"{link.path}?{urlencode({**query, 'email': other_mail})}")
    assert swapped.status_code == 403
    flow.settle()
    assert (
        m.get(f"/api/v1/chemnitz/contacts/{contacts[consent_mail]}", headers=coord).status_code
        == 200
    )

    # POST withdraws: the contact is gone in membership and in notifications
    done = n.post(path, headers={"Accept": "application/json"})
    assert done.status_code == 200 and "widerrufen" in done.get_json()["detail"]
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
    again = n.post(path, headers={"Accept": "text/html"})
    assert again.status_code == 200 and "Einwilligung widerrufen" in again.get_data(as_text=True)
    flow.settle()
    assert (
        m.get(f"/api/v1/chemnitz/contacts/{contacts[other_mail]}", headers=coord).status_code == 200
    )
