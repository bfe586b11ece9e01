"""The Koordinierungsstelle's management pages in real Chromium: every page passes axe-core
(WCAG 2.1 AA) in German and English and is photographed; a partner is added with the keyboard
only (the error summary first, then saved); a failed delivery is sent again from the log; the
printable partner overview and minutes pass the same checks."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.browser.test_admission import dev_login, logout
from tests.integration.test_portal_manage import make_failed_delivery, published_minutes
from tests.support import unique


def test_management_pages_pass_axe_in_german_and_english(page, clients, token):
    dev_login(page, "coordinator")
    for path, name in (
        ("/chemnitz/console/", "console-coordinator-tasks"),
        ("/chemnitz/console/antraege?status=unconfirmed", "console-applications-unconfirmed"),
        ("/chemnitz/console/verwalten/partner", "console-partners"),
        ("/chemnitz/console/verwalten/partner?stand=left", "console-partners-left"),
        ("/chemnitz/console/verwalten/partner/neu", "console-partner-new"),
        ("/chemnitz/console/gremien", "console-bodies"),
        ("/chemnitz/console/gremien/vorbereitungsgremium", "console-body"),
        ("/chemnitz/console/verwalten/kontakte", "console-contacts"),
        ("/chemnitz/console/verwalten/kontakte/neu", "console-contact-new"),
        ("/chemnitz/console/partneruebersicht", "console-overviews"),
        ("/chemnitz/console/zustellungen", "console-deliveries"),
        ("/chemnitz/console/abstimmungen/neu", "console-ballot-new"),
    ):
        page.check(path, name)
    # a ballot opened without a body or title: the error summary links the fields
    page.open("/chemnitz/console/abstimmungen/neu")
    page.press("Abstimmung eröffnen")
    assert {"f-body", "f-kind", "f-title"} <= {target for target, _ in page.error_summary()}
    page.axe()
    page.shot("console-ballot-new-errors")
    # a contact on consent without its moment: the error summary links the field
    page.open("/chemnitz/console/verwalten/kontakte/neu")
    page.d.find_element(By.ID, "f-name").send_keys("Karin Weber")
    page.d.find_element(By.CSS_SELECTOR, "#f-legal-basis option[value=consent]").click()
    page.press("Speichern")
    assert "f-consent-at" in [target for target, _ in page.error_summary()]
    page.axe()
    page.shot("console-contact-errors")
    logout(page)

    for tenant, paths in (
        ("saalekreis", ("aerzte", "aerzte/neu", "angebote", "angebote/neu")),
        ("mittelsachsen", ("zustaendigkeiten", "zustaendigkeiten/neu")),
    ):
        page.open(f"/anmelden/entwicklung?tenant={tenant}")
        page.d.find_element(By.CSS_SELECTOR, "input[name=role][value=coordinator]").click()
        page.click(page.d.find_element(By.CSS_SELECTOR, "form[method=post] button[type=submit]"))
        for p in paths:
            page.check(
                f"/{tenant}/console/verwalten/{p}", f"console-{tenant}-{p.replace('/', '-')}"
            )
        logout(page)


def test_a_partner_is_added_with_the_keyboard_only(page):
    dev_login(page, "coordinator")
    name = unique("Bildungswerk Sachsen")
    page.open("/chemnitz/console/verwalten/partner/neu")
    page.start_from_skip_link()
    page.tab_to_button("Speichern")
    page.enter()
    summary = page.error_summary()
    assert summary[:2] == [
        ("f-name", "Bitte füllen Sie „Name“ aus."),
        ("f-kind", "Bitte füllen Sie „Art“ aus."),
    ], summary
    assert page.d.title.startswith("Fehler:")
    page.axe()
    page.shot("console-partner-errors")
    page.start_from_skip_link()
    page.tab_to("f-name")
    page.keys(name)
    page.tab_to("f-kind")
    page.keys("Bild")  # typing selects „Bildungseinrichtung“
    page.tab_to("f-city")
    page.keys("Chemnitz")
    page.tab_to("f-languages")
    page.keys("de, uk")
    page.tab_to_button("Speichern")
    page.enter()
    assert f"„{name}“ ist gespeichert." in page.text(), page.text()
    assert page.path.startswith("/chemnitz/console/verwalten/partner")
    page.open(f"/chemnitz/console/verwalten/partner?q={name}")
    row = page.d.find_element(By.XPATH, f"//tr[th[normalize-space()='{name}']]")
    assert "Bildungseinrichtung" in row.text and "Chemnitz" in row.text and "aktiv" in row.text
    page.axe()
    page.shot("console-partner-saved")


def test_a_failed_delivery_is_sent_again(page, settings, tenants, flow):
    failed = make_failed_delivery(settings, tenants)
    dev_login(page, "coordinator")
    page.open("/chemnitz/console/")
    page.click(page.d.find_element(By.CSS_SELECTOR, "#task-failed a"))
    assert page.path == "/chemnitz/console/zustellungen?status=failed"
    row = page.d.find_element(By.ID, f"delivery-{failed['id']}")
    assert "fehlgeschlagen" in row.text and "Partnerübersicht veröffentlicht" in row.text
    page.axe()
    page.shot("console-deliveries-failed")
    page.click(row.find_element(By.XPATH, ".//button[normalize-space()='Erneut senden']"))
    assert "wird erneut versucht …" in page.text()
    page.axe()
    flow.settle()


def test_printable_overview_and_minutes_pass_axe(page, clients, token):
    created = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": unique("Sportverein"), "kind": "sports"},
        headers=token("chemnitz", "coordinator"),
    )
    assert created.status_code == 201
    published = clients["membership"].post(
        "/api/v1/chemnitz/directory/publications", headers=token("chemnitz", "coordinator")
    )
    assert published.status_code == 201, published.get_json()
    publication = published.get_json()["id"]
    page.check(f"/chemnitz/partneruebersicht/{publication}", "print-overview")
    assert "Als PDF herunterladen" in page.text()
    event = published_minutes(clients, token, public=True)
    page.check(f"/chemnitz/protokolle/{event['id']}", "print-minutes")
    assert "Anna A., Ben B." in page.text()
