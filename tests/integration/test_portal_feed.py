"""The portal's "Meine Einladungen" page shows a body member the personal subscription link of
their body's calendar (webcal:// and https, with a short explanation, German and English); the
link, opened without a token as a calendar app does, answers the body's meetings."""

from __future__ import annotations

import html as markup
import re
from urllib.parse import urlsplit

from icalendar import Calendar

from tests.integration import test_portal_events as events_pages
from tests.integration.test_portal import page
from tests.integration.test_portal_events import BODY, CONSOLE, TENANT, login

# the events console's module fixtures: the services served, two Projektgruppe members, a meeting
portal = events_pages.portal
people = events_pages.people
coordinator = events_pages.coordinator
meeting = events_pages.meeting

FEED_PATH = f"/api/v1/{TENANT}/bodies/{BODY}/calendar.ics"


def links_on(html: str) -> tuple[str, str]:
    """The webcal and https addresses of the page's subscription list."""
    section = html.split('id="calendar-links"', 1)[1].split("</ul>", 1)[0]
    webcal = re.search(r'href="(webcal://[^"]+)"', section).group(1)
    https = re.search(r'href="(https?://[^"]+)"', section).group(1)
    return markup.unescape(webcal), markup.unescape(https)


def test_a_member_finds_the_subscription_link_and_it_opens_the_calendar(
    portal, people, meeting, clients
):
    member = login(portal, "member", people[0][0])
    html = page(member, f"{CONSOLE}/einladungen")
    assert "Sitzungen in Ihrem Kalender" in html and "Projektgruppe" in html
    assert "solange Sie Mitglied sind" in html
    webcal, https = links_on(html)
    assert webcal == "webcal://" + https.split("://", 1)[1]
    parts = urlsplit(https)
    assert parts.path == FEED_PATH and f"person={people[0][0]}" in parts.query
    resp = clients["events"].get(f"{parts.path}?{parts.query}")  # no Authorization header
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    uids = [str(v["UID"]) for v in Calendar.from_ical(resp.get_data(as_text=True)).walk("VEVENT")]
    assert any(uid.startswith(meeting) for uid in uids)
    forged = parts.query.rsplit("token=", 1)[0] + "token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    assert clients["events"].get(f"{parts.path}?{forged}").status_code == 403


def test_the_link_in_english_and_not_for_a_coordinator(portal, people):
    member = login(portal, "member", people[0][0])
    member.get(f"/sprache/en?next={CONSOLE}/")
    html = page(member, f"{CONSOLE}/einladungen")
    assert "Meetings in your calendar" in html and "Subscribe in your calendar (webcal)" in html
    assert "Sitzungen in Ihrem Kalender" not in html
    # a coordinator of no body gets no member link (the API refuses, the page leaves it out)
    html = page(login(portal, "coordinator"), f"{CONSOLE}/einladungen")
    assert 'id="calendar-links"' not in html
