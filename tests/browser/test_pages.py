"""The pages the flows of the other browser tests do not pass through, in real Chromium: a
partner's page, a public event with its agenda, a consultation inside and outside its window,
the unsubscribe and consent-withdrawal pages of the mails, the console's ballot and event lists, a record's edit form
and the page for an unknown address.
Each passes axe-core (WCAG 2.1 AA) in German and English and is photographed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote, urlencode

from knotenpunkt.services.notifications.domain.links import unsubscribe_token, withdrawal_token
from tests.browser.test_admission import dev_login, logout
from tests.integration.test_portal import consultation
from tests.support import unique


def test_the_remaining_public_pages_pass_axe(page, clients, token):
    coord = token("chemnitz", "coordinator")
    partner = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": unique("Kulturverein"), "kind": "initiative", "city": "Chemnitz"},
        headers=coord,
    )
    assert partner.status_code == 201, partner.get_json()
    page.check(f"/chemnitz/partner/{partner.get_json()['id']}", "chemnitz-partner")
    assert partner.get_json()["name"] in page.text()

    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    event = (
        clients["events"]
        .post(
            "/api/v1/chemnitz/events",
            json={
                "kind": "network_event",
                "title": unique("Netzwerktreffen"),
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "place": "Rathaus",
                "public": True,
            },
            headers=coord,
        )
        .get_json()
    )
    agenda = clients["events"].put(
        f"/api/v1/chemnitz/events/{event['id']}/agenda",
        json={"items": [{"title": "Begrüßung", "minutes": 10}, {"title": "Berichte"}]},
        headers=coord,
    )
    assert agenda.status_code == 200
    published = clients["events"].post(
        f"/api/v1/chemnitz/events/{event['id']}/agenda/publish", headers=coord
    )
    assert published.status_code == 200, published.get_json()
    page.check(f"/chemnitz/termine/{event['id']}", "chemnitz-event")
    assert "Begrüßung" in page.text() and "Berichte" in page.text()

    today = date.today()
    inside = consultation(clients, token, today - timedelta(days=1), today + timedelta(days=5))
    page.check(f"/chemnitz/beteiligung/{inside}", "chemnitz-consultation")
    outside = consultation(clients, token, today - timedelta(days=30), today - timedelta(days=2))
    page.check(f"/chemnitz/beteiligung/{outside}", "chemnitz-consultation-closed")
    page.check("/chemnitz/gibt-es-nicht", "not-found")


def test_the_remaining_console_pages_pass_axe(page, clients, token):
    partner = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": unique("Jugendhilfe"), "kind": "welfare_organisation"},
        headers=token("chemnitz", "coordinator"),
    )
    assert partner.status_code == 201, partner.get_json()
    dev_login(page, "coordinator")
    for path, name in (
        ("/chemnitz/console/abstimmungen", "console-ballots"),
        ("/chemnitz/console/abstimmungen?status=closed", "console-ballots-closed"),
        ("/chemnitz/console/termine", "console-events"),
        (f"/chemnitz/console/verwalten/partner/{partner.get_json()['id']}", "console-partner-edit"),
    ):
        page.check(path, name)
    logout(page)
    dev_login(page, "partner")
    page.check("/chemnitz/console/termine", "console-events-member")
    page.check("/chemnitz/console/abstimmungen", "console-ballots-member")


def test_the_unsubscribe_page_passes_axe_and_unsubscribes(page, settings):
    email = f"{unique('leserin')}@example.org"
    token = unsubscribe_token(settings.link_secret, "chemnitz", email, "events")
    path = "/chemnitz/abbestellen?" + urlencode(
        {"email": email, "category": "events", "token": token}
    )
    page.open(path)
    page.axe()
    page.shot("unsubscribe")
    page.open(f"/sprache/en?next={quote(path, safe='')}")
    page.axe()
    page.shot("unsubscribe")
    page.open(f"/sprache/de?next={quote(path, safe='')}")
    page.press("Ja, abbestellen")
    assert "keine Nachrichten der Kategorie „Termine“ mehr" in page.text()
    page.axe()
    page.shot("unsubscribed")


def test_the_consent_withdrawal_page_passes_axe_and_withdraws(page, settings):
    email = f"{unique('kontakt')}@example.org"
    token = withdrawal_token(settings.link_secret, "chemnitz", email)
    path = "/chemnitz/einwilligung-widerrufen?" + urlencode({"email": email, "token": token})
    page.open(path)
    page.axe()
    page.shot("consent-withdrawal")
    page.open(f"/sprache/en?next={quote(path, safe='')}")
    page.axe()
    page.shot("consent-withdrawal")
    page.open(f"/sprache/de?next={quote(path, safe='')}")
    page.press("Ja, Einwilligung widerrufen")
    assert f"Die Kontaktdaten der Adresse {email} und die Nachrichten" in page.text()
    page.axe()
    page.shot("consent-withdrawn")
