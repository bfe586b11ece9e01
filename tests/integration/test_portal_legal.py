"""The pages a public body's website must carry (issue 25), over the four real services: the
Impressum and the footer's links on every page, the Datenschutzerklärung naming every processing
of the four catalogues with the network's retention figures, the accessibility statement with
its feedback form (German messages at the field; the event in membership's outbox), Leichte
Sprache, the privacy notice at the forms, and the lang of German texts on English pages."""

from __future__ import annotations

import html as htmllib
import importlib
import re

import psycopg
import pytest

from knotenpunkt.shared.privacy_statement import processings
from tests.browser.live import csrf_token
from tests.support import unique

SERVICES = ("membership", "voting", "events", "notifications")
NETWORKS = ("chemnitz", "saalekreis", "magdeburg", "mittelsachsen")
FOOTER = ("impressum", "datenschutz", "barrierefreiheit", "leichte-sprache", "sprachen")


@pytest.fixture
def web(portal):
    return portal.test_client()


def page(web, url, status=200) -> str:
    resp = web.get(url)
    assert resp.status_code == status, (url, resp.status_code, resp.get_data(as_text=True)[:2000])
    return htmllib.unescape(resp.get_data(as_text=True))


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


@pytest.mark.parametrize("tenant", NETWORKS)
def test_every_page_of_a_network_links_the_four_in_its_footer(web, tenant):
    paths = ["/", "/partner", "/partneruebersicht", "/termine", "/beitritt", "/gibt-es-nicht"]
    paths += [f"/{p}" for p in FOOTER]
    for path in paths:
        resp = web.get(f"/{tenant}{path}")
        html = htmllib.unescape(resp.get_data(as_text=True))
        for target in FOOTER:
            assert f'href="/{tenant}/{target}"' in footer(html), (tenant, path, target)


@pytest.mark.parametrize("tenant", NETWORKS)
def test_the_impressum_names_body_address_representative_contact_and_editor(web, tenants, tenant):
    imprint = tenants.get(tenant).rules["imprint"]
    html = page(web, f"/{tenant}/impressum")
    for text in (
        imprint["body"],
        imprint["street"],
        f"{imprint['postcode']} {imprint['city']}",
        imprint["represented_by"],
        imprint["email"],
        imprint["editor"]["name"],
        imprint["supervisory_authority"]["name"],
        "§ 5 Digitale-Dienste-Gesetz",
    ):
        assert text in html, text


def _catalogue(service):
    return importlib.import_module(f"knotenpunkt.services.{service}.privacy_catalogue")


@pytest.mark.parametrize("tenant", ("chemnitz", "magdeburg"))
def test_the_privacy_statement_names_every_processing_of_the_catalogues(web, tenants, tenant):
    rules = tenants.get(tenant).rules
    html = page(web, f"/{tenant}/datenschutz")
    expected = [
        p
        for service in SERVICES
        for p in processings(
            service, _catalogue(service).CATALOGUE, _catalogue(service).NOTICES, rules["privacy"]
        )
    ]
    assert len(expected) > 30
    sections = re.findall(r'<section class="processing"', html)
    assert len(sections) == len(expected)
    for p in expected:
        block = html[html.index(f'id="p-{p["service"]}-{p["table"]}"') :]
        block = block[: block.index("</section>")]
        for text in (p["purpose"], p["sentence"], p["legal_basis_text"], p["retention"]):
            assert text in block, (p["table"], text)
    months = rules["privacy"]["applications_months"]
    assert f"abgelehnte und zurückgezogene Anträge {months} Monate" in html
    protection = rules["data_protection"]
    for text in (
        protection["officer"]["email"],
        protection["supervisory_authority"]["name"],
        rules["imprint"]["body"],
        "Art. 15 DSGVO",
        "Art. 77 DSGVO",
    ):
        assert text in html, text


def test_the_accessibility_statement_and_its_feedback_form(web, tenants, clients, settings):
    statement = tenants.get("saalekreis").rules["accessibility"]
    html = page(web, "/saalekreis/barrierefreiheit")
    assert "teilweise vereinbar" in html and "01.12.2026" in html
    assert statement["enforcement"]["url"] in html and statement["known_issues"][0] in html
    assert 'href="/saalekreis/datenschutz#verarbeitungen"' in html  # the notice at the form

    # nothing given: German messages at the fields, 422, nothing sent
    resp = web.post(
        "/saalekreis/barrierefreiheit",
        data={"csrf_token": csrf_token(html), "email": "keine-adresse", "message": ""},
    )
    assert resp.status_code == 422
    bad = htmllib.unescape(resp.get_data(as_text=True))
    assert 'id="f-email-error"' in bad and "gültige E-Mail-Adresse" in bad
    assert 'id="f-message-error"' in bad and "beschreiben Sie die Barriere" in bad

    sender = f"{unique('leserin')}@example.org"
    resp = web.post(
        "/saalekreis/barrierefreiheit",
        data={
            "csrf_token": csrf_token(html),
            "name": "Rita R.",
            "email": sender,
            "page": "/saalekreis/termine",
            "message": "Die Termine lassen sich nicht vergrößern.",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert "Ihre Rückmeldung ist bei der Koordinierungsstelle eingegangen" in page(
        web, resp.headers["Location"]
    )
    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        rows = conn.execute(
            "select envelope from outbox where routing_key = %s"
            " and envelope->'data'->>'email' = %s",
            ("saalekreis.membership.accessibility_feedback.submitted", sender),
        ).fetchall()
    ((envelope,),) = rows
    data = envelope["data"]
    assert (
        data["message"] == "Die Termine lassen sich nicht vergrößern." and data["name"] == "Rita R."
    )


def test_the_api_refuses_bad_feedback_naming_the_field(clients):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/accessibility-feedback", json={"email": "x", "message": "ok"}
    )
    assert resp.status_code == 422 and resp.content_type == "application/problem+json"
    assert "email" in resp.get_json()["errors"] and "message" in resp.get_json()["errors"]


def test_leichte_sprache_and_the_sign_language_video(web, tenants):
    home = page(web, "/chemnitz/")
    assert 'href="/chemnitz/leichte-sprache"' in home
    assert "Gebärdensprache" not in home  # no video in the Chemnitz file
    easy = page(web, "/chemnitz/leichte-sprache")
    assert '<div lang="de" class="easy-language">' in easy
    assert (
        "Ein Netzwerk ist eine Gruppe." in easy and "integrationsnetzwerk@stadt-chemnitz.de" in easy
    )
    video = tenants.get("mittelsachsen").rules["easy_language"]["sign_language_video"]
    assert f'href="{video}"' in page(web, "/mittelsachsen/")
    assert f'href="{video}"' in page(web, "/mittelsachsen/leichte-sprache")


def test_forms_show_the_privacy_notice(web):
    form = page(web, "/chemnitz/beitritt")
    assert (
        'class="privacy-notice"' in form and 'href="/chemnitz/datenschutz#verarbeitungen"' in form
    )


def test_german_texts_carry_lang_de_on_an_english_page(web, tenants):
    web.get("/sprache/en?next=/chemnitz/")
    home = page(web, "/chemnitz/")
    assert '<html lang="en" dir="ltr">' in home
    for c in tenants.get("chemnitz").membership["criteria"]:
        assert f'<li lang="de" dir="ltr">{c["text"]}</li>' in home
    form = page(web, "/chemnitz/beitritt")
    for c in tenants.get("chemnitz").membership["criteria"]:
        assert f'lang="de" dir="ltr">{c["text"]}</label>' in form
    assert 'lang="ar" hreflang="ar" dir="rtl"' in home  # the language switch
    imprint = page(web, "/chemnitz/impressum")
    assert (
        "Legal notice (Impressum)" in imprint and '<p lang="de">die Oberbürgermeisterin' in imprint
    )


def test_information_in_seven_languages_each_tagged_with_its_language_and_direction(web):
    html = page(web, "/chemnitz/sprachen")
    for code, direction in (
        ("de", "ltr"),
        ("en", "ltr"),
        ("ar", "rtl"),
        ("fa", "rtl"),
        ("ru", "ltr"),
        ("uk", "ltr"),
        ("tr", "ltr"),
    ):
        start = html.index(f'<section id="sprache-{code}" lang="{code}" dir="{direction}"')
        section = html[start : html.index("</section>", start)]
        assert "integrationsnetzwerk@stadt-chemnitz.de" in section, code
        assert 'href="/chemnitz/barrierefreiheit#rueckmeldung"' in section, code
