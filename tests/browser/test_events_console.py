"""A Magdeburg meeting in the browser: the Koordinierungsstelle plans it (the Projektgruppe's rules
and the API's warning on the page), sets and publishes the agenda, invites the body and a guest,
opens a time poll; a member replies to the invitation with the keyboard only (RSVP) and answers
the poll; the coordinator sees the reply, closes the poll into a meeting and takes the minutes
from draft to published; the guest answers with the mail's reply link. Every page passes axe-core
(WCAG 2.1 AA) and is photographed in German and English."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote, urlencode

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from knotenpunkt.shared.links import REPLY_TO_INVITATION, invitation_subject, link_token
from tests.support import unique

TENANT = "magdeburg"
BODY = "projektgruppe"
CONSOLE = f"/{TENANT}/console"
GUEST = "gaeste@verein.example"


def dev_login(page, role: str, person: str = "") -> None:
    page.open(f"/anmelden/entwicklung?tenant={TENANT}")
    page.d.find_element(By.CSS_SELECTOR, f"input[name=role][value={role}]").click()
    Select(page.d.find_element(By.ID, "f-person")).select_by_value(person)
    page.click(page.d.find_element(By.CSS_SELECTOR, "form[method=post] button[type=submit]"))
    assert f"/{TENANT}/console/" in page.d.current_url, page.text()


def logout(page) -> None:
    page.click(page.d.find_element(By.CSS_SELECTOR, ".account button"))


def set_value(page, element_id: str, value: str) -> None:
    """Date and time fields: the value as the browser keeps it (ISO), whatever the locale shows."""
    page.d.execute_script(
        "document.getElementById(arguments[0]).value = arguments[1];", element_id, value
    )


def type_into(page, element_id: str, text: str) -> None:
    field = page.d.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def held(settings, event_id: str) -> None:
    """The meeting has taken place: moved to the hours before now (what three weeks would do)."""
    from tests.integration.test_events import _events_db

    db = _events_db(settings)
    try:
        with db.transaction(TENANT) as conn:
            conn.execute(
                "update events set starts_at = now() - interval '2 hours',"
                " ends_at = now() - interval '1 hour' where id = %s",
                (event_id,),
            )
    finally:
        db.close()


def wednesday(weeks: int) -> date:
    today = date.today()
    return today + timedelta(days=(2 - today.weekday()) % 7 + 7 * weeks)


def both_languages(page, path: str, name: str) -> None:
    """axe and screenshots in German and English for a page whose address has a query."""
    page.open(path)
    page.axe()
    page.shot(name)
    page.open(f"/sprache/en?next={quote(path, safe='')}")
    assert page.d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    page.axe()
    page.shot(name)
    page.open(f"/sprache/de?next={quote(path, safe='')}")


def reply_by_keyboard(page, path: str) -> None:
    """The RSVP with TAB, SPACE and ENTER only: first without an answer, then „Ich komme“."""
    page.open(path)
    page.wait_loaded()
    page.start_from_skip_link()
    page.tab_to_button("Antwort senden")
    page.enter()
    assert page.error_summary() == [
        ("f-answer", "Bitte wählen Sie Ihre Antwort: zusagen, absagen oder vielleicht.")
    ]
    assert page.d.title.startswith("Fehler:")
    page.axe()
    page.shot("console-invitation-reply-errors")
    page.start_from_skip_link()
    page.tab_to("f-answer")  # the radio group: SPACE chooses the first, arrows move within it
    page.keys(Keys.SPACE)
    page.keys(Keys.ARROW_DOWN)  # „Ich komme nicht“
    page.keys(Keys.ARROW_UP)  # back to „Ich komme“
    assert page.d.find_element(By.ID, "f-answer").is_selected()
    page.tab_to_button("Antwort senden")
    page.enter()
    assert "Danke, Ihre Antwort ist gespeichert: Zusage." in page.text()
    assert page.d.find_element(By.ID, "my-answer").text == "Ihre Antwort bisher: Zusage"


def test_a_meeting_planned_answered_and_minuted_in_the_browser(page, flow, set_body, settings):
    people = set_body(TENANT, BODY, ["Frau Becker", "Herr Yıldız"], emails=True)
    flow.settle()
    title = unique("Sitzung der Projektgruppe")
    day = wednesday(3)

    # 1. the Koordinierungsstelle plans a meeting: the body's rules on the page, the warning after
    dev_login(page, "coordinator")
    page.check(f"{CONSOLE}/planung", "console-events-planning")
    page.check(f"{CONSOLE}/planung/neu", "console-event-new")
    Select(page.d.find_element(By.ID, "f-kind")).select_by_value("body_meeting")
    Select(page.d.find_element(By.ID, "f-body")).select_by_value(BODY)
    type_into(page, "f-title", title)
    set_value(page, "f-date", day.isoformat())
    set_value(page, "f-start", "10:00")
    set_value(page, "f-end", "10:45")
    type_into(page, "f-place", "Altes Rathaus, Raum 2")
    assert "Zeit: zwischen 13:00 und 15:30 Uhr" in page.text()
    page.press("Termin anlegen")
    assert "Der Termin ist angelegt." in page.text(), page.text()
    event_path = page.path
    warnings = page.d.find_element(By.ID, "warnings").text
    assert "Vorzuziehen ist die Zeit zwischen 13:00 und 15:30 Uhr." in warnings
    page.check(event_path, "console-event-warnings")
    set_value(page, "f-start", "13:00")
    set_value(page, "f-end", "14:00")
    page.press("Termin speichern")
    assert "Die Änderungen sind gespeichert" in page.text()
    assert not page.d.find_elements(By.ID, "warnings")
    event_id = event_path.rstrip("/").split("/")[-1]

    # 2. the agenda: two items, the second moved up, published
    agenda_path = f"{event_path}/tagesordnung"
    page.check(agenda_path, "console-agenda-empty")
    for item in ("Bericht der Verwaltung", "Begrüßung"):
        type_into(page, "f-item-title", item)
        page.press("Punkt hinzufügen")
        assert "Der Punkt ist auf der Tagesordnung." in page.text()
    page.click(page.d.find_element(By.XPATH, "//button[normalize-space()='Nach oben: Begrüßung']"))
    order = [e.text for e in page.d.find_elements(By.CSS_SELECTOR, "#agenda .agenda-title")]
    assert order == ["Begrüßung", "Bericht der Verwaltung"], order
    page.press("Tagesordnung veröffentlichen")
    assert "wird übermittelt" in page.text()
    page.check(agenda_path, "console-agenda")

    # 3. invitations: the body (checked by default) and a guest; the mails are on their way
    invitations_path = f"{event_path}/einladungen"
    page.check(invitations_path, "console-invitations-empty")
    type_into(page, "f-guests", f"Gäste e. V., {GUEST}")
    page.press("Einladungen senden")
    assert "Eingeladen sind 3. Die E-Mails werden übermittelt …" in page.text(), page.text()
    page.axe()

    # 4. a time poll for the next meeting, its dates from the body's rules
    page.check(f"{CONSOLE}/umfragen", "console-polls")
    Select(page.d.find_element(By.ID, "f-body")).select_by_value(BODY)
    type_into(page, "f-title", unique("Nächste Sitzung"))
    set_value(page, "f-from", wednesday(6).isoformat())
    set_value(page, "f-to", (wednesday(6) + timedelta(days=14)).isoformat())
    type_into(page, "f-max-options", "3")
    page.press("Umfrage eröffnen")
    assert "Die Terminumfrage ist offen: 3 Termine" in page.text(), page.text()
    poll_path = page.path
    page.check(poll_path, "console-poll-coordinator")
    logout(page)

    # 5. a member: my invitations, the RSVP keyboard only, the poll answered, a topic submitted
    dev_login(page, "member", people[0])
    page.check(f"{CONSOLE}/einladungen", "console-my-invitations")
    assert title in page.text() and "Ihre Antwort fehlt noch." in page.text()
    reply_path = f"{CONSOLE}/einladungen/{event_id}"
    page.check(reply_path, "console-invitation-reply")
    page.open(f"/sprache/ar?next={reply_path}")  # right to left, German where Arabic is missing
    html = page.d.find_element(By.TAG_NAME, "html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    assert "ردك" in page.text()
    page.axe()
    page.shot("console-invitation-reply")
    page.open(f"/sprache/de?next={reply_path}")
    reply_by_keyboard(page, reply_path)
    page.axe()
    page.shot("console-invitation-replied")
    page.open(poll_path)
    page.wait_loaded()
    radios = page.d.find_elements(By.CSS_SELECTOR, "input[type=radio][value=yes]")
    assert len(radios) == 3
    for radio, answer in zip(radios, ("no", "yes", "maybe"), strict=True):
        name = radio.get_attribute("name")
        page.d.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value={answer}]").click()
    page.press("Antworten speichern")
    assert "Danke, Ihre Antworten sind gespeichert." in page.text()
    page.check(poll_path, "console-poll-member")
    page.check(f"{CONSOLE}/termine/{event_id}/thema", "console-topic")
    type_into(page, "f-title", "Dolmetscher für Elterngespräche")
    page.press("Thema einreichen")
    assert "ist eingereicht" in page.text()
    logout(page)

    # 6. the coordinator sees the reply, closes the poll, takes the minutes to published
    dev_login(page, "coordinator")
    page.open(invitations_path)
    row = page.d.find_element(By.XPATH, "//tr[th[normalize-space()='Frau Becker']]")
    assert "Zusage" in row.text, row.text
    page.check(invitations_path, "console-invitations")
    page.open(poll_path)
    type_into(page, "f-place", "Altes Rathaus")
    page.press("Umfrage abschließen und Sitzung anlegen")
    assert "Der Termin steht fest" in page.text()
    page.axe()
    minutes_path = f"{event_path}/protokoll"
    page.check(minutes_path, "console-minutes-draft")
    type_into(page, "f-note-1", "Begrüßung durch die Koordinierungsstelle.")
    page.press("Entwurf speichern")
    assert "Der Entwurf des Protokolls ist gespeichert." in page.text()
    assert "Frau Becker" in page.d.find_element(By.ID, "f-attendees").get_attribute("value")
    # approving asks first, and only once the meeting has taken place (three weeks on)
    page.press("Protokoll genehmigen …")
    assert "Protokoll genehmigen?" in page.text()
    page.axe()
    page.press("Ja, Protokoll genehmigen")
    assert "noch nicht stattgefunden" in page.text()
    assert page.d.find_element(By.ID, "minutes-status").text == "Entwurf"
    held(settings, event_path.rstrip("/").rsplit("/", 1)[-1])
    page.press("Protokoll genehmigen …")
    page.press("Ja, Protokoll genehmigen")
    assert page.d.find_element(By.ID, "minutes-status").text == "genehmigt"
    page.press("Protokoll veröffentlichen")
    assert page.d.find_element(By.ID, "minutes-status").text == "veröffentlicht"
    assert "wird übermittelt" in page.text()
    page.check(minutes_path, "console-minutes-published")
    logout(page)

    # 7. the guest answers with the reply link of the mail, without login
    subject = invitation_subject(event_id, GUEST)
    token = link_token(settings.link_secret, REPLY_TO_INVITATION, TENANT, subject)
    link = f"/{TENANT}/antwort/{event_id}?{urlencode({'email': GUEST, 'token': token})}"
    both_languages(page, link, "invitation-reply-link")
    page.open(link)
    page.d.find_element(By.CSS_SELECTOR, "input[name=answer][value=maybe]").click()
    page.press("Antwort senden")
    assert page.d.find_element(By.ID, "my-answer").text == "Ihre Antwort bisher: Vielleicht"
    page.axe()
    page.check(
        f"/{TENANT}/antwort/{event_id}?email={GUEST}&token=falsch",
        "invitation-link-invalid",
        english=False,
    )
