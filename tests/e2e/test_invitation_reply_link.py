"""The invitation mail carries a reply link to the portal's page for the invited address (signed
with LINK_SECRET, shared/links.py); the token in it answers through the events API without a
login. Over HTTP and the broker, the mail through the real SMTP server."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from knotenpunkt.services.notifications import worker as nw
from tests.e2e.test_consent_withdrawal import mails_to, text
from tests.e2e.test_events_flows import iso
from tests.support import unique

LINK = re.compile(r"„vielleicht“ antworten:\s+(\S+)")


def invited_guest(clients, token, flow, settings, weeks: int) -> tuple[dict, str, object]:
    """A network event with a guest invited: (event, the guest's address, the mail delivered)."""
    s, t = iso(weeks)
    event = (
        clients["events"]
        .post(
            "/api/v1/chemnitz/events",
            json={
                "kind": "network_event",
                "title": unique("Netzwerktreffen"),
                "starts_at": s,
                "ends_at": t,
            },
            headers=token("chemnitz", "coordinator"),
        )
        .get_json()
    )
    guest = f"{unique('gast')}@example.org"
    clients["events"].post(
        f"/api/v1/chemnitz/events/{event['id']}/invitations",
        json={"guests": [{"name": "Gast GmbH", "email": guest}]},
        headers=token("chemnitz", "coordinator"),
    )
    flow.settle()
    notifier = flow.workers["notifications"]
    nw.deliver(notifier, notifier.context("chemnitz"))
    (mail,) = mails_to(settings, guest)
    return event, guest, mail


def test_invitation_mail_links_to_the_reply_page(clients, token, flow, settings):
    e = clients["events"]
    event, guest, mail = invited_guest(clients, token, flow, settings, 40)
    body = text(mail)
    url = LINK.search(body).group(1)
    parts = urlsplit(url)
    assert url.startswith(f"{settings.portal_url}/chemnitz/antwort/{event['id']}?"), url
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["email"] == guest
    # the link's token is the one the events API accepts, for this address only
    answered = e.post(
        f"/api/v1/chemnitz/events/{event['id']}/reply-link", json={**query, "answer": "yes"}
    )
    assert answered.status_code == 200 and answered.get_json()["answer"] == "yes"
    other = e.post(
        f"/api/v1/chemnitz/events/{event['id']}/reply-link",
        json={**query, "email": f"x{guest}", "answer": "yes"},
    )
    assert other.status_code == 403


UNSUBSCRIBE = re.compile(r"Keine solchen Nachrichten mehr erhalten: (\S+)")


def test_the_mail_text_links_the_portals_unsubscribe_page(clients, token, flow, settings):
    """The link in the text goes to the portal's page (it asks first); the List-Unsubscribe
    header keeps the API's one-click address; both carry the token the API accepts."""
    _, guest, mail = invited_guest(clients, token, flow, settings, 41)
    url = UNSUBSCRIBE.search(text(mail)).group(1)
    assert url.startswith(f"{settings.portal_url}/chemnitz/abbestellen?"), url
    header = mail["List-Unsubscribe"].strip("<>")
    assert header.startswith(f"{settings.public_url}/api/v1/chemnitz/unsubscribe?"), header
    assert urlsplit(url).query == urlsplit(header).query
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["email"] == guest and query["category"] == "events"
    asked = clients["notifications"].get("/api/v1/chemnitz/unsubscribe", query_string=query)
    assert asked.status_code == 200
