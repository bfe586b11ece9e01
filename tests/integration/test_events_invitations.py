"""The events API for the portal's console: my invitations (invited=me with my answer), who an
invitation cannot reach, the reply link of the invitation mail, and the list of time polls with
one's own answers; against real PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from knotenpunkt.shared.links import REPLY_TO_INVITATION, invitation_subject, link_token
from tests.integration.test_events import _events_db, at
from tests.support import unique

BODY = "projektgruppe"


@pytest.fixture
def members(settings):
    """Two members of Magdeburg's Projektgruppe in events' copy: one with, one without address."""
    from knotenpunkt.services.events.store import copies

    people = [unique("amt"), unique("amt")]
    db = _events_db(settings)
    try:
        with db.transaction("magdeburg") as conn:
            for pid, email in zip(people, (f"{people[0]}@amt.example", None), strict=True):
                copies.upsert_body_member(
                    conn,
                    "magdeburg",
                    {"body": BODY, "person_id": pid, "name": f"Frau {pid}", "email": email},
                )
    finally:
        db.close()
    return people


def meeting(c, coord, title: str) -> str:
    s, e = at(5)
    resp = c.post(
        "/api/v1/magdeburg/events",
        json={"kind": "body_meeting", "body": BODY, "title": title, "starts_at": s, "ends_at": e},
        headers=coord,
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_my_invitations_with_my_answer_and_the_unreachable(clients, token, members):
    c = clients["events"]
    coord = token("magdeburg", "coordinator")
    title = unique("Sitzung Projektgruppe")
    eid = meeting(c, coord, title)
    other = meeting(c, coord, unique("Nicht eingeladen"))
    invited = c.post(
        f"/api/v1/magdeburg/events/{eid}/invitations", json={"body": BODY}, headers=coord
    )
    assert invited.status_code == 201
    mine = {i["invitee"]: i for i in invited.get_json() if i["invitee"] in members}
    assert mine[members[0]]["reachable"] is True and mine[members[1]]["reachable"] is False
    listed = c.get(f"/api/v1/magdeburg/events/{eid}/invitations", headers=coord).get_json()
    unreachable = [i["name"] for i in listed if not i["reachable"]]
    assert f"Frau {members[1]}" in unreachable and f"Frau {members[0]}" not in unreachable

    me = token("magdeburg", "member", sub=members[0], bodies=[BODY])
    page = c.get("/api/v1/magdeburg/events?invited=me&page_size=200", headers=me)
    assert page.status_code == 200
    ids = [e["id"] for e in page.get_json()]
    assert eid in ids and other not in ids
    assert int(page.headers["X-Total-Count"]) == len(ids)
    row = next(e for e in page.get_json() if e["id"] == eid)
    assert row["invited"] is True and row["my_answer"] is None and row["title"] == title

    assert (
        c.post(
            f"/api/v1/magdeburg/events/{eid}/replies", json={"answer": "maybe"}, headers=me
        ).status_code
        == 200
    )
    row = next(
        e
        for e in c.get("/api/v1/magdeburg/events?invited=me", headers=me).get_json()
        if e["id"] == eid
    )
    assert row["my_answer"] == "maybe"
    shown = c.get(f"/api/v1/magdeburg/events/{eid}", headers=me).get_json()
    assert (shown["invited"], shown["my_answer"]) == (True, "maybe")
    outsider = c.get(f"/api/v1/magdeburg/events/{other}", headers=me).get_json()
    assert (outsider["invited"], outsider["my_answer"]) == (False, None)

    anonymous = c.get("/api/v1/magdeburg/events?invited=me")
    assert anonymous.status_code == 401 and "Anmeldung" in anonymous.get_json()["detail"]
    wrong = c.get("/api/v1/magdeburg/events?invited=you", headers=me)
    assert wrong.status_code == 422 and "query.invited" in wrong.get_json()["errors"]


def test_reply_link_answers_without_login(clients, token, settings):
    c = clients["events"]
    coord = token("magdeburg", "coordinator")
    eid = meeting(c, coord, unique("Sitzung mit Gast"))
    guest = f"{unique('gast')}@verein.example"
    c.post(
        f"/api/v1/magdeburg/events/{eid}/invitations",
        json={"guests": [{"name": "Gast e. V.", "email": guest}]},
        headers=coord,
    )

    def tok(event_id, email, tenant="magdeburg"):
        subject = invitation_subject(event_id, email)
        return link_token(settings.link_secret, REPLY_TO_INVITATION, tenant, subject)

    url = f"/api/v1/magdeburg/events/{eid}/reply-link"
    # the address in another case is the same address
    shown = c.get(url, query_string={"email": guest.upper(), "token": tok(eid, guest)})
    assert shown.status_code == 200, shown.get_json()
    assert shown.get_json()["name"] == "Gast e. V." and shown.get_json()["answer"] is None
    assert shown.get_json()["event"]["id"] == eid
    sent = c.post(url, json={"email": guest, "token": tok(eid, guest), "answer": "no"})
    assert sent.status_code == 200 and sent.get_json()["answer"] == "no"
    replies = c.get(f"/api/v1/magdeburg/events/{eid}/replies", headers=coord).get_json()
    assert [(r["invitee"], r["answer"]) for r in replies] == [(guest, "no")]

    forged = c.post(url, json={"email": guest, "token": "x" * 32, "answer": "yes"})
    assert forged.status_code == 403 and "Antwortlink" in forged.get_json()["detail"]
    other_network = c.post(
        url, json={"email": guest, "token": tok(eid, guest, "chemnitz"), "answer": "yes"}
    )
    assert other_network.status_code == 403
    stranger = f"{unique('fremd')}@example.org"
    assert (
        c.post(url, json={"email": stranger, "token": tok(eid, stranger), "answer": "yes"})
    ).status_code == 404
    bad = c.post(url, json={"email": "kein-at", "token": "x" * 32, "answer": "gern"})
    assert bad.status_code == 422 and {"email", "answer"} <= set(bad.get_json()["errors"])
    c.patch(f"/api/v1/magdeburg/events/{eid}", json={"status": "cancelled"}, headers=coord)
    late = c.post(url, json={"email": guest, "token": tok(eid, guest), "answer": "yes"})
    assert late.status_code == 409 and "abgesagt" in late.get_json()["detail"]
    assert c.get(f"/api/v1/magdeburg/events/{eid}/replies", headers=coord).get_json()[0][
        "answer"
    ] == ("no")


def test_polls_are_listed_with_my_answers(clients, token, members):
    c = clients["events"]
    coord = token("magdeburg", "coordinator")
    frm = date.today() + timedelta(days=7)
    title = unique("Nächste Sitzung")
    poll = c.post(
        "/api/v1/magdeburg/polls",
        json={
            "body": BODY,
            "title": title,
            "from": frm.isoformat(),
            "to": (frm + timedelta(days=20)).isoformat(),
            "max_options": 2,
        },
        headers=coord,
    ).get_json()
    first, second = (o["id"] for o in poll["options"])
    me = token("magdeburg", "member", sub=members[0], bodies=[BODY])
    c.post(
        f"/api/v1/magdeburg/polls/{poll['id']}/answers",
        json={
            "answers": [
                {"option_id": first, "answer": "yes"},
                {"option_id": second, "answer": "no"},
            ]
        },
        headers=me,
    )
    listed = c.get(f"/api/v1/magdeburg/polls?body={BODY}&status=open", headers=me)
    assert listed.status_code == 200
    found = next(p for p in listed.get_json() if p["id"] == poll["id"])
    assert found["my_answers"] == {first: "yes", second: "no"} and found["respondents"] == 1
    assert found["title"] == title and found["created_at"]
    theirs = c.get(f"/api/v1/magdeburg/polls/{poll['id']}", headers=coord).get_json()
    assert theirs["my_answers"] == {} and theirs["options"][0]["yes"] == 1
    c.post(f"/api/v1/magdeburg/polls/{poll['id']}/close", json={}, headers=coord)
    still_open = c.get(f"/api/v1/magdeburg/polls?body={BODY}&status=open", headers=me).get_json()
    assert poll["id"] not in [p["id"] for p in still_open]
    assert c.get("/api/v1/magdeburg/polls").status_code == 401
    unknown = c.get("/api/v1/magdeburg/polls?body=gibt-es-nicht", headers=me)
    assert unknown.status_code == 404


def test_an_event_shows_the_warnings_of_its_bodys_rules_to_the_network(clients, token):
    c = clients["events"]
    coord = token("magdeburg", "coordinator")
    s, e = at(6, hour=10, length=30)  # a Wednesday, but before the window
    eid = c.post(
        "/api/v1/magdeburg/events",
        json={
            "kind": "body_meeting",
            "body": BODY,
            "title": unique("Früh"),
            "starts_at": s,
            "ends_at": e,
            "public": True,
        },
        headers=coord,
    ).get_json()["id"]
    shown = c.get(f"/api/v1/magdeburg/events/{eid}", headers=coord).get_json()
    assert shown["warnings"] == ["Vorzuziehen ist die Zeit zwischen 13:00 und 15:30 Uhr."]
    assert c.get(f"/api/v1/magdeburg/events/{eid}").get_json()["warnings"] == []
