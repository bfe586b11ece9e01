"""The console's events half over the four real services on loopback: the Koordinierungsstelle
plans a Magdeburg meeting (the body's rules and the API's warnings on the page), its agenda,
invitations (the unreachable listed), a time poll and the minutes; a member answers the invitation
and the poll and submits a topic; a guest answers with the mail's reply link."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from knotenpunkt.shared.links import REPLY_TO_INVITATION, invitation_subject, link_token
from tests.browser.live import csrf_token, portal_app, serve_services
from tests.integration.test_events import _events_db
from tests.integration.test_portal import page
from tests.integration.test_portal import post_form as post
from tests.support import unique

TENANT = "magdeburg"
BODY = "projektgruppe"
CONSOLE = f"/{TENANT}/console"


@pytest.fixture(scope="module")
def portal(apps, settings):
    servers = serve_services(apps)
    yield portal_app(servers, settings)
    for s in servers.values():
        s.stop()


@pytest.fixture(scope="module")
def people(set_body, settings):
    """Two members of the Projektgruppe (membership and events' copy): with and without address."""
    from knotenpunkt.services.events.store import copies

    names = [unique("Frau Amt"), unique("Herr Ohne")]
    ids = set_body(TENANT, BODY, names)
    db = _events_db(settings)
    try:
        with db.transaction(TENANT) as conn:
            for pid, name, email in zip(ids, names, (f"{ids[0]}@amt.example", None), strict=True):
                copies.upsert_body_member(
                    conn, TENANT, {"body": BODY, "person_id": pid, "name": name, "email": email}
                )
    finally:
        db.close()
    return list(zip(ids, names, strict=True))


def follow(web, resp, status=302) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)[:3000]
    return page(web, resp.headers["Location"])


def login(portal, role: str, person: str = ""):
    web = portal.test_client()
    resp = post(
        web,
        "/anmelden/entwicklung",
        {"tenant": TENANT, "role": role, "person": person},
        form_url=f"/anmelden/entwicklung?tenant={TENANT}",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return web


def next_weekday(weekday: int, weeks: int = 2) -> date:
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def plan(web, title: str, day: date, start: str, end: str):
    return post(
        web,
        f"{CONSOLE}/planung/neu",
        {
            "kind": "body_meeting",
            "body": BODY,
            "title": title,
            "date": day.isoformat(),
            "start": start,
            "end": end,
            "place": "Altes Rathaus",
        },
    )


def event_id_of(location: str) -> str:
    return re.search(r"/planung/([0-9a-f-]{36})", location).group(1)


@pytest.fixture(scope="module")
def coordinator(portal):
    return login(portal, "coordinator")


@pytest.fixture(scope="module")
def meeting(coordinator, people):
    """A Wednesday meeting at 13:00 for an hour, the Projektgruppe and a guest invited."""
    resp = plan(coordinator, unique("Sitzung Projektgruppe"), next_weekday(2), "13:00", "14:00")
    assert resp.status_code == 302
    eid = event_id_of(resp.headers["Location"])
    resp = post(
        coordinator,
        f"{CONSOLE}/planung/{eid}/einladungen",
        {"invite_body": "yes", "guests": "Gast e. V., gast@verein.example"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return eid


def test_planning_shows_the_bodys_rules_and_the_apis_warnings(coordinator):
    html = page(coordinator, f"{CONSOLE}/planung/neu")
    assert "Wochentag: Mittwoch" in html
    assert "Zeit: zwischen 13:00 und 15:30 Uhr" in html and "höchstens 60 Minuten" in html
    # a Monday morning: planned, with the rules it misses as warnings on the page
    resp = plan(coordinator, unique("Montagssitzung"), next_weekday(0), "10:00", "10:30")
    html = follow(coordinator, resp)
    assert "Der Termin ist angelegt." in html and 'id="warnings"' in html
    assert "Vorzuziehen ist: Mittwoch; geplant ist ein Montag." in html
    assert "Vorzuziehen ist die Zeit zwischen 13:00 und 15:30 Uhr." in html
    # longer than the body allows: refused with the API's sentence at the end field
    resp = plan(coordinator, unique("Zu lang"), next_weekday(2), "13:00", "14:30")
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert re.search(r'<a href="#f-end">[^<]*höchstens 60 Minuten; geplant sind 90', html)
    assert "<title>Fehler: Neuen Termin planen" in html
    resp = post(coordinator, f"{CONSOLE}/planung/neu", {"kind": "body_meeting", "title": "x"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert all(f'href="#f-{f}"' in html for f in ("title", "date", "start", "end"))


def test_editing_a_meeting_shows_the_effect_and_its_warnings(coordinator, meeting):
    html = page(coordinator, f"{CONSOLE}/planung/{meeting}")
    assert 'value="13:00"' in html and 'id="warnings"' not in html
    resp = post(
        coordinator,
        f"{CONSOLE}/planung/{meeting}",
        {
            "kind": "body_meeting",
            "body": BODY,
            "title": "Sitzung verschoben",
            "date": next_weekday(3).isoformat(),
            "start": "13:00",
            "end": "14:00",
        },
    )
    html = follow(coordinator, resp)
    assert "Die Änderungen sind gespeichert" in html and "Sitzung verschoben" in html
    assert "geplant ist ein Donnerstag" in html
    post(
        coordinator,
        f"{CONSOLE}/planung/{meeting}",
        {
            "kind": "body_meeting",
            "body": BODY,
            "title": "Sitzung Projektgruppe",
            "date": next_weekday(2).isoformat(),
            "start": "13:00",
            "end": "14:00",
        },
    )


def agenda_titles(html: str) -> list[str]:
    return re.findall(r'<span class="agenda-title" lang="de">([^<]+)</span>', html)


def test_agenda_items_are_added_reordered_removed_and_published(coordinator, meeting):
    url = f"{CONSOLE}/planung/{meeting}/tagesordnung"
    for title in ("Begrüßung", "Bericht der Verwaltung", "Verschiedenes"):
        resp = post(coordinator, url, {"op": "add", "item_title": title, "item_kind": "topic"})
        assert resp.status_code == 302
    assert agenda_titles(page(coordinator, url))[-3:] == [
        "Begrüßung",
        "Bericht der Verwaltung",
        "Verschiedenes",
    ]
    n = len(agenda_titles(page(coordinator, url)))
    html = follow(coordinator, post(coordinator, url, {"op": "up", "index": str(n - 1)}))
    assert agenda_titles(html)[-3:] == ["Begrüßung", "Verschiedenes", "Bericht der Verwaltung"]
    html = follow(coordinator, post(coordinator, url, {"op": "remove", "index": str(n - 3)}))
    assert agenda_titles(html)[-2:] == ["Verschiedenes", "Bericht der Verwaltung"]
    assert "Begrüßung" not in agenda_titles(html)
    bad = post(coordinator, url, {"op": "add", "item_title": "", "item_minutes": "viel"})
    assert bad.status_code == 422
    assert 'href="#f-item-title"' in bad.get_data(as_text=True)
    assert 'href="#f-item-minutes"' in bad.get_data(as_text=True)
    html = follow(coordinator, post(coordinator, url, {"op": "publish"}))
    assert "Die Tagesordnung ist veröffentlicht" in html and "wird übermittelt" in html
    assert "Veröffentlicht am" in html


def test_invitations_list_the_replies_and_who_cannot_be_reached(coordinator, meeting, people):
    url = f"{CONSOLE}/planung/{meeting}/einladungen"
    html = page(coordinator, url)
    unreachable = re.search(r'<ul id="unreachable">(.*?)</ul>', html, re.S).group(1)
    assert people[1][1] in unreachable and people[0][1] not in unreachable
    assert "Gast e. V." in html and "als Gast" in html and "als Mitglied: Projektgruppe" in html
    assert "noch keine Antwort: " in html
    # the event's older address leads the coordinator to planning it (members: test below)
    moved = coordinator.get(f"{CONSOLE}/termine/{meeting}")
    assert moved.status_code == 302 and moved.location.endswith(f"/console/planung/{meeting}")
    resp = post(coordinator, url, {"guests": "nur ein Name ohne Adresse"})
    assert resp.status_code == 422
    assert 'href="#f-guests"' in resp.get_data(as_text=True)
    resp = post(coordinator, url, {"invite_body": "", "guests": ""})
    assert resp.status_code == 422 and 'href="#f-whom"' in resp.get_data(as_text=True)


def test_a_member_replies_to_the_invitation_and_submits_a_topic(
    portal, coordinator, meeting, people
):
    member = login(portal, "member", people[0][0])
    # one RSVP page: the event's older address and the events list lead members to it
    moved = member.get(f"{CONSOLE}/termine/{meeting}")
    assert moved.status_code == 302 and moved.location.endswith(f"/console/einladungen/{meeting}")
    assert f"/console/einladungen/{meeting}" in page(member, f"{CONSOLE}/termine")
    assert member.post(f"{CONSOLE}/termine/{meeting}", data={"answer": "yes"}).status_code == 405
    html = page(member, f"{CONSOLE}/einladungen")
    assert f"/console/einladungen/{meeting}" in html and "Ihre Antwort fehlt noch." in html
    url = f"{CONSOLE}/einladungen/{meeting}"
    assert "Sie haben noch nicht geantwortet." in page(member, url)
    resp = post(member, url, {})
    assert resp.status_code == 422 and 'href="#f-answer"' in resp.get_data(as_text=True)
    html = follow(member, post(member, url, {"answer": "maybe"}))
    assert "Danke, Ihre Antwort ist gespeichert: Vielleicht." in html
    assert re.search(r"Ihre Antwort bisher: <strong>Vielleicht</strong>", html)
    html = follow(member, post(member, url, {"answer": "yes"}))
    assert re.search(r"Ihre Antwort bisher: <strong>Zusage</strong>", html)
    replies = page(coordinator, f"{CONSOLE}/planung/{meeting}/einladungen")
    assert re.search(rf"{re.escape(people[0][1])}</th><td>[^<]+</td><td>Zusage</td>", replies)

    topic = unique("Wohnungen für Geflüchtete")
    html = follow(member, post(member, f"{CONSOLE}/termine/{meeting}/thema", {"title": topic}))
    assert f"Ihr Thema „{topic}“ ist eingereicht." in html
    agenda_url = f"{CONSOLE}/planung/{meeting}/tagesordnung"
    html = page(coordinator, agenda_url)
    sub = re.search(
        rf'name="op" value="accept"><input type="hidden" name="submission" value="([^"]+)">'
        rf"\s*<button[^>]*>[^<]*<span[^>]*>: {re.escape(topic)}",
        html,
    )
    assert sub, html
    html = follow(
        coordinator, post(coordinator, agenda_url, {"op": "accept", "submission": sub.group(1)})
    )
    assert agenda_titles(html)[-1] == topic
    assert page(member, f"{CONSOLE}/planung/{meeting}", status=403)


def test_time_poll_answered_by_a_member_and_closed_into_a_meeting(portal, coordinator, people):
    start = next_weekday(2, weeks=3)
    resp = post(
        coordinator,
        f"{CONSOLE}/umfragen",
        {
            "body": BODY,
            "title": unique("Nächste Sitzung"),
            "from": start.isoformat(),
            "to": (start + timedelta(days=14)).isoformat(),
            "max_options": "3",
        },
    )
    html = follow(coordinator, resp)
    assert "Die Terminumfrage ist offen: 3 Termine" in html
    poll_url = resp.headers["Location"]
    member = login(portal, "member", people[0][0])
    assert poll_url.split("/")[-1] in page(member, f"{CONSOLE}/einladungen")
    form = page(member, poll_url)
    names = re.findall(r'name="(answer-[0-9a-f-]{36})" value="yes"', form)
    assert len(names) == 3
    html = follow(
        member, post(member, poll_url, {names[0]: "no", names[1]: "yes", names[2]: "maybe"})
    )
    assert "Danke, Ihre Antworten sind gespeichert." in html
    assert re.search(rf'name="{names[1]}" value="yes" checked', html)
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", html, re.S)
    mine = [re.findall(r"<td>([^<]*)</td>", row)[-1] for row in rows]
    assert mine == ["Passt nicht", "Passt", "Passt vielleicht"], mine
    assert page(member, f"{CONSOLE}/umfragen").count("Sie haben geantwortet.") >= 1
    empty = post(member, poll_url, {})
    assert empty.status_code == 422 and f'href="#f-{names[0]}"' in empty.get_data(as_text=True)
    closed = post(
        coordinator, poll_url.rstrip("/") + "/abschliessen", {"place": "Altes Rathaus"}, poll_url
    )
    html = follow(coordinator, closed)
    assert "Der Termin steht fest" in html and "Altes Rathaus" in html
    assert "/planung/" in closed.headers["Location"]


@pytest.fixture
def held_meeting(coordinator):
    """Last week's Wednesday meeting of the Projektgruppe (it has taken place)."""
    resp = plan(coordinator, unique("Sitzung Projektgruppe"), next_weekday(2, -1), "13:00", "14:00")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return event_id_of(resp.headers["Location"])


def test_minutes_are_drafted_approved_and_published(coordinator, meeting, held_meeting, people):
    # a meeting still ahead: its minutes may be drafted, not approved
    early = f"{CONSOLE}/planung/{meeting}/protokoll"
    follow(coordinator, post(coordinator, early, {"op": "save", "attendees": "Vorab"}))
    html = follow(coordinator, post(coordinator, early, {"op": "approve", "bestaetigt": "ja"}))
    assert "noch nicht stattgefunden" in html and 'id="minutes-status">Entwurf<' in html
    url = f"{CONSOLE}/planung/{held_meeting}/protokoll"
    html = page(coordinator, url)
    assert 'id="minutes-status">Entwurf<' in html
    attendees = f"{people[0][1]}\nGast e. V.\nVerein Nord"
    resp = post(
        coordinator,
        url,
        {"op": "save", "attendees": attendees, "taken_by": "Anna Schreiber"},
    )
    html = follow(coordinator, resp)
    assert "Der Entwurf des Protokolls ist gespeichert." in html and "Gast e. V." in html
    # a decision by show of hands, with a dissenting opinion; counts that do not add up refused
    hand = {
        "op": "add_hand",
        "hand_title": "Empfehlung Sprachcafé",
        "hand_outcome": "adopted",
        "hand_yes_count": "2",
        "hand_no_count": "1",
        "hand_abstain_count": "0",
        "hand_no": "Verein Nord: Zu teuer",
    }
    refused = post(coordinator, url, {**hand, "hand_yes_count": "9"})
    assert refused.status_code == 422
    assert "Anwesende: die Zählung geht nicht auf" in refused.get_data(as_text=True)
    html = follow(coordinator, post(coordinator, url, hand))
    assert "Der Beschluss ist ins Protokoll eingetragen." in html
    assert "Empfehlung Sprachcafé" in html and "(per Handzeichen)" in html and "Zu teuer" in html
    # saving the draft again keeps the decision taken by hand
    resp = post(
        coordinator, url, {"op": "save", "attendees": attendees, "taken_by": "Anna Schreiber"}
    )
    assert "Empfehlung Sprachcafé" in follow(coordinator, resp)
    # approving asks first and changes nothing until confirmed
    confirm = post(coordinator, url, {"op": "approve"})
    assert confirm.status_code == 200 and "Protokoll genehmigen?" in confirm.get_data(True)
    assert 'id="minutes-status">Entwurf<' in page(coordinator, url)
    html = follow(coordinator, post(coordinator, url, {"op": "approve", "bestaetigt": "ja"}))
    assert 'id="minutes-status">genehmigt<' in html and "Entwurf schreiben" not in html
    assert "Genehmigt am " in html and "Anna Schreiber" in html
    html = follow(coordinator, post(coordinator, url, {"op": "publish"}))
    assert 'id="minutes-status">veröffentlicht<' in html and "wird übermittelt" in html
    printable = re.search(r'href="(/magdeburg/protokolle/[0-9a-f-]{36})"', html).group(1)
    assert "Gast e. V." in page(coordinator, printable)
    html = follow(coordinator, post(coordinator, url, {"op": "approve", "bestaetigt": "ja"}, url))
    assert "Das Protokoll ist veröffentlicht; als Nächstes kommt nichts mehr." in html


def test_a_guest_answers_with_the_reply_link(portal, coordinator, meeting, settings):
    web = portal.test_client()
    email = "gast@verein.example"
    subject = invitation_subject(meeting, email)
    tok = link_token(settings.link_secret, REPLY_TO_INVITATION, TENANT, subject)
    url = f"/{TENANT}/antwort/{meeting}?email={email}&token={tok}"
    html = page(web, url)
    assert "Guten Tag Gast e. V." in html and "Sie haben noch nicht geantwortet." in html
    resp = web.post(
        f"/{TENANT}/antwort/{meeting}",
        data={"csrf_token": csrf_token(html), "email": email, "token": tok, "answer": "no"},
    )
    html = follow(web, resp)
    assert "Danke, Ihre Antwort ist gespeichert: Absage." in html
    assert re.search(r"Ihre Antwort bisher: <strong>Absage</strong>", html)
    html = page(web, f"/{TENANT}/antwort/{meeting}?email={email}&token=falsch-falsch", status=403)
    assert "Antwortlink ungültig" in html
    replies = page(coordinator, f"{CONSOLE}/planung/{meeting}/einladungen")
    assert re.search(r"Gast e\. V\.</th><td>als Gast</td><td>Absage</td>", replies)


def test_english_pages_of_the_events_console(portal, meeting):
    web = login(portal, "coordinator")
    web.get(f"/sprache/en?next={CONSOLE}/")
    html = page(web, f"{CONSOLE}/planung/{meeting}/einladungen")
    assert '<html lang="en"' in html and "Not reachable" in html
    assert "Send invitations" in html and "as a member: Projektgruppe" in html
    assert "Einladungen senden" not in html
    html = page(web, f"{CONSOLE}/planung/neu")
    assert "Weekday: Wednesday" in html and "at most 60 minutes" in html


def test_a_working_group_is_offered_and_the_apis_refusal_shown_at_its_field(
    coordinator, meeting, clients, token
):
    name = unique("AG Wohnen")
    group = clients["membership"].post(
        f"/api/v1/{TENANT}/working-groups",
        json={"name": name},
        headers=token(TENANT, "coordinator"),
    )
    assert group.status_code == 201, group.get_json()
    url = f"{CONSOLE}/planung/{meeting}/einladungen"
    assert f'<option value="{group.get_json()["id"]}">{name}</option>' in page(coordinator, url)
    resp = post(coordinator, url, {"working_group_id": group.get_json()["id"]})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert (
        '<a href="#f-working-group-id">Diese Arbeitsgruppe hat (noch) keine Mitglieder.</a>' in html
    )
    resp = post(coordinator, url, {"working_group_id": "keine-von-hier"})
    assert resp.status_code == 422 and 'href="#f-working-group-id"' in resp.get_data(as_text=True)
