"""A Chemnitz admission in the browser: the association applies, the Koordinierungsstelle returns
the application, the applicant corrects it, it is checked, three members of the Vorbereitungsgremium
vote in the console (a „Nein“ without reasons is refused), the ballot closes, and after the voting
period the status page shows the decision and the new partner is marked new in the overview.
Every page passes axe-core (WCAG 2.1 AA) and is photographed in German and English."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from knotenpunkt.services.membership import worker as mw
from tests.support import unique

BODY = "vorbereitungsgremium"


def dev_login(page, role: str, person: str = "") -> None:
    page.open("/anmelden/entwicklung?tenant=chemnitz")
    page.d.find_element(By.CSS_SELECTOR, f"input[name=role][value={role}]").click()
    Select(page.d.find_element(By.ID, "f-person")).select_by_value(person)
    page.click(page.d.find_element(By.CSS_SELECTOR, "form[method=post] button[type=submit]"))
    assert "/chemnitz/console/" in page.d.current_url, page.text()


def logout(page) -> None:
    page.click(page.d.find_element(By.CSS_SELECTOR, ".account button"))


def announce(flow) -> None:
    w = flow.workers["membership"]
    mw.announce_decisions(w, w.context("chemnitz"))
    flow.settle()


def test_public_pages_pass_axe_in_german_english_and_arabic(page):
    page.check("/", "networks")
    for path, name in (
        ("/chemnitz/", "chemnitz-home"),
        ("/chemnitz/partner", "chemnitz-partners"),
        ("/chemnitz/partner?art=chamber&sprache=de", "chemnitz-partners-filtered"),
        ("/chemnitz/partneruebersicht", "chemnitz-overview"),
        ("/chemnitz/termine", "chemnitz-events"),
        ("/chemnitz/beitritt", "chemnitz-application"),
        ("/saalekreis/", "saalekreis-home"),
        ("/saalekreis/aerzte", "saalekreis-doctors"),
        ("/saalekreis/angebote", "saalekreis-offers"),
        ("/magdeburg/", "magdeburg-home"),
        ("/mittelsachsen/zustaendigkeiten", "mittelsachsen-matrix"),
        ("/anmelden", "login"),
        ("/anmelden/entwicklung?tenant=chemnitz", "dev-login"),
    ):
        page.check(path, name)
    page.open("/sprache/ar?next=/chemnitz/")
    html = page.d.find_element(By.TAG_NAME, "html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    page.axe()
    page.shot("chemnitz-home")
    page.open("/sprache/de?next=/")


def fill_application_by_keyboard(page, name: str, email: str) -> None:
    """The application form with TAB, typing, SPACE and ENTER only: first without the criteria."""
    page.open("/chemnitz/beitritt")
    page.start_from_skip_link()
    page.tab_to("f-organisation-name")
    page.keys(name)
    page.tab_to("f-organisation-kind")
    page.keys("Migr")  # typing selects the option „Migrantenselbstorganisation“
    page.tab_to("f-organisation-languages")
    page.keys("fr, de")
    page.tab_to("f-contact-name")
    page.keys("Amadou Diallo")
    page.tab_to("f-contact-email")
    page.keys(email)
    page.tab_to_button("Beitrittserklärung absenden")
    page.enter()
    # the criteria were not confirmed: the error summary names and links them
    summary = page.error_summary()
    assert [target for target, _ in summary] == [
        "f-statements-migrant-interests",
        "f-statements-non-commercial",
    ], summary
    assert page.d.title.startswith("Fehler:")
    page.axe()
    page.shot("chemnitz-application-errors")
    # the values typed are kept; confirm both criteria with SPACE, send with ENTER
    assert page.d.find_element(By.ID, "f-organisation-name").get_attribute("value") == name
    page.start_from_skip_link()
    page.tab_to("f-statements-migrant-interests")
    page.keys(Keys.SPACE)
    page.tab_to("f-statements-non-commercial")
    page.keys(Keys.SPACE)
    page.tab_to_button("Beitrittserklärung absenden")
    page.enter()


def vote_no_by_keyboard(page, ballot_path: str) -> None:
    """A „Nein“ first without, then with its reasons, keys only."""
    page.open(ballot_path)
    page.start_from_skip_link()
    page.tab_to("f-choice")  # the radio group: arrow keys choose within it
    page.keys(Keys.SPACE)  # „Ja“
    page.keys(Keys.ARROW_DOWN)  # „Nein“
    assert page.d.find_element(By.ID, "f-choice-no").is_selected()
    page.tab_to_button("Stimme abgeben")
    page.enter()
    summary = page.error_summary()
    assert summary == [
        (
            "f-reason",
            "Wer mit „Nein“ stimmt, teilt dem Gremium seine Gründe mit: eine Begründung ist Pflicht.",
        )
    ], summary
    page.axe()
    page.shot("console-ballot-errors")
    page.start_from_skip_link()
    page.tab_to("f-reason")
    page.keys("Bezug zu Chemnitz noch unklar.")
    page.tab_to_button("Stimme abgeben")
    page.enter()
    assert "Ihre Stimme ist gezählt: Nein." in page.text()


def vote(page, ballot_path: str, choice: str) -> None:
    page.open(ballot_path)
    page.wait_loaded()
    page.d.find_element(By.CSS_SELECTOR, f"input[name=choice][value={choice}]").click()
    page.press("Stimme abgeben")
    assert "Ihre Stimme ist gezählt" in page.text()


def test_admission_in_the_browser(page, flow, set_body, clock):
    people = set_body("chemnitz", BODY, ["Mitglied A", "Mitglied B", "Mitglied C", "Mitglied D"])
    flow.settle()
    name = unique("Afrikanischer Kulturverein")

    # 1. the association applies, keyboard only
    fill_application_by_keyboard(page, name, f"{unique('amadou')}@kulturverein.example")
    assert "/chemnitz/antrag/" in page.d.current_url, page.text()
    status_path = page.path
    assert "eingereicht, wird geprüft" in page.text()
    page.check(status_path, "application-status-submitted")

    # 2. the Koordinierungsstelle returns it with a note
    dev_login(page, "coordinator")
    page.check("/chemnitz/console/", "console-coordinator")
    page.check("/chemnitz/console/antraege?status=submitted", "console-applications")
    page.click(page.d.find_element(By.LINK_TEXT, name))
    application_path = page.path
    page.axe()
    page.shot("console-application")
    page.d.find_element(By.ID, "f-plausible").click()
    page.d.find_element(By.ID, "f-note").send_keys("Anschrift fehlt.")
    page.press("Prüfung speichern")
    assert "zurückgegeben" in page.text(), page.text()
    logout(page)

    # 3. the applicant completes it on the status page
    page.open(status_path)
    assert "Anschrift fehlt." in page.text()
    page.axe()
    page.shot("application-status-returned")
    page.d.find_element(By.ID, "f-organisation-street").send_keys("Straße der Nationen 12")
    page.d.find_element(By.ID, "f-organisation-postcode").send_keys("09111")
    page.d.find_element(By.ID, "f-organisation-city").send_keys("Chemnitz")
    page.press("Ergänzten Antrag absenden")
    assert "eingereicht, wird geprüft" in page.text()

    # 4. checked: the ballot is on its way through the broker, and the page says so
    dev_login(page, "coordinator")
    page.open(application_path)
    page.d.find_element(By.ID, "f-complete").click()
    page.d.find_element(By.ID, "f-plausible").click()
    page.press("Prüfung speichern")
    assert "Die Abstimmung im Gremium wird eröffnet …" in page.text()
    assert "Die Abstimmung wird eröffnet … Laden Sie die Seite in einem Moment neu." in page.text()
    page.axe()
    flow.settle()
    page.open(application_path)
    page.click(page.d.find_element(By.PARTIAL_LINK_TEXT, "Zur Abstimmung"))
    ballot_path = page.path
    page.check(ballot_path, "console-ballot-open")
    logout(page)

    # 5. three members vote; a „Nein“ without reasons is refused with the API's sentence
    dev_login(page, "member", people[0])
    page.check("/chemnitz/console/", "console-member")
    assert "Ihre Stimme fehlt noch." in page.text()
    vote_no_by_keyboard(page, ballot_path)
    logout(page)
    for person in people[1:3]:
        dev_login(page, "member", person)
        vote(page, ballot_path, "yes")
        logout(page)

    # 6. the Koordinierungsstelle follows participation and closes the ballot
    dev_login(page, "coordinator")
    page.open(ballot_path)
    assert "3 von 4 Stimmberechtigten haben abgestimmt." in page.text()
    # closing early: a link to a page that shows the turnout first, then asks
    link = page.d.find_element(By.LINK_TEXT, "Abstimmung vorzeitig schließen …")
    assert link.get_attribute("href").endswith(f"{ballot_path}/schliessen")
    page.check(f"{ballot_path}/schliessen", "console-ballot-close-confirm")
    assert "Abstimmung vorzeitig schließen?" in page.text()
    assert "3 von 4 Stimmberechtigten haben abgestimmt." in page.text()
    page.press("Ja, Abstimmung jetzt schließen")
    assert "Das Ergebnis wird an das Netzwerk übermittelt …" in page.text()
    flow.settle()
    page.check(ballot_path, "console-ballot-closed")
    result = page.text()
    assert "Beschluss: angenommen" in result
    assert "Ja\n2" in result or "Ja 2" in result
    dissent = page.d.find_element(By.ID, "dissent").text
    assert dissent == "Mitglied A: Nein – Bezug zu Chemnitz noch unklar.", dissent
    logout(page)

    # 7. before the deadline the applicant still sees the vote running …
    page.open(status_path)
    assert page.d.find_element(By.ID, "application-status").text == "in der Abstimmung"
    # … after it, the decision (the workers' clock moves on; the membership job tells it)
    clock.advance(days=15)
    announce(flow)
    page.check(status_path, "application-status-admitted")
    assert page.d.find_element(By.ID, "application-status").text == "aufgenommen"
    assert "Ihre Organisation ist als Partner in das Netzwerk aufgenommen." in page.text()
    assert "Mitglied" not in page.text()  # no voters' names for the applicant

    # 8. the next overview marks the new partner
    dev_login(page, "coordinator")
    page.open("/chemnitz/partneruebersicht")
    page.press("Jetzt eine neue Partnerübersicht veröffentlichen")
    logout(page)
    page.check("/chemnitz/partneruebersicht", "chemnitz-overview-new-partner")
    row = page.d.find_element(By.XPATH, f"//tr[th[normalize-space()='{name}']]")
    assert "neu" in row.text.split()


def test_axe_check_finds_what_it_should(page):
    """The checker itself: a field without a label and low contrast are violations."""
    page.d.get(
        "data:text/html;charset=utf-8,<html lang=de><title>t</title><main><input>"
        "<p style='color:%23bbb'>blass</p></main></html>"
    )
    ids = {v["id"] for v in page.violations()}
    assert {"label", "color-contrast"} <= ids, ids
