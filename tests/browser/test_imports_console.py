"""The Einzug pages in real Chromium (issue 22, point 7): upload, mapping, preview filtered by
verdict, apply and undo with the keyboard; every step passes axe-core in German and English."""

from __future__ import annotations

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.test_admission import dev_login, logout
from tests.integration.test_imports import csv_bytes
from tests.support import unique


def test_import_steps_with_the_keyboard_pass_axe(page, tmp_path):
    tag = unique("browser")
    source = tmp_path / "partner.csv"
    source.write_bytes(
        csv_bytes(
            [
                ["Bezeichnung", "PLZ", "Notiz"],
                [f"Verein {tag}", "09111", "a"],
                [f"Zweiter Verein {tag}", "0911", "b"],
            ]
        )
    )
    dev_login(page, "coordinator")
    page.check("/chemnitz/console/einzug", "console-import-upload")
    page.start_from_skip_link()
    page.tab_to("import-kind")
    page.tab_to("import-file")
    page.d.find_element(By.ID, "import-file").send_keys(str(source))  # the file chooser's answer
    # real key presses from here (an element's send_keys on a file input names files)
    for _ in range(5):
        ActionChains(page.d).send_keys(Keys.TAB).perform()
        if page.d.switch_to.active_element.tag_name == "button":
            break
    assert page.d.switch_to.active_element.text == "Hochladen und Vorschau zeigen"
    with page.navigating():
        ActionChains(page.d).send_keys(Keys.ENTER).perform()
    assert "/chemnitz/console/einzug/" in page.path and "Keine Spalte für: Name" in page.text()
    preview = page.path
    page.check(preview, "console-import-preview")
    # the first column is the name: chosen with the keyboard in its list
    page.tab_to("column-0")
    page.keys(Keys.ARROW_DOWN)  # "ignorieren" → "Name"
    page.tab_to_button("Zuordnung übernehmen")
    page.enter()
    assert "Die Zuordnung ist geändert." in page.text() and "Keine Spalte" not in page.text()
    page.axe()
    page.check(f"{preview}?urteil=error", "console-import-errors")
    assert "Zeile 3, Spalte PLZ: 0911 ist keine Postleitzahl" in page.text()
    page.open(preview)
    page.tab_to_button("Import anwenden")
    page.enter()
    assert "Der Import ist angewendet." in page.text() and "angelegt: 1" in page.text()
    page.axe()
    page.shot("console-import-applied")
    page.tab_to_button("Import rückgängig machen")
    page.enter()
    assert "Der Import ist rückgängig gemacht." in page.text()
    page.check("/chemnitz/console/einzug", "console-import-log")
    logout(page)
