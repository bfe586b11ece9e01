"""The personal subscription link of a body's calendar (issue 12): a member gets it with their
token; a calendar app opens it without one (the link's HMAC over person, body and network);
a forged link, a link of someone no longer a member, an unknown body are refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from knotenpunkt.services.events.store import copies
from knotenpunkt.shared.links import SUBSCRIBE_BODY_CALENDAR, calendar_subject, link_token
from tests.integration.test_events import _events_db, at
from tests.support import unique

TENANT = "mittelsachsen"
BODY = "arbeitskreis-bildung-arbeit"
FEED = f"/api/v1/{TENANT}/bodies/{BODY}/calendar.ics"


@pytest.fixture(scope="module")
def events_db(settings):
    db = _events_db(settings)
    yield db
    db.close()


@pytest.fixture
def member(events_db):
    """A member of the body in events' copy (removed again afterwards)."""
    person = unique("feed-person")
    with events_db.transaction(TENANT) as conn:
        copies.upsert_body_member(
            conn, TENANT, {"body": BODY, "person_id": person, "name": unique("Frau Abo")}
        )
    yield person
    with events_db.transaction(TENANT) as conn:
        copies.remove_body_member(conn, BODY, person)


@pytest.fixture(scope="module")
def meeting(clients, token):
    """A non-public meeting of the body (in its calendar, not in the network's public one)."""
    s, e = at(6, hour=10, length=90)
    title = unique("Arbeitskreis Abo-Test")
    resp = clients["events"].post(
        f"/api/v1/{TENANT}/events",
        json={"kind": "body_meeting", "body": BODY, "title": title, "starts_at": s, "ends_at": e},
        headers=token(TENANT, "coordinator"),
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def feed_link(clients, token, person: str) -> dict:
    resp = clients["events"].get(
        f"/api/v1/{TENANT}/bodies/{BODY}/calendar-link",
        headers=token(TENANT, "member", sub=person, bodies=[BODY]),
    )
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def open_link(client, url: str):
    """GET the link as a calendar app does: no Authorization header."""
    parts = urlsplit(url)
    return client.get(parts.path, query_string=parse_qs(parts.query))


def test_a_member_subscribes_with_the_personal_link(clients, token, member, meeting, settings):
    link = feed_link(clients, token, member)
    assert link["url"].startswith(f"{settings.public_url}{FEED}?")
    assert link["webcal"] == "webcal://" + link["url"].split("://", 1)[1]
    assert parse_qs(urlsplit(link["url"]).query)["person"] == [member]
    resp = open_link(clients["events"], link["url"])
    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    cal = Calendar.from_ical(resp.get_data(as_text=True))
    uids = {str(v["UID"]).split("@")[0]: str(v["SUMMARY"]) for v in cal.walk("VEVENT")}
    assert any(uid.startswith(meeting["id"]) for uid in uids), uids
    assert meeting["title"] in uids.values()
    # not a public event: the network's public calendar does not show it
    public = Calendar.from_ical(
        clients["events"].get(f"/api/v1/{TENANT}/calendar.ics").get_data(as_text=True)
    )
    assert meeting["title"] not in {str(v["SUMMARY"]) for v in public.walk("VEVENT")}


def _refused(resp, status: int, words: str) -> None:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    assert words in resp.get_json()["detail"]


def test_a_forged_or_foreign_link_is_refused(clients, token, member, settings):
    c = clients["events"]
    good = link_token(
        settings.link_secret, SUBSCRIBE_BODY_CALENDAR, TENANT, calendar_subject(member, BODY)
    )
    forged = link_token("not-the-secret" * 4, SUBSCRIBE_BODY_CALENDAR, TENANT, member + "|" + BODY)
    _refused(c.get(FEED, query_string={"person": member, "token": forged}), 403, "ungültig")
    # another member's person id with this member's token
    _refused(c.get(FEED, query_string={"person": "someone-else", "token": good}), 403, "ungültig")
    # the same person's token for another network's body of the same key
    other = link_token(
        settings.link_secret, SUBSCRIBE_BODY_CALENDAR, "chemnitz", calendar_subject(member, BODY)
    )
    _refused(c.get(FEED, query_string={"person": member, "token": other}), 403, "ungültig")
    _refused(c.get(FEED), 403, "Abonnement-Link")
    # a partner's token is no body role: it needs the link too
    partner = token(TENANT, "partner", partner_id="00000000-0000-0000-0000-000000000001")
    _refused(c.get(FEED, headers=partner), 403, "Abonnement-Link")
    assert c.get(FEED, query_string={"person": member, "token": good}).status_code == 200
    assert c.get(FEED, query_string={"person": member, "token": "x"}).status_code == 422


def test_the_link_ends_with_the_membership(clients, token, member, events_db):
    link = feed_link(clients, token, member)
    assert open_link(clients["events"], link["url"]).status_code == 200
    with events_db.transaction(TENANT) as conn:
        copies.remove_body_member(conn, BODY, member)
    _refused(open_link(clients["events"], link["url"]), 403, "Mitglied")
    # and no new link for them either
    resp = clients["events"].get(
        f"/api/v1/{TENANT}/bodies/{BODY}/calendar-link",
        headers=token(TENANT, "member", sub=member, bodies=[BODY]),
    )
    _refused(resp, 403, "Mitglieder")


def test_unknown_body_and_roles(clients, token, member, settings):
    c = clients["events"]
    unknown = f"/api/v1/{TENANT}/bodies/gibt-es-nicht/calendar.ics"
    tok = link_token(
        settings.link_secret,
        SUBSCRIBE_BODY_CALENDAR,
        TENANT,
        calendar_subject(member, "gibt-es-nicht"),
    )
    assert c.get(unknown, query_string={"person": member, "token": tok}).status_code == 404
    member_token = token(TENANT, "member", sub=member, bodies=[BODY])
    assert (
        c.get(
            f"/api/v1/{TENANT}/bodies/gibt-es-nicht/calendar-link", headers=member_token
        ).status_code
        == 404
    )
    # a coordinator reads the calendar with the token, as before, but has no member link
    coord = token(TENANT, "coordinator")
    assert c.get(FEED, headers=coord).status_code == 200
    assert c.get(f"/api/v1/{TENANT}/bodies/{BODY}/calendar-link", headers=coord).status_code == 403
    assert c.get(f"/api/v1/{TENANT}/bodies/{BODY}/calendar-link").status_code == 401
