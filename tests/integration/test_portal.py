"""The portal over the four real services served on loopback: public pages, forms, security headers, languages."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import pytest

from tests.browser.live import csrf_token, portal_app
from tests.support import unique


@pytest.fixture
def web(portal):
    return portal.test_client()


def page(web, url, status=200) -> str:
    resp = web.get(url)
    assert resp.status_code == status, (url, resp.status_code, resp.get_data(as_text=True)[:2000])
    return resp.get_data(as_text=True)


def post_form(web, url, data, form_url=None):
    html = page(web, form_url or url)
    return web.post(url, data={"csrf_token": csrf_token(html), **data})


def test_public_pages_render_in_german(web):
    html = page(web, "/")
    assert '<html lang="de" dir="ltr">' in html
    assert "Integrationsnetzwerk Chemnitz" in html
    home = page(web, "/chemnitz/")
    assert "Beitrittserklärung" in home and "Vorbereitungsgremium" in home
    assert "innerhalb von 14 Tagen" in home
    assert "Koordinierungsstelle des Integrationsnetzwerkes" in home
    saale = page(web, "/saalekreis/")
    assert "Eine Mitgliedschaft gibt es nicht" in saale
    assert "Die Mitglieder werden benannt" in page(web, "/magdeburg/")
    for url in (
        "/chemnitz/partner",
        "/chemnitz/partner?q=IHK&art=chamber&sprache=de&seite=1",
        "/chemnitz/partneruebersicht",
        "/chemnitz/termine",
        "/chemnitz/beitritt",
        "/saalekreis/aerzte",
        "/saalekreis/aerzte?sprache=ar",
        "/saalekreis/angebote",
        "/mittelsachsen/zustaendigkeiten",
    ):
        html = page(web, url)
        assert re.search(r"<title>[^<]+ – [^<]+ – Knotenpunkt</title>", html), url
        assert 'href="#main"' in html and '<main id="main"' in html
    page(web, "/chemnitz/aerzte", status=404)
    page(web, "/nirgendwo/", status=404)


def test_headers_csp_and_cookie(web):
    resp = web.get("/chemnitz/beitritt")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "style=" not in resp.get_data(as_text=True) and "<script" not in resp.get_data(
        as_text=True
    )


def test_secure_cookie_when_served_over_https(served, settings):
    app = portal_app(served, settings, PUBLIC_URL="https://portal.example")
    resp = app.test_client().get("/chemnitz/beitritt")
    assert "Secure" in resp.headers["Set-Cookie"]


def test_form_without_csrf_token_is_refused(web):
    page(web, "/chemnitz/beitritt")
    resp = web.post("/chemnitz/beitritt", data={"organisation.name": "Ohne Token"})
    assert resp.status_code == 400
    assert "Sicherheitsprüfung" in resp.get_data(as_text=True)


def test_application_form_errors_are_summarised_and_linked(web):
    resp = post_form(web, "/chemnitz/beitritt", {"contact.email": "kein-at"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert (
        '<a href="#f-organisation-name">Bitte geben Sie den Namen der Organisation an.</a>' in html
    )
    assert 'href="#f-contact-email"' in html and 'href="#f-statements-migrant-interests"' in html
    assert 'id="f-organisation-name"' in html and 'aria-invalid="true"' in html
    assert "<title>Fehler: Beitrittserklärung" in html


def test_application_status_correction_and_withdrawal(web, token, clients):
    name = unique("Kulturverein")
    resp = post_form(
        web,
        "/chemnitz/beitritt",
        {
            "organisation.name": name,
            "organisation.kind": "migrant_self_organisation",
            "contact.name": "Amadou Diallo",
            "contact.email": f"{unique('a')}@verein.example",
            "statements.migrant_interests": "yes",
            "statements.non_commercial": "yes",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    status_url = resp.headers["Location"]
    html = page(web, status_url)
    assert "eingereicht, wird geprüft" in html and name in html
    app_id = status_url.split("/antrag/")[1].split("?")[0]
    clients["membership"].post(
        f"/api/v1/chemnitz/applications/{app_id}/check",
        json={"complete": False, "plausible": True, "note": "Anschrift fehlt."},
        headers=token("chemnitz", "coordinator"),
    )
    html = page(web, status_url)
    assert "zur Ergänzung zurückgegeben" in html and "Anschrift fehlt." in html
    tok = status_url.split("token=")[1]
    form = {
        "token": tok,
        "organisation.name": name,
        "organisation.street": "Straße der Nationen 12",
        "organisation.postcode": "09111",
        "organisation.city": "Chemnitz",
        "contact.name": "Amadou Diallo",
        "contact.email": "amadou@verein.example",
        "statements.migrant_interests": "yes",
        "statements.non_commercial": "yes",
    }
    resp = web.post(
        f"/chemnitz/antrag/{app_id}/ergaenzen", data={"csrf_token": csrf_token(html), **form}
    )
    assert resp.status_code == 302
    html = page(web, status_url)
    assert "eingereicht, wird geprüft" in html
    resp = web.post(
        f"/chemnitz/antrag/{app_id}/zurueckziehen",
        data={"csrf_token": csrf_token(html), "token": tok},
    )
    assert resp.status_code == 422 and 'href="#f-confirm"' in resp.get_data(as_text=True)
    resp = web.post(
        f"/chemnitz/antrag/{app_id}/zurueckziehen",
        data={"csrf_token": csrf_token(html), "token": tok, "confirm": "yes"},
    )
    assert resp.status_code == 302
    assert "zurückgezogen" in page(web, status_url)
    page(web, f"/chemnitz/antrag/{app_id}?token=falsch", status=404)


def test_language_switch_is_remembered_and_english_is_complete(web):
    resp = web.get("/sprache/en?next=/chemnitz/beitritt")
    assert resp.status_code == 302 and resp.headers["Location"] == "/chemnitz/beitritt"
    html = page(web, "/chemnitz/beitritt")
    assert '<html lang="en" dir="ltr">' in html
    assert "Application for membership" in html and "Beitrittserklärung absenden" not in html
    assert page(web, "/chemnitz/partner").count("Partner") > 0
    assert web.get("/sprache/en?next=//evil.example").headers["Location"] == "/"


def test_arabic_page_is_right_to_left(web):
    web.get("/sprache/ar?next=/")
    html = page(web, "/chemnitz/")
    assert '<html lang="ar" dir="rtl">' in html
    assert "تخطي إلى المحتوى" in html


def consultation(clients, token, opens: date, closes: date) -> str:
    resp = clients["events"].post(
        "/api/v1/chemnitz/consultations",
        json={
            "title": unique("Befragung"),
            "opens": opens.isoformat(),
            "closes": closes.isoformat(),
        },
        headers=token("chemnitz", "coordinator"),
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_consultation_outside_its_window_says_so(web, clients, token):
    closed = consultation(clients, token, date(2016, 9, 5), date(2016, 9, 25))
    html = page(web, f"/chemnitz/beteiligung/{closed}")
    assert "Die Beteiligung ist seit dem 25.09.2016 beendet" in html
    assert "Idee einreichen" not in html


def test_consultation_idea_inside_its_window(web, clients, token):
    today = date.today()
    cid = consultation(clients, token, today - timedelta(days=1), today + timedelta(days=5))
    resp = post_form(web, f"/chemnitz/beteiligung/{cid}", {"topic": "", "text": ""})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'href="#f-topic"' in html and 'href="#f-text"' in html
    resp = post_form(
        web,
        f"/chemnitz/beteiligung/{cid}",
        {"topic": "Gesundheit", "text": "Dolmetscher in Praxen"},
    )
    assert resp.status_code == 302
    assert "Ihre Idee ist eingegangen" in page(web, resp.headers["Location"])


def test_dev_login_and_console_need_login(web):
    resp = web.get("/chemnitz/console/")
    assert resp.status_code == 302 and "/anmelden" in resp.headers["Location"]
    resp = post_form(
        web,
        "/anmelden/entwicklung",
        {"tenant": "chemnitz", "role": "coordinator", "person": ""},
        form_url="/anmelden/entwicklung?tenant=chemnitz",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    html = page(web, "/chemnitz/console/")
    assert "Anträge zu prüfen" in html
    page(web, "/chemnitz/console/antraege?status=submitted")
    page(web, "/chemnitz/console/abstimmungen")
    page(web, "/magdeburg/console/", status=302)


def test_english_catalogue_translates_every_message_of_the_sources():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from knotenpunkt.services.portal import i18n
    from knotenpunkt.shared import choices

    root = i18n.TRANSLATIONS.parent
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext.babel_extract")]
    found = {
        msg[2]
        for msg in extract_from_dir(
            str(root),
            method_map,
            keywords={
                "_": None,
                "gettext": None,
                "ngettext": (1, 2),
                "_l": None,
                "lazy_gettext": None,
            },
        )
    }
    # labels.CHOICES translates the words of shared.choices: no literal for pybabel to find
    found |= set(choices.GERMAN.values())
    with (i18n.TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        english = read_po(f, locale="en")
    missing = [
        m
        for m in found
        if not (english.get(m[0] if isinstance(m, tuple) else m) or None)
        or not english.get(m[0] if isinstance(m, tuple) else m).string
    ]
    assert len(found) > 300 and missing == []


def test_the_unsubscribe_page_asks_then_unsubscribes(web, clients, token, settings):
    from knotenpunkt.services.notifications.domain.links import unsubscribe_token

    email = f"{unique('leser')}@example.org"
    good = unsubscribe_token(settings.link_secret, "chemnitz", email, "events")
    query = {"email": email, "category": "events", "token": good}

    def opted_out() -> bool:
        prefs = clients["notifications"].get(
            "/api/v1/chemnitz/preferences",
            query_string={"email": email},
            headers=token("chemnitz", "coordinator"),
        )
        return any(p["category"] == "events" and p["opted_out"] for p in prefs.get_json())

    asked = web.get("/chemnitz/abbestellen", query_string=query)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<title>Nachrichten abbestellen?" in html
    assert f"Soll die Adresse {email} keine Nachrichten der Kategorie „Termine“" in html
    assert not opted_out()  # the GET (a mail scanner, too) changes nothing
    done = web.post("/chemnitz/abbestellen", data={"csrf_token": csrf_token(html), **query})
    assert done.status_code == 200, done.get_data(as_text=True)[:2000]
    assert "keine Nachrichten der Kategorie „Termine“ mehr" in done.get_data(as_text=True)
    assert opted_out()
    # a changed token or another address: refused, nothing asked
    bad = web.get("/chemnitz/abbestellen", query_string={**query, "email": f"x{email}"})
    assert bad.status_code == 403 and "Abbestell-Link ungültig" in bad.get_data(as_text=True)
    assert web.get("/chemnitz/abbestellen").status_code == 400
    # without the form's CSRF token the POST is refused
    assert web.post("/chemnitz/abbestellen", data=query).status_code == 400
    # in English
    web.get("/sprache/en")
    english = page(web, f"/chemnitz/abbestellen?{urlencode(query)}")
    assert "Unsubscribe?" in english and "Yes, unsubscribe" in english


def test_calendar_feeds_and_the_matrix_as_downloads(web, clients, token):
    from datetime import UTC, datetime

    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=15)
    title = unique("Netzwerkkonferenz")
    event = (
        clients["events"]
        .post(
            "/api/v1/chemnitz/events",
            json={
                "kind": "network_event",
                "title": title,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "public": True,
            },
            headers=token("chemnitz", "coordinator"),
        )
        .get_json()
    )
    listing = page(web, "/chemnitz/termine")
    assert 'href="/chemnitz/kalender.ics"' in listing
    assert f'href="/chemnitz/termine/{event["id"]}.ics"' in page(
        web, f"/chemnitz/termine/{event['id']}"
    )
    for url in ("/chemnitz/kalender.ics", f"/chemnitz/termine/{event['id']}.ics"):
        resp = web.get(url)
        assert resp.status_code == 200 and resp.mimetype == "text/calendar", url
        body = resp.get_data(as_text=True)
        assert body.startswith("BEGIN:VCALENDAR") and title in body, url
    csv = web.get("/mittelsachsen/zustaendigkeiten.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    assert web.get("/chemnitz/zustaendigkeiten.csv").status_code == 404


def test_the_consent_withdrawal_page_asks_then_withdraws(web, settings):
    """The link in mails to a contact held on consent: GET asks (changes nothing), the form's
    POST withdraws through the notifications API (its event notifications.consent.withdrawn,
    on which membership erases the contact); a wrong link is refused; German and English."""
    import psycopg

    from knotenpunkt.services.notifications.domain.links import withdrawal_token

    email = f"{unique('kontakt')}@example.org"
    query = {"email": email, "token": withdrawal_token(settings.link_secret, "chemnitz", email)}

    def withdrawals() -> int:
        with psycopg.connect(settings.admin_url(settings.service_database("notifications"))) as c:
            return c.execute(
                "select count(*) from outbox where routing_key = 'chemnitz.notifications.consent.withdrawn'"
                " and envelope->'data'->>'email' = %s",
                (email,),
            ).fetchone()[0]

    asked = web.get("/chemnitz/einwilligung-widerrufen", query_string=query)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "<title>Einwilligung widerrufen?" in html
    assert (
        f"Einwilligung in die Speicherung der Kontaktdaten der Adresse {email} widerrufen?" in html
    )
    assert withdrawals() == 0  # the GET (a mail scanner, too) changes nothing
    form = {"csrf_token": csrf_token(html), **query}
    # a changed token or another address: refused, nothing withdrawn
    bad = web.post("/chemnitz/einwilligung-widerrufen", data={**form, "email": f"x{email}"})
    assert bad.status_code == 403 and "Widerrufslink ungültig" in bad.get_data(as_text=True)
    assert (
        web.get(
            "/chemnitz/einwilligung-widerrufen", query_string={**query, "token": "x"}
        ).status_code
        == 403
    )
    assert web.get("/chemnitz/einwilligung-widerrufen").status_code == 400
    # without the form's CSRF token the POST is refused
    assert web.post("/chemnitz/einwilligung-widerrufen", data=query).status_code == 400
    assert withdrawals() == 0
    done = web.post("/chemnitz/einwilligung-widerrufen", data=form)
    assert done.status_code == 200, done.get_data(as_text=True)[:2000]
    assert f"Die Kontaktdaten der Adresse {email} und die Nachrichten" in done.get_data(
        as_text=True
    )
    assert withdrawals() == 1
    # in English
    web.get("/sprache/en")
    english = page(web, f"/chemnitz/einwilligung-widerrufen?{urlencode(query)}")
    assert "Withdraw your consent?" in english and "Yes, withdraw my consent" in english
    web.get("/sprache/de")


def test_status_page_names_the_day_after_which_the_applicant_is_told(web, token, clients):
    """Issue 23.12: Chemnitz tells after the voting period (inform_applicant after_deadline);
    the status page of a running vote gives the deadline's date."""
    from zoneinfo import ZoneInfo

    resp = post_form(
        web,
        "/chemnitz/beitritt",
        {
            "organisation.name": unique("Elternverein"),
            "organisation.kind": "migrant_self_organisation",
            "contact.name": "Lina Haddad",
            "contact.email": f"{unique('l')}@verein.example",
            "statements.migrant_interests": "yes",
            "statements.non_commercial": "yes",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    status_url = resp.headers["Location"]
    app_id = status_url.split("/antrag/")[1].split("?")[0]
    checked = clients["membership"].post(
        f"/api/v1/chemnitz/applications/{app_id}/check",
        json={"complete": True, "plausible": True},
        headers=token("chemnitz", "coordinator"),
    )
    assert checked.status_code == 200, checked.get_json()
    tok = status_url.split("token=")[1]
    mine = clients["membership"].get(f"/api/v1/chemnitz/applications/{app_id}?token={tok}")
    informed = mine.get_json()["informed_after"]
    assert informed
    day = datetime.fromisoformat(informed)
    assert day.date() >= date.today() + timedelta(days=13)
    shown = day.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y")
    html = page(web, status_url)
    assert f"nach Ablauf der Abstimmungsfrist am {shown}." in html, html


RAW = re.compile(
    r"\b(None|none|True|False|null|simple_majority|absolute_majority|two_thirds|unanimity"
    r"|migrant_self_organisation|in_vote|after_deadline|at_close)\b"
)
PUBLIC = (
    "/",
    "/partner",
    "/partneruebersicht",
    "/aerzte",
    "/angebote",
    "/zustaendigkeiten",
    "/termine",
    "/beitritt",
    "/impressum",
    "/datenschutz",
    "/barrierefreiheit",
    "/sprachen",
    "/leichte-sprache",
)


def visible_text(html: str) -> str:
    """What a reader sees: no script, style or tags (so no attribute values)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("tenant", ["chemnitz", "saalekreis", "magdeburg", "mittelsachsen"])
def test_no_raw_value_on_any_public_page(web, tenant):
    """Issue 23.14: every public page of all four networks, in German and English, shows
    no None, no True/False and no enum word (e.g. "None Magdeburg" in the contact block)."""
    shown = 0
    for lang in ("de", "en"):
        assert web.get(f"/sprache/{lang}?next=/{tenant}/").status_code == 302
        for path in PUBLIC:
            url = f"/{tenant}{path}"
            resp = web.get(url)
            if resp.status_code == 404:
                continue  # the network has no such page (e.g. no doctors in Chemnitz)
            assert resp.status_code == 200, (url, resp.status_code)
            text = visible_text(resp.get_data(as_text=True))
            found = RAW.findall(text)
            assert not found, (url, found)
            shown += 1
    assert shown >= 16
    web.get(f"/sprache/de?next=/{tenant}/")
    home = visible_text(page(web, f"/{tenant}/"))
    assert "Entscheidet mit Konsens" not in home and "Entscheidet mit einfache " not in home
    rule = {
        "chemnitz": "Entscheidet mit einfacher Mehrheit.",
        "saalekreis": "Spricht Empfehlungen mit einfacher Mehrheit aus; Beschlüsse fasst es nicht.",
        "magdeburg": "Spricht Empfehlungen im Konsens aus; Beschlüsse fasst es nicht.",
        "mittelsachsen": "Spricht Empfehlungen im Konsens aus; Beschlüsse fasst es nicht.",
    }[tenant]
    assert rule in home
