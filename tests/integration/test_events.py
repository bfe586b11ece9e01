"""Events endpoints against real PostgreSQL: meetings under the body's rules, agendas, invitations, minutes, calendars, consultations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.tenants import TenantRegistry
from tests.support import unique

TZ = TenantRegistry.load(Settings().tenants_dir).get("magdeburg").tz


def at(days: int, hour: int = 13, minute: int = 0, length: int = 60):
    """A Wednesday `days` weeks ahead at the given time of the networks' zone (as ISO strings)."""
    today = datetime.now(TZ).date()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 + 7 * days)
    start = datetime(wednesday.year, wednesday.month, wednesday.day, hour, minute, tzinfo=TZ)
    return start.isoformat(), (start + timedelta(minutes=length)).isoformat()


class Clock:
    """A clock the test sets: the use cases' `now`."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_magdeburg_meeting_rules(clients, token):
    c = clients["events"]
    coord = token("magdeburg", "coordinator")
    s, e = at(2)
    ok = c.post(
        "/api/v1/magdeburg/events",
        json={
            "kind": "body_meeting",
            "body": "projektgruppe",
            "title": "Sitzung Projektgruppe",
            "starts_at": s,
            "ends_at": e,
        },
        headers=coord,
    )
    assert ok.status_code == 201 and ok.get_json()["warnings"] == []
    s, e = at(3, length=90)
    long = c.post(
        "/api/v1/magdeburg/events",
        json={
            "kind": "body_meeting",
            "body": "projektgruppe",
            "title": "Zu lang",
            "starts_at": s,
            "ends_at": e,
        },
        headers=coord,
    )
    assert (
        long.status_code == 422
        and "60 Minuten" in long.get_json()["detail"]
        and "ends_at" in long.get_json()["errors"]
    )
    s, e = at(3, hour=9)
    early = c.post(
        "/api/v1/magdeburg/events",
        json={
            "kind": "body_meeting",
            "body": "projektgruppe",
            "title": "Vormittags",
            "starts_at": s,
            "ends_at": e,
        },
        headers=coord,
    )
    assert early.status_code == 201
    assert early.get_json()["warnings"] == [
        "Vorzuziehen ist die Zeit zwischen 13:00 und 15:30 Uhr."
    ]
    frm = date.today().isoformat()
    to = (date.today() + timedelta(days=60)).isoformat()
    slots = c.get(
        f"/api/v1/magdeburg/schedule/proposals?body=projektgruppe&from={frm}&to={to}", headers=coord
    ).get_json()
    assert slots and all(datetime.fromisoformat(x["starts_at"]).weekday() == 2 for x in slots)
    assert (
        c.get(
            f"/api/v1/magdeburg/schedule/proposals?body=projektgruppe&from={to}&to={frm}",
            headers=coord,
        ).status_code
        == 422
    )
    assert (
        c.post(
            "/api/v1/magdeburg/events",
            json={"kind": "body_meeting", "title": "x y z", "starts_at": s, "ends_at": e},
            headers=token("magdeburg", "member"),
        ).status_code
        == 403
    )


def test_agenda_submissions_invitations_replies(clients, token):
    c = clients["events"]
    coord = token("mittelsachsen", "coordinator")
    s, e = at(4, hour=10, length=120)
    ev = c.post(
        "/api/v1/mittelsachsen/events",
        json={
            "kind": "body_meeting",
            "body": "arbeitskreis-bildung-arbeit",
            "title": "Arbeitskreis Bildung und Arbeit",
            "starts_at": s,
            "ends_at": e,
            "public": True,
        },
        headers=coord,
    ).get_json()
    eid = ev["id"]
    agenda = c.put(
        f"/api/v1/mittelsachsen/events/{eid}/agenda",
        json={
            "items": [
                {"title": "Begrüßung", "minutes": 10},
                {"title": "Bericht Jobcenter", "kind": "report", "presenter": "Jobcenter"},
            ]
        },
        headers=coord,
    )
    assert [i["position"] for i in agenda.get_json()] == [1, 2]
    sub = c.post(
        f"/api/v1/mittelsachsen/events/{eid}/topic-submissions",
        json={"title": "Sprachkurse für Azubis"},
        headers=token("mittelsachsen", "partner", sub="ihk"),
    )
    assert sub.status_code == 201
    assert (
        c.post(
            f"/api/v1/mittelsachsen/events/{eid}/topic-submissions", json={"title": "Anonym"}
        ).status_code
        == 401
    )
    no_reason = c.post(
        f"/api/v1/mittelsachsen/events/{eid}/topic-submissions/{sub.get_json()['id']}/decision",
        json={"accepted": False},
        headers=coord,
    )
    assert no_reason.status_code == 422
    accepted = c.post(
        f"/api/v1/mittelsachsen/events/{eid}/topic-submissions/{sub.get_json()['id']}/decision",
        json={"accepted": True},
        headers=coord,
    )
    assert accepted.get_json()["status"] == "accepted"
    assert (
        c.get(f"/api/v1/mittelsachsen/events/{eid}/agenda").get_json()[-1]["title"]
        == "Sprachkurse für Azubis"
    )
    guests = c.post(
        f"/api/v1/mittelsachsen/events/{eid}/invitations",
        json={
            "guests": [{"name": "Maschinenbau GmbH", "email": "ausbildung@maschinenbau.example"}]
        },
        headers=coord,
    )
    assert guests.status_code == 201 and guests.get_json()[0]["via"] == "guests"
    assert (
        c.post(
            f"/api/v1/mittelsachsen/events/{eid}/invitations", json={}, headers=coord
        ).status_code
        == 422
    )
    reply = c.post(
        f"/api/v1/mittelsachsen/events/{eid}/replies",
        json={"answer": "yes"},
        headers=token("mittelsachsen", "partner", sub="ausbildung@maschinenbau.example"),
    )
    assert reply.status_code == 200 and reply.get_json()["answer"] == "yes"
    assert (
        c.post(
            f"/api/v1/mittelsachsen/events/{eid}/replies",
            json={"answer": "yes"},
            headers=token("mittelsachsen", "partner", sub="uninvited"),
        ).status_code
        == 403
    )
    assert (
        c.get(f"/api/v1/mittelsachsen/events/{eid}/replies", headers=coord).get_json()[0]["answer"]
        == "yes"
    )
    published = c.post(f"/api/v1/mittelsachsen/events/{eid}/agenda/publish", headers=coord)
    assert published.get_json()["agenda_published_at"]
    cancelled = c.patch(
        f"/api/v1/mittelsachsen/events/{eid}", json={"status": "cancelled"}, headers=coord
    )
    assert cancelled.get_json()["status"] == "cancelled"
    cal = Calendar.from_ical(c.get("/api/v1/mittelsachsen/calendar.ics").get_data(as_text=True))
    mine = [v for v in cal.walk("VEVENT") if str(v["UID"]).startswith(eid)]
    assert len(mine) == 1 and str(mine[0]["STATUS"]) == "CANCELLED" and "DTSTAMP" in mine[0]
    single = Calendar.from_ical(
        c.get(f"/api/v1/mittelsachsen/events/{eid}.ics").get_data(as_text=True)
    )
    assert len(single.walk("VEVENT")) == 1
    # without a token only a member's signed subscription link opens it (test_events_feed.py)
    assert (
        c.get("/api/v1/mittelsachsen/bodies/arbeitskreis-bildung-arbeit/calendar.ics").status_code
        == 403
    )
    assert (
        c.get(
            "/api/v1/mittelsachsen/bodies/arbeitskreis-bildung-arbeit/calendar.ics",
            headers=token("mittelsachsen", "member"),
        ).mimetype
        == "text/calendar"
    )


def test_the_networks_topic_submissions_in_one_list(clients, token):
    """What the coordinators' start page asks: every submission still to decide, with its event,
    in one call; decided ones and those of cancelled events are not among them."""
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    partner = token("chemnitz", "partner", sub=unique("verein"))
    events, topics = [], []
    for weeks in (20, 21, 22):  # far off: no network event the introduction tests expect
        s, e = at(weeks)
        ev = c.post(
            "/api/v1/chemnitz/events",
            json={
                "kind": "network_event",
                "title": unique("Sitzung"),
                "starts_at": s,
                "ends_at": e,
            },
            headers=coord,
        ).get_json()
        events.append(ev)
        title = unique("Thema")
        sub = c.post(
            f"/api/v1/chemnitz/events/{ev['id']}/topic-submissions",
            json={"title": title},
            headers=partner,
        )
        assert sub.status_code == 201, sub.get_json()
        topics.append(sub.get_json())
    decided = c.post(
        f"/api/v1/chemnitz/events/{events[1]['id']}/topic-submissions/{topics[1]['id']}/decision",
        json={"accepted": False, "reason": "Passt nicht zum Auftrag."},
        headers=coord,
    )
    assert decided.status_code == 200
    cancelled = c.patch(
        f"/api/v1/chemnitz/events/{events[2]['id']}", json={"status": "cancelled"}, headers=coord
    )
    assert cancelled.status_code == 200, cancelled.get_json()

    listed = c.get(
        "/api/v1/chemnitz/topic-submissions?status=submitted&page_size=200", headers=coord
    )
    assert listed.status_code == 200
    items = listed.get_json()
    assert int(listed.headers["X-Total-Count"]) == len(items)
    assert {i["status"] for i in items} == {"submitted"}
    mine = {i["id"]: i for i in items if i["id"] in {t["id"] for t in topics}}
    assert list(mine) == [topics[0]["id"]]
    assert mine[topics[0]["id"]]["event_id"] == events[0]["id"]
    assert mine[topics[0]["id"]]["event_title"] == events[0]["title"]
    declined = c.get("/api/v1/chemnitz/topic-submissions?status=declined", headers=coord)
    assert topics[1]["id"] in {i["id"] for i in declined.get_json()}
    bad = c.get("/api/v1/chemnitz/topic-submissions?status=offen", headers=coord)
    assert bad.status_code == 422 and "query.status" in bad.get_json()["errors"]
    assert c.get("/api/v1/chemnitz/topic-submissions", headers=partner).status_code == 403
    assert c.get("/api/v1/chemnitz/topic-submissions").status_code == 401


def test_private_events_are_hidden_from_the_public_and_other_networks(clients, token):
    c = clients["events"]
    s, e = at(5, hour=10, length=120)
    ev = c.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "body_meeting",
            "body": "vorbereitungsgremium",
            "title": "Intern",
            "starts_at": s,
            "ends_at": e,
        },
        headers=token("chemnitz", "coordinator"),
    ).get_json()
    assert c.get(f"/api/v1/chemnitz/events/{ev['id']}").status_code == 404
    assert (
        c.get(
            f"/api/v1/chemnitz/events/{ev['id']}", headers=token("chemnitz", "member")
        ).status_code
        == 200
    )
    assert (
        c.get(
            f"/api/v1/saalekreis/events/{ev['id']}", headers=token("saalekreis", "coordinator")
        ).status_code
        == 404
    )


def test_minutes_lifecycle(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    s, e = at(-1, hour=10, length=120)  # last week's: held, so its minutes can be approved
    ev = c.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "network_event",
            "title": "Netzwerkveranstaltung",
            "starts_at": s,
            "ends_at": e,
            "public": True,
        },
        headers=coord,
    ).get_json()
    items = c.put(
        f"/api/v1/chemnitz/events/{ev['id']}/agenda",
        json={"items": [{"title": "Berichte der Arbeitsgruppen"}]},
        headers=coord,
    ).get_json()
    bad = c.put(
        f"/api/v1/chemnitz/events/{ev['id']}/minutes",
        json={"ballot_ids": ["unbekannt"]},
        headers=coord,
    )
    assert bad.status_code == 422 and "ballot_ids" in bad.get_json()["errors"]
    present = ["Koordinierungsstelle", "AG Sprache", "Caritas", "Stadtsportbund"]
    minutes_url = f"/api/v1/chemnitz/events/{ev['id']}/minutes"
    by_hand = {
        "title": "Positionspapier Sprachkurse",
        "outcome": "adopted",
        "count": {"yes": 2, "no": 1, "abstain": 1},
        "dissent": [{"name": "Caritas", "choice": "no", "reason": "Zu früh"}],
    }
    # counts that do not add up, a dissenter not present: refused, nothing stored
    for wrong, field in (
        ({**by_hand, "count": {"yes": 4, "no": 1, "abstain": 0}}, "decisions_by_hand.0.count"),
        (
            {**by_hand, "dissent": [{"name": "Caritas"}, {"name": "AG Sprache"}]},
            "decisions_by_hand.0.dissent",
        ),
        ({**by_hand, "dissent": [{"name": "Diakonie"}]}, "decisions_by_hand.0.dissent"),
    ):
        refused = c.put(
            minutes_url,
            json={"attendees": present, "decisions_by_hand": [wrong]},
            headers=coord,
        )
        assert refused.status_code == 422, refused.get_json()
        assert field in refused.get_json()["errors"], refused.get_json()
    assert c.get(minutes_url, headers=coord).get_json()["attendees"] == []
    draft = c.put(
        minutes_url,
        json={
            "taken_by": "Anna Schreiber",
            "attendees": present,
            "notes": [{"item_id": items[0]["id"], "text": "Die AG Sprache berichtet."}],
            "decisions_by_hand": [by_hand],
        },
        headers=coord,
    )
    assert draft.get_json()["status"] == "draft", draft.get_json()
    assert draft.get_json()["taken_by"] == "Anna Schreiber"
    [decision] = draft.get_json()["decisions"]
    assert decision["outcome_text"] == "Beschluss: angenommen (per Handzeichen)"
    assert decision["tally"] == {"yes": 2, "no": 1, "abstain": 1, "voted": 4, "electorate": 4}
    assert c.get(f"/api/v1/chemnitz/events/{ev['id']}/minutes").status_code == 404
    assert (
        c.post(f"/api/v1/chemnitz/events/{ev['id']}/minutes/publish", headers=coord).status_code
        == 409
    )
    assert (
        c.post(f"/api/v1/chemnitz/events/{ev['id']}/minutes/approve", headers=coord).get_json()[
            "status"
        ]
        == "approved"
    )
    assert (
        c.put(f"/api/v1/chemnitz/events/{ev['id']}/minutes", json={}, headers=coord).status_code
        == 409
    )
    assert (
        c.post(f"/api/v1/chemnitz/events/{ev['id']}/minutes/publish", headers=coord).get_json()[
            "status"
        ]
        == "published"
    )
    md = c.get(f"/api/v1/chemnitz/events/{ev['id']}/minutes.md").get_data(as_text=True)
    assert "Die AG Sprache berichtet\\." in md and "Koordinierungsstelle, AG Sprache" in md
    published = c.get(minutes_url).get_json()
    assert published["approved_at"] and published["approved_by"]
    assert "**Protokoll:** Anna Schreiber" in md and "**Genehmigt am** " in md
    assert "Abstimmung per Handzeichen: Ja 2, Nein 1, Enthaltung 1; abgestimmt 4 von 4" in md
    assert "Abweichende Meinung: Caritas (Nein): Zu früh" in md


def test_minutes_are_approved_only_after_the_meeting(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    s, e = at(1, hour=10, length=120)
    ev = c.post(
        "/api/v1/chemnitz/events",
        json={"kind": "network_event", "title": "Netzwerktreffen", "starts_at": s, "ends_at": e},
        headers=coord,
    ).get_json()
    url = f"/api/v1/chemnitz/events/{ev['id']}/minutes"
    assert c.put(url, json={"attendees": ["Vorab"]}, headers=coord).status_code == 200
    early = c.post(f"{url}/approve", headers=coord)
    assert early.status_code == 409
    assert "noch nicht stattgefunden" in early.get_json()["detail"]
    assert c.get(url, headers=coord).get_json()["status"] == "draft"


def test_consultation_window_and_moderation(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    past = c.post(
        "/api/v1/chemnitz/consultations",
        json={"title": "Befragung 2016", "opens": "2016-09-05", "closes": "2016-09-25"},
        headers=coord,
    ).get_json()
    closed = c.post(
        f"/api/v1/chemnitz/consultations/{past['id']}/ideas",
        json={"topic": past["topics"][0], "text": "Mehr Sprachcafés"},
    )
    assert (
        closed.status_code == 409
        and "geschlossen" in closed.get_json()["detail"]
        and "05.09." in closed.get_json()["detail"]
    )
    today = date.today()
    live = c.post(
        "/api/v1/chemnitz/consultations",
        json={
            "title": "Ideen für Chemnitz",
            "opens": (today - timedelta(days=1)).isoformat(),
            "closes": (today + timedelta(days=20)).isoformat(),
        },
        headers=coord,
    ).get_json()
    assert (
        live["topics"]
        == clients["membership"].get("/api/v1/chemnitz/rules").get_json()["policy_fields"]
    )
    future = c.post(
        "/api/v1/chemnitz/consultations",
        json={
            "title": "Später",
            "opens": (today + timedelta(days=5)).isoformat(),
            "closes": (today + timedelta(days=9)).isoformat(),
        },
        headers=coord,
    ).get_json()
    assert (
        "öffnet am"
        in c.post(
            f"/api/v1/chemnitz/consultations/{future['id']}/ideas",
            json={"topic": future["topics"][0], "text": "Zu früh"},
        ).get_json()["detail"]
    )
    assert (
        c.post(
            f"/api/v1/chemnitz/consultations/{live['id']}/ideas",
            json={"topic": "Verkehr", "text": "Busse"},
        ).status_code
        == 422
    )
    idea = c.post(
        f"/api/v1/chemnitz/consultations/{live['id']}/ideas",
        json={"topic": live["topics"][0], "text": "Sprachcafés in jedem Stadtteil"},
    )
    spam = c.post(
        f"/api/v1/chemnitz/consultations/{live['id']}/ideas",
        json={"topic": live["topics"][0], "text": "Werbung Werbung"},
    )
    assert idea.status_code == 201 and spam.status_code == 201
    assert c.get(f"/api/v1/chemnitz/consultations/{live['id']}/ideas").get_json() == []
    c.post(
        f"/api/v1/chemnitz/consultations/{live['id']}/ideas/{idea.get_json()['id']}/moderation",
        json={"status": "published"},
        headers=coord,
    )
    assert (
        c.post(
            f"/api/v1/chemnitz/consultations/{live['id']}/ideas/{spam.get_json()['id']}/moderation",
            json={"status": "hidden"},
            headers=coord,
        ).status_code
        == 422
    )
    c.post(
        f"/api/v1/chemnitz/consultations/{live['id']}/ideas/{spam.get_json()['id']}/moderation",
        json={"status": "hidden", "reason": "Werbung"},
        headers=coord,
    )
    public = c.get(f"/api/v1/chemnitz/consultations/{live['id']}/ideas").get_json()
    assert [i["text"] for i in public] == ["Sprachcafés in jedem Stadtteil"]
    counts = c.get(f"/api/v1/chemnitz/consultations/{live['id']}/counts", headers=coord).get_json()[
        "topics"
    ]
    assert counts == [{"topic": live["topics"][0], "ideas": 2, "published": 1, "hidden": 1}]
    csv = c.get(f"/api/v1/chemnitz/consultations/{live['id']}/ideas.csv", headers=coord)
    assert csv.mimetype == "text/csv" and "Sprachcafés in jedem Stadtteil" in csv.get_data(
        as_text=True
    )
    assert c.get(f"/api/v1/chemnitz/consultations/{live['id']}/ideas.csv").status_code == 401


def test_consultation_opened_and_closed_are_announced_once(clients, token, settings, tenants):
    from knotenpunkt.services.events import worker as ew
    from knotenpunkt.wiring import worker_for

    coord = token("saalekreis", "coordinator")
    now = datetime(2031, 5, 14, 22, 30, tzinfo=UTC)  # 00:30 on the 15th in Saalekreis
    today = now.astimezone(tenants.get("saalekreis").tz).date()
    live = (
        clients["events"]
        .post(
            "/api/v1/saalekreis/consultations",
            json={
                "title": "Willkommenspakete",
                "opens": today.isoformat(),
                "closes": (today + timedelta(days=3)).isoformat(),
            },
            headers=coord,
        )
        .get_json()
    )
    done = (
        clients["events"]
        .post(
            "/api/v1/saalekreis/consultations",
            json={"title": "Ärzteliste", "opens": "2025-01-01", "closes": "2025-01-31"},
            headers=coord,
        )
        .get_json()
    )
    w = worker_for("events", settings=settings, tenants=tenants, clock=Clock(now))
    w.db.open()
    try:
        for _ in range(2):
            ew.consultation_windows(w, w.context("saalekreis"))
        with w.db.transaction("saalekreis") as conn:
            rows = conn.execute(
                "select routing_key, envelope->'data'->>'consultation_id' as cid from outbox where routing_key like 'saalekreis.events.consultation.%%'"
            ).fetchall()
    finally:
        w.db.close()
    mine = sorted(
        (r["routing_key"].rsplit(".", 1)[1], r["cid"])
        for r in rows
        if r["cid"] in (live["id"], done["id"])
    )
    assert mine == sorted([("opened", live["id"]), ("closed", done["id"])])


def _events_db(settings):
    from knotenpunkt.shared.db import Database

    db = Database(settings.app_url("events"), max_size=2)
    db.open()
    return db


def test_time_poll_picks_the_best_date_and_creates_the_meeting(clients, token, settings):
    from knotenpunkt.services.events.store import copies
    from tests.support import unique

    db = _events_db(settings)
    people = [unique("amt") for _ in range(3)]
    try:
        with db.transaction("magdeburg") as conn:
            for p in people:
                copies.upsert_body_member(
                    conn,
                    "magdeburg",
                    {"body": "projektgruppe", "person_id": p, "name": p, "email": None},
                )
    finally:
        db.close()
    c = clients["events"]
    coord = token("magdeburg", "coordinator")
    frm = date.today() + timedelta(days=7)
    poll = c.post(
        "/api/v1/magdeburg/polls",
        json={
            "body": "projektgruppe",
            "title": "Nächste Sitzung",
            "from": frm.isoformat(),
            "to": (frm + timedelta(days=27)).isoformat(),
            "max_options": 3,
        },
        headers=coord,
    )
    assert poll.status_code == 201, poll.get_json()
    options = poll.get_json()["options"]
    assert len(options) == 3 and all(
        datetime.fromisoformat(o["starts_at"]).weekday() == 2 for o in options
    )
    first, second, third = (o["id"] for o in options)
    answers = {
        people[0]: ["no", "yes", "yes"],
        people[1]: ["yes", "maybe", "no"],
        people[2]: ["yes", "yes", "maybe"],
    }
    for p, ans in answers.items():
        r = c.post(
            f"/api/v1/magdeburg/polls/{poll.get_json()['id']}/answers",
            json={
                "answers": [
                    {"option_id": o, "answer": a}
                    for o, a in zip((first, second, third), ans, strict=True)
                ]
            },
            headers=token("magdeburg", "member", sub=p),
        )
        assert r.status_code == 200
    assert (
        c.post(
            f"/api/v1/magdeburg/polls/{poll.get_json()['id']}/answers",
            json={"answers": [{"option_id": first, "answer": "yes"}]},
            headers=token("magdeburg", "member", sub="fremd"),
        ).status_code
        == 403
    )
    closed = c.post(
        f"/api/v1/magdeburg/polls/{poll.get_json()['id']}/close",
        json={"place": "Altes Rathaus"},
        headers=coord,
    ).get_json()
    assert closed["status"] == "closed" and closed["chosen"] == second and closed["event_id"]
    event = c.get(f"/api/v1/magdeburg/events/{closed['event_id']}", headers=coord).get_json()
    assert (
        event["starts_at"] == next(o for o in options if o["id"] == second)["starts_at"]
        and event["body"] == "projektgruppe"
    )
    assert (
        c.post(
            f"/api/v1/magdeburg/polls/{poll.get_json()['id']}/close", json={}, headers=coord
        ).status_code
        == 409
    )
    empty = c.post(
        "/api/v1/magdeburg/polls",
        json={
            "body": "projektgruppe",
            "title": "Nur Montag",
            "from": "2027-01-04",
            "to": "2027-01-05",
        },
        headers=coord,
    )
    assert empty.status_code == 422


def test_participation_process_with_phases(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    kickoff = c.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "kickoff",
            "title": "Auftaktveranstaltung Integrationskonzept",
            "starts_at": "2016-08-16T10:00:00+02:00",
            "ends_at": "2016-08-16T13:00:00+02:00",
            "public": True,
        },
        headers=coord,
    ).get_json()
    conference = c.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "conference",
            "title": "Tagung im Kammersaal der IHK",
            "starts_at": "2016-08-24T09:00:00+02:00",
            "ends_at": "2016-08-24T16:00:00+02:00",
            "place": "IHK Chemnitz",
            "public": True,
        },
        headers=coord,
    ).get_json()
    survey = c.post(
        "/api/v1/chemnitz/consultations",
        json={"title": "Bürgerbefragung", "opens": "2016-09-05", "closes": "2016-09-25"},
        headers=coord,
    ).get_json()
    today = date.today()
    proc = c.post(
        "/api/v1/chemnitz/processes",
        json={
            "title": "Integrationskonzept der Stadt Chemnitz",
            "phases": [
                {"title": "Auftakt", "kind": "event", "event_id": kickoff["id"]},
                {"title": "Tagung", "kind": "event", "event_id": conference["id"]},
                {"title": "Befragung", "kind": "consultation", "consultation_id": survey["id"]},
                {
                    "title": "Workshops",
                    "kind": "milestone",
                    "starts_on": (today - timedelta(days=1)).isoformat(),
                    "ends_on": (today + timedelta(days=1)).isoformat(),
                },
                {
                    "title": "Beschluss im Stadtrat",
                    "kind": "milestone",
                    "starts_on": "2027-03-01",
                    "ends_on": "2027-03-31",
                },
            ],
        },
        headers=coord,
    )
    assert proc.status_code == 201, proc.get_json()
    body = proc.get_json()
    assert [p["title"] for p in body["phases"]] == [
        "Auftakt",
        "Tagung",
        "Befragung",
        "Workshops",
        "Beschluss im Stadtrat",
    ]
    assert (
        body["phases"][2]["starts_on"] == "2016-09-05"
        and body["phases"][0]["starts_on"] == "2016-08-16"
    )
    assert body["current_phase"] == 4
    bad = c.post(
        "/api/v1/chemnitz/processes",
        json={"title": "Ohne Link", "phases": [{"title": "Tagung", "kind": "event"}]},
        headers=coord,
    )
    assert bad.status_code == 422 and "phases.0.event_id" in bad.get_json()["errors"]
    assert c.get(f"/api/v1/chemnitz/processes/{body['id']}").status_code == 200


def test_worker_announces_a_due_cadence_once(settings, tenants):
    from knotenpunkt.services.events import worker as ew
    from knotenpunkt.wiring import worker_for

    query = (
        "select event_id, envelope->'data' as d from outbox"
        " where routing_key = 'mittelsachsen.events.cadence.due'"
    )
    w = worker_for(
        "events",
        settings=settings,
        tenants=tenants,
        clock=Clock(datetime(2039, 2, 2, 9, 0, tzinfo=UTC)),
    )
    w.db.open()
    try:
        with w.db.transaction("mittelsachsen") as conn:
            before = {r["event_id"] for r in conn.execute(query).fetchall()}
        for _ in range(2):
            ew.check_cadence(w, w.context("mittelsachsen"))
        with w.db.transaction("mittelsachsen") as conn:
            rows = [r for r in conn.execute(query).fetchall() if r["event_id"] not in before]
    finally:
        w.db.close()
    # Mittelsachsen's Arbeitskreis has never met: its half-yearly meeting is due, announced once.
    assert [r["d"] for r in rows] == [
        {
            "rule": "body:arbeitskreis-bildung-arbeit",
            "label": tenants.get("mittelsachsen").body("arbeitskreis-bildung-arbeit")["name"],
            "status": "due",
            "due": None,
            "last": None,
        }
    ]


def plan_projektgruppe(c, coord: dict, day: date) -> dict:
    """Plan Magdeburg's Projektgruppe on `day` (a Wednesday) at 13:00 for an hour, within its rules."""
    start = datetime(day.year, day.month, day.day, 13, 0, tzinfo=TZ)
    resp = c.post(
        "/api/v1/magdeburg/events",
        json={
            "kind": "body_meeting",
            "body": "projektgruppe",
            "title": "Sitzung Projektgruppe",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
        headers=coord,
    )
    assert resp.status_code == 201 and resp.get_json()["warnings"] == [], resp.get_json()
    return resp.get_json()


def test_cadence_under_a_fixed_clock(settings, tenants, token):
    """Magdeburg's Projektgruppe meets quarterly: due within 30 days, overdue after, ok once planned."""
    from knotenpunkt.services.events.app import create_app

    clock = Clock(datetime(2041, 6, 1, 10, 0, tzinfo=UTC))
    app = create_app(settings, tenants, clock=clock)
    c = app.test_client()
    coord = token("magdeburg", "coordinator")

    def plan(day: date) -> dict:
        return plan_projektgruppe(c, coord, day)

    def projektgruppe() -> dict:
        resp = c.get("/api/v1/magdeburg/cadence", headers=coord)
        assert resp.status_code == 200
        row = next(r for r in resp.get_json() if r["rule"] == "body:projektgruppe")
        return {
            **row,
            **{k: row[k] and datetime.fromisoformat(row[k]) for k in ("last", "next", "due")},
        }

    try:
        plan(date(2041, 3, 6))  # 13:00 CET = 12:00 UTC
        last = datetime(2041, 3, 6, 12, 0, tzinfo=UTC)
        due = datetime(2041, 6, 6, 12, 0, tzinfo=UTC)
        expected = {
            "rule": "body:projektgruppe",
            "label": tenants.get("magdeburg").body("projektgruppe")["name"],
            "every_months": 3,
            "last": last,
            "next": None,
            "due": due,
        }
        assert projektgruppe() == {**expected, "status": "due"}
        clock.now = datetime(2041, 6, 10, 10, 0, tzinfo=UTC)
        assert projektgruppe() == {**expected, "status": "overdue"}
        clock.now = datetime(2041, 4, 1, 10, 0, tzinfo=UTC)
        assert projektgruppe() == {**expected, "status": "ok"}
        clock.now = datetime(2041, 6, 1, 10, 0, tzinfo=UTC)
        plan(date(2041, 6, 5))
        assert projektgruppe() == {
            **expected,
            "next": datetime(2041, 6, 5, 11, 0, tzinfo=UTC),  # 13:00 CEST
            "status": "ok",
        }
    finally:
        app.extensions["knotenpunkt"].db.close()


def test_cadence_turns_due_within_the_networks_days(settings, tenants, token):
    """Fourteen days before the Projektgruppe's quarterly meeting is late: due under the
    default notice of 30 days, still ok where the network's rules say 10 (due_within_days)."""
    from dataclasses import replace

    from knotenpunkt.services.events.app import create_app

    magdeburg = tenants.get("magdeburg")
    bodies = [
        {
            **b,
            "meeting": {
                **b["meeting"],
                "cadence": {**b["meeting"]["cadence"], "due_within_days": 10},
            },
        }
        if b["key"] == "projektgruppe"
        else b
        for b in magdeburg.rules["bodies"]
    ]
    short = replace(magdeburg, rules={**magdeburg.rules, "bodies": bodies})
    assert magdeburg.body("projektgruppe")["meeting"]["cadence"]["due_within_days"] == 30
    clock = Clock(datetime(2045, 5, 25, 10, 0, tzinfo=UTC))
    default = create_app(settings, tenants, clock=clock)
    notice = create_app(
        settings, TenantRegistry({**{t.key: t for t in tenants}, "magdeburg": short}), clock=clock
    )
    coord = token("magdeburg", "coordinator")

    def projektgruppe(app) -> tuple[str, str]:
        resp = app.test_client().get("/api/v1/magdeburg/cadence", headers=coord)
        assert resp.status_code == 200
        row = next(r for r in resp.get_json() if r["rule"] == "body:projektgruppe")
        return row["status"], row["due"]

    try:
        plan_projektgruppe(default.test_client(), coord, date(2045, 3, 8))  # 12:00 UTC
        due = datetime(2045, 6, 8, 12, 0, tzinfo=UTC).isoformat()
        assert projektgruppe(default) == ("due", due)
        assert projektgruppe(notice) == ("ok", due)
        clock.now = datetime(2045, 6, 1, 10, 0, tzinfo=UTC)  # seven days before
        assert projektgruppe(notice) == ("due", due)
    finally:
        default.extensions["knotenpunkt"].db.close()
        notice.extensions["knotenpunkt"].db.close()


def test_an_unknown_body_is_not_found_naming_the_networks_bodies(clients, token, tenants):
    """Every events route taking a body answers as the tenant does (Tenant.body_or_404)."""
    c = clients["events"]
    coord = token("magdeburg", "coordinator")
    known = ", ".join(b["key"] for b in tenants.get("magdeburg").rules["bodies"])
    detail = f"Ein Gremium 'gibt-es-nicht' gibt es in diesem Netzwerk nicht (Gremien: {known})."
    s, e = at(3)
    for method, path, data in [
        ("get", "schedule/proposals?body=gibt-es-nicht&from=2031-01-01&to=2031-01-31", None),
        ("get", "bodies/gibt-es-nicht/calendar.ics", None),
        (
            "post",
            "polls",
            {"body": "gibt-es-nicht", "title": "Umfrage", "from": "2031-01-01", "to": "2031-01-31"},
        ),
        (
            "post",
            "events",
            {
                "kind": "body_meeting",
                "body": "gibt-es-nicht",
                "title": "Sitzung",
                "starts_at": s,
                "ends_at": e,
            },
        ),
    ]:
        resp = getattr(c, method)(f"/api/v1/magdeburg/{path}", json=data, headers=coord)
        assert resp.status_code == 404, (path, resp.get_data(as_text=True))
        problem = resp.get_json()
        assert problem["detail"] == detail and problem["errors"] == {"body": [detail]}, path
