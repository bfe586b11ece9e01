"""Browser tests in real Chromium (Debian's chromium and chromium-driver, driven by Selenium).

The four services and the portal are served over HTTP on loopback ports; the
workers run through the end-to-end Flow (module scope, so that only one set of
consumers exists at a time). Every page visited is checked with axe-core
(vendor/axe.min.js, WCAG 2.1 A and AA tags) and photographed in German and
English under var/test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.live import Served, portal_app, serve_services
from tests.support import Clock

VENDOR = Path(__file__).resolve().parent / "vendor"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError(
        f"none of {', '.join(names)} found: install Debian's chromium and chromium-driver "
        "(make test does it through deploy/test-infra.sh)"
    )


@pytest.fixture(scope="module")
def flow(settings, tenants, apps):
    from tests.e2e.conftest import Flow

    f = Flow(settings, tenants)
    f.settle()
    yield f
    f.close()


@pytest.fixture
def clock(flow):
    """One clock for every worker of the flow, moved by the test (the web apps keep theirs)."""
    clock = Clock()
    before = {service: w.clock for service, w in flow.workers.items()}
    for w in flow.workers.values():
        w.clock = clock
    yield clock
    for service, w in flow.workers.items():
        w.clock = before[service]


@pytest.fixture(scope="module")
def portal_url(apps, settings):
    served = serve_services(apps)
    portal = Served(portal_app(served, settings))
    yield portal.url
    portal.stop()
    for s in served.values():
        s.stop()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = _binary("chromium", "chromium-browser", "google-chrome")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1000",
        "--lang=de-DE",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(
        options=options, service=Service(_binary("chromedriver", "chromium-driver"))
    )
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def replaced(element) -> bool:
    """Whether the element's document has gone (the next page replaced it). Chromium says so
    either as a stale element or as a node that "does not belong to the document"."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


class Page:
    """The browser with the checks every page gets: axe, title, screenshots in German and English."""

    def __init__(self, driver, base: str):
        self.d = driver
        self.base = base
        self.axe_source = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
        self.visited: list[str] = []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def url(self, path: str) -> str:
        return self.base + path

    def open(self, path: str) -> None:
        self.d.get(self.url(path))

    def wait_loaded(self) -> None:
        """Until the document has loaded completely."""
        WebDriverWait(self.d, 15).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    @property
    def path(self) -> str:
        return self.d.current_url.removeprefix(self.base)

    def text(self) -> str:
        return self.d.find_element(By.TAG_NAME, "main").text

    def violations(self) -> list[dict]:
        """axe-core's violations at WCAG 2.1 A and AA on the page as it stands."""
        self.d.execute_script(self.axe_source)
        result = self.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
            ".then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' '))})))))"
            ".catch(e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));",
            AXE_TAGS,
        )
        return json.loads(result)

    def axe(self) -> None:
        """Zero axe violations, a title naming the place, one h1 and no skipped heading level."""
        violations = self.violations()
        assert violations == [], f"{self.path}: {violations}"
        title = self.d.title
        assert title and "Knotenpunkt" in title, title
        headings = [
            int(h.tag_name[1]) for h in self.d.find_elements(By.CSS_SELECTOR, "h1,h2,h3,h4")
        ]
        assert headings and headings[0] == 1 and headings.count(1) == 1, (self.path, headings)
        assert all(b - a <= 1 for a, b in zip(headings, headings[1:], strict=False)), (
            self.path,
            headings,
        )
        self.visited.append(self.path)

    def shot(self, name: str) -> None:
        lang = self.d.find_element(By.TAG_NAME, "html").get_attribute("lang")
        self.d.save_screenshot(str(ARTIFACTS / f"{name}-{lang}.png"))

    def check(self, path: str, name: str, *, english: bool = True, arabic: bool = False) -> None:
        """Open a page, check it, photograph it; then the same in English (and in Arabic, right
        to left, when asked), and back to German."""
        self.open(path)
        self.axe()
        self.shot(name)
        here = self.path
        for code in (["en"] if english else []) + (["ar"] if arabic else []):
            self.open(f"/sprache/{code}?next={here}")
            html = self.d.find_element(By.TAG_NAME, "html")
            assert html.get_attribute("lang") == code
            assert html.get_attribute("dir") == ("rtl" if code == "ar" else "ltr")
            self.axe()
            self.shot(name)
        if english or arabic:
            self.open(f"/sprache/de?next={here}")

    def navigating(self):
        """A context in which the page is left: waits until the next page has replaced it."""
        page = self

        class Leaving:
            def __enter__(self):
                self.old = page.d.find_element(By.TAG_NAME, "html")

            def __exit__(self, *exc):
                if exc[0] is None:
                    WebDriverWait(page.d, 15).until(lambda _: replaced(self.old))

        return Leaving()

    def click(self, element) -> None:
        with self.navigating():
            element.click()

    def press(self, button_text: str) -> None:
        """Click the button with this text and wait for the next page.

        Chromium may still be settling the page it just loaded (a node of the old document
        answers "does not belong to the document"): then the button is found again, up to
        three times; the click itself has not happened in that case.
        """
        xpath = f"//button[normalize-space()='{button_text}']"
        for attempt in range(3):
            try:
                self.click(self.d.find_element(By.XPATH, xpath))
                return
            except (StaleElementReferenceException, WebDriverException) as exc:
                settling = isinstance(exc, StaleElementReferenceException) or (
                    "does not belong to the document" in str(exc)
                )
                if not settling or attempt == 2:
                    raise
                WebDriverWait(self.d, 5).until(
                    lambda d: d.execute_script("return document.readyState") == "complete"
                )

    # --- keyboard only ---------------------------------------------------------------

    def keys(self, *keys) -> None:
        self.d.switch_to.active_element.send_keys(*keys)

    def active_id(self) -> str:
        return self.d.switch_to.active_element.get_attribute("id") or ""

    def tab_to(self, element_id: str, limit: int = 80) -> None:
        """TAB until the field has the focus (keys only, no clicks)."""
        for _ in range(limit):
            if self.active_id() == element_id:
                return
            self.keys(Keys.TAB)
        raise AssertionError(f"{element_id} not reached with TAB")

    def tab_to_button(self, text: str, limit: int = 80) -> None:
        for _ in range(limit):
            el = self.d.switch_to.active_element
            if el.tag_name == "button" and el.text.strip() == text:
                return
            self.keys(Keys.TAB)
        raise AssertionError(f"button {text!r} not reached with TAB")

    def enter(self) -> None:
        """ENTER on the focused button; waits for the next page."""
        with self.navigating():
            self.keys(Keys.ENTER)

    def start_from_skip_link(self) -> None:
        """The first TAB lands on the skip link; ENTER moves the focus to the main content."""
        self.d.find_element(By.TAG_NAME, "body")
        self.keys(Keys.TAB)
        active = self.d.switch_to.active_element
        assert active.get_attribute("class") == "skip-link", active.get_attribute("outerHTML")
        assert active.value_of_css_property("outline-style") != "none"  # visible focus
        self.keys(Keys.ENTER)

    def error_summary(self) -> list[tuple[str, str]]:
        """(link target, text) of the error summary's entries."""
        summary = self.d.find_element(By.CSS_SELECTOR, ".error-summary")
        return [
            (a.get_attribute("href").split("#")[-1], a.text)
            for a in summary.find_elements(By.TAG_NAME, "a")
        ]


@pytest.fixture
def page(browser, portal_url):
    browser.delete_all_cookies()
    return Page(browser, portal_url)
