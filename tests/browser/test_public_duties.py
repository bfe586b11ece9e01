"""The pages a public body's website must carry (issue 25) in real Chromium: Impressum,
Datenschutzerklärung, Erklärung zur Barrierefreiheit (also with the feedback form's errors),
Leichte Sprache and the home page with its sign language link pass axe-core (WCAG 2.1 AA) in
German, English and Arabic (right to left) and are photographed; every page's footer links the
four; the feedback form's mail reaches the Koordinierungsstelle, and the receipt the sender,
through a real SMTP server."""

from __future__ import annotations

import email
import email.policy

from selenium.webdriver.common.by import By

from knotenpunkt.services.notifications import worker as nw
from knotenpunkt.wiring import worker_for
from tests.support import SmtpSink, unique

FOOTER = ("impressum", "datenschutz", "barrierefreiheit", "leichte-sprache", "sprachen")


def parsed(message):
    """The message as the standard library's modern API reads it (the sink keeps it raw)."""
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def plain(message) -> str:
    """The mail's text part."""
    return parsed(message).get_body(preferencelist=("plain",)).get_content()


def footer_links(page) -> list[str]:
    footer = page.d.find_element(By.CSS_SELECTOR, "footer.site-footer")
    return [a.get_attribute("href") for a in footer.find_elements(By.TAG_NAME, "a")]


def test_the_public_duty_pages_pass_axe_in_three_languages(page):
    for path, name in (
        ("/chemnitz/impressum", "chemnitz-impressum"),
        ("/chemnitz/datenschutz", "chemnitz-datenschutz"),
        ("/chemnitz/barrierefreiheit", "chemnitz-barrierefreiheit"),
        ("/chemnitz/leichte-sprache", "chemnitz-leichte-sprache"),
        ("/mittelsachsen/", "mittelsachsen-home-dgs"),
        ("/mittelsachsen/leichte-sprache", "mittelsachsen-leichte-sprache"),
        ("/saalekreis/impressum", "saalekreis-impressum"),
        ("/chemnitz/sprachen", "chemnitz-sprachen"),
    ):
        page.check(path, name, arabic=True)
        tenant = path.split("/")[1]
        links = footer_links(page)
        for target in FOOTER:
            assert page.url(f"/{tenant}/{target}") in links, (path, target)


def test_the_footer_links_them_on_every_page_visited(page):
    for path in ("/chemnitz/", "/chemnitz/partner", "/chemnitz/termine", "/chemnitz/beitritt"):
        page.open(path)
        links = footer_links(page)
        assert all(page.url(f"/chemnitz/{t}") in links for t in FOOTER), path
    # the Leichte Sprache link from the home page leads to the page in Leichte Sprache
    page.open("/chemnitz/")
    link = page.d.find_element(By.CSS_SELECTOR, ".easy-access a")
    page.click(link)
    assert page.path == "/chemnitz/leichte-sprache"
    assert "Ein Netzwerk ist eine Gruppe." in page.text()


def test_feedback_reaches_the_office_and_the_sender_by_real_smtp(page, flow, settings, tenants):
    page.open("/chemnitz/barrierefreiheit")
    page.press("Rückmeldung senden")  # nothing given: the error summary, at the fields
    assert page.path.startswith("/chemnitz/barrierefreiheit")
    anchors = [a for a, _ in page.error_summary()]
    assert anchors == ["f-email", "f-message"]
    page.axe()
    page.shot("chemnitz-barrierefreiheit-fehler")
    page.open("/sprache/ar?next=/chemnitz/barrierefreiheit")
    page.press("إرسال الملاحظات")
    assert [a for a, _ in page.error_summary()] == ["f-email", "f-message"]
    page.axe()
    page.shot("chemnitz-barrierefreiheit-fehler")
    page.open("/sprache/de?next=/chemnitz/barrierefreiheit")

    sender = f"{unique('leserin')}@example.org"
    message = f"Die Tabelle der Termine ist mit dem Screenreader schwer zu lesen ({unique('m')})."
    page.d.find_element(By.ID, "f-name").send_keys("Rita R.")
    page.d.find_element(By.ID, "f-email").send_keys(sender)
    page.d.find_element(By.ID, "f-page").send_keys("/chemnitz/termine")
    page.d.find_element(By.ID, "f-message").send_keys(message)
    page.press("Rückmeldung senden")
    assert "Ihre Rückmeldung ist bei der Koordinierungsstelle eingegangen" in page.text()
    page.axe()

    flow.settle()
    smtp = SmtpSink().start()
    w = worker_for("notifications", settings=settings.with_(smtp_url=smtp.url), tenants=tenants)
    w.db.open()
    try:
        nw.deliver(w, w.context("chemnitz"))
    finally:
        w.db.close()
        smtp.stop()
    office = tenants.get("chemnitz").rules["contact_point"]["email"]
    to_office = [m for m in smtp.to(office) if message in plain(m)]
    assert len(to_office) == 1
    assert "Rückmeldung zur Barrierefreiheit" in parsed(to_office[0])["Subject"]
    body = plain(to_office[0])
    assert sender in body and "Rita R." in body and "/chemnitz/termine" in body
    (receipt,) = smtp.to(sender)
    text = plain(receipt)
    assert "innerhalb von sechs Wochen" in text
    assert message not in text and "Rita" not in text  # the platform's text only
