"""Events under issue 10: one action per route, what outsiders and federation see, minutes of
unknown events, CSV and Markdown made safe, pages, capped lists and dates in a sane range."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from knotenpunkt.services.events import bootstrap
from knotenpunkt.services.events.handlers import meetings, minutes
from knotenpunkt.shared.access import action_of
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.usecase import Context
from tests.integration.test_events import at

EN = {"Accept-Language": "en"}
SANE_DE = "Muss im Bereich 1900 bis 2200 liegen."
SANE_EN = "Must be no earlier than 1900 and no later than 2200."
FEDERATION = Principal(sub="fed", tenant="chemnitz", roles=frozenset({"federation"}))


def create(c, coord, tenant="chemnitz", **fields):
    s, e = at(6, hour=10, length=60)
    data = {"kind": "workshop", "title": "Treffen", "starts_at": s, "ends_at": e, **fields}
    resp = c.post(f"/api/v1/{tenant}/events", json=data, headers=coord)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


@pytest.fixture(scope="module")
def events_db(settings):
    db = Database(settings.app_url("events"), max_size=2)
    db.open()
    yield db
    db.close()


def test_every_events_route_declares_one_action(apps):
    app = apps["events"]
    missing = [
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/<tenant>/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if action_of(getattr(app.view_functions[rule.endpoint].view_class, method.lower())) is None
    ]
    assert missing == []


def test_federation_reads_nothing_internal(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    private = create(c, coord, body="vorbereitungsgremium", kind="body_meeting")
    fed = token("chemnitz", "federation")
    for path in (
        f"events/{private['id']}",
        f"events/{private['id']}/minutes",
        f"events/{private['id']}/agenda",
        f"events/{private['id']}.ics",
        "bodies/vorbereitungsgremium/calendar.ics",
        "cadence",
        f"polls/{uuid.uuid4()}",
    ):
        assert c.get(f"/api/v1/chemnitz/{path}", headers=fed).status_code == 403, path


def test_visibility_is_decided_by_the_access_table_not_by_signing_in(
    settings, tenants, events_db, clients, token
):
    """A caller who is signed in but not of the network (federation) is treated as the public."""
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    private = create(c, coord, title="Nur intern")
    ctx = Context(
        settings=settings,
        tenant=tenants.get("chemnitz"),
        now=datetime.now(UTC),
        deps=bootstrap.deps(settings, tenants),
        service="events",
    )
    with events_db.transaction("chemnitz") as conn:
        listed, _ = meetings.list_events(conn, ctx, caller=FEDERATION)
        assert private["id"] not in {str(e["id"]) for e in listed}
        with pytest.raises(NotFound):
            meetings.show_event(conn, ctx, private["id"], caller=FEDERATION)
        with pytest.raises(NotFound):
            minutes.minutes(conn, ctx, private["id"], caller=FEDERATION)


def test_processes_show_the_public_no_private_event(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    public = create(c, coord, title="Offene Tagung", public=True)
    private = create(c, coord, title="Interne Vorbesprechung")
    proc = c.post(
        "/api/v1/chemnitz/processes",
        json={
            "title": "Prozess mit interner Phase",
            "phases": [
                {"title": "Tagung", "kind": "event", "event_id": public["id"]},
                {"title": "Vorbesprechung", "kind": "event", "event_id": private["id"]},
            ],
        },
        headers=coord,
    ).get_json()
    inside = c.get(f"/api/v1/chemnitz/processes/{proc['id']}", headers=coord).get_json()
    assert [p["event_id"] for p in inside["phases"]] == [public["id"], private["id"]]
    shown = c.get(f"/api/v1/chemnitz/processes/{proc['id']}").get_json()
    listed = next(
        p for p in c.get("/api/v1/chemnitz/processes").get_json() if p["id"] == proc["id"]
    )
    for seen in (shown, listed):
        hidden = seen["phases"][1]
        assert seen["phases"][0]["event_id"] == public["id"]
        assert hidden["title"] == "Vorbesprechung"
        assert hidden["event_id"] is None and hidden["event_status"] is None
        assert hidden["starts_on"] is None and hidden["ends_on"] is None


def test_minutes_of_an_unknown_or_foreign_event_are_not_found(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    theirs = create(c, token("magdeburg", "coordinator"), tenant="magdeburg")
    for event_id in (uuid.uuid4(), theirs["id"]):
        for step in ("approve", "publish"):
            resp = c.post(f"/api/v1/chemnitz/events/{event_id}/minutes/{step}", headers=coord)
            assert resp.status_code == 404, (event_id, step, resp.get_json())
    for path in ("topic-submissions", "invitations", "replies"):
        resp = c.get(f"/api/v1/chemnitz/events/{uuid.uuid4()}/{path}", headers=coord)
        assert resp.status_code == 404, path
    resp = c.get(f"/api/v1/chemnitz/consultations/{uuid.uuid4()}/ideas.csv", headers=coord)
    assert resp.status_code == 404
    unwritten = create(c, coord)
    resp = c.post(f"/api/v1/chemnitz/events/{unwritten['id']}/minutes/approve", headers=coord)
    assert resp.status_code == 409 and resp.get_json()["detail"]


def test_ideas_csv_neutralises_formulas(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    today = date.today()
    cons = c.post(
        "/api/v1/chemnitz/consultations",
        json={
            "title": "Offene Befragung",
            "opens": (today - timedelta(days=1)).isoformat(),
            "closes": (today + timedelta(days=5)).isoformat(),
        },
        headers=coord,
    ).get_json()
    texts = ['=HYPERLINK("http://x.example","klick")', "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rCR"]
    for text in texts:
        resp = c.post(
            f"/api/v1/chemnitz/consultations/{cons['id']}/ideas",
            json={"topic": cons["topics"][0], "text": text},
        )
        assert resp.status_code == 201, resp.get_json()
    doc = c.get(f"/api/v1/chemnitz/consultations/{cons['id']}/ideas.csv", headers=coord)
    rows = list(csv.reader(io.StringIO(doc.get_data(as_text=True)), delimiter=";"))
    assert rows[0] == ["Thema", "Idee", "Status", "Eingereicht"]
    assert sorted(r[1] for r in rows[1:]) == sorted("'" + t for t in texts)


def test_published_minutes_escape_what_people_wrote(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    s, e = at(-1, hour=10, length=60)  # held: its minutes can be approved
    ev = create(
        c,
        coord,
        starts_at=s,
        ends_at=e,
        title="<script>alert(1)</script>",
        place='<img src=x onerror="alert(2)">',
        public=True,
    )
    items = c.put(
        f"/api/v1/chemnitz/events/{ev['id']}/agenda",
        json={"items": [{"title": "[klick](javascript:alert(3))"}]},
        headers=coord,
    ).get_json()
    c.put(
        f"/api/v1/chemnitz/events/{ev['id']}/minutes",
        json={
            "attendees": ["<b>A</b>", "[B](javascript:alert(4))"],
            "notes": [{"item_id": items[0]["id"], "text": "<iframe src=//x.example>"}],
        },
        headers=coord,
    )
    c.post(f"/api/v1/chemnitz/events/{ev['id']}/minutes/approve", headers=coord)
    c.post(f"/api/v1/chemnitz/events/{ev['id']}/minutes/publish", headers=coord)
    md = c.get(f"/api/v1/chemnitz/events/{ev['id']}/minutes.md").get_data(as_text=True)
    assert "<" not in md and "](javascript:" not in md
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in md


def test_events_and_ideas_come_in_pages(clients, token):
    c = clients["events"]
    coord = token("saalekreis", "coordinator")
    query = "/api/v1/saalekreis/events?kind=workshop&page_size=2"
    before = int(c.get(query).headers["X-Total-Count"])
    mine = {create(c, coord, tenant="saalekreis", public=True)["id"] for _ in range(3)}
    first = c.get(query)
    total = int(first.headers["X-Total-Count"])
    assert total == before + 3 and len(first.get_json()) == 2
    seen, page = [e["id"] for e in first.get_json()], 2
    while len(seen) < total:
        rows = c.get(f"{query}&page={page}").get_json()
        assert rows, page
        seen += [e["id"] for e in rows]
        page += 1
    # every public workshop on exactly one page, the three new ones among them
    assert len(seen) == len(set(seen)) == total and mine <= set(seen)
    assert c.get(f"{query}&page={page}").get_json() == []
    cons = c.post(
        "/api/v1/saalekreis/consultations",
        json={"title": "Seiten", "opens": "2020-01-01", "closes": "2020-01-02"},
        headers=coord,
    ).get_json()
    ideas = c.get(f"/api/v1/saalekreis/consultations/{cons['id']}/ideas?page_size=1")
    assert ideas.status_code == 200 and ideas.headers["X-Total-Count"] == "0"
    for path in ("events", f"consultations/{cons['id']}/ideas"):
        for bad in ("page_size=100000", "page=0", f"page={10**30}"):
            resp = c.get(f"/api/v1/saalekreis/{path}?{bad}")
            assert resp.status_code == 422, (path, bad)
            assert list(resp.get_json()["errors"]) == ["query." + bad.split("=")[0]]


def test_lists_in_the_input_are_capped(clients, token):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    ev = create(c, coord)
    many = 10_000
    cases = [
        ("put", f"events/{ev['id']}/agenda", {"items": [{"title": "TOP"}] * many}, "items"),
        (
            "post",
            f"events/{ev['id']}/invitations",
            {"guests": [{"name": "G", "email": "g@example.org"}] * many},
            "guests",
        ),
        ("put", f"events/{ev['id']}/minutes", {"attendees": ["A"] * many}, "attendees"),
        ("put", f"events/{ev['id']}/minutes", {"ballot_ids": ["b"] * many}, "ballot_ids"),
        (
            "post",
            "consultations",
            {
                "title": "Viele",
                "opens": "2026-01-01",
                "closes": "2026-01-02",
                "topics": ["t"] * many,
            },
            "topics",
        ),
        (
            "post",
            "processes",
            {"title": "Viele", "phases": [{"title": "Phase", "kind": "milestone"}] * many},
            "phases",
        ),
        (
            "post",
            f"polls/{uuid.uuid4()}/answers",
            {"answers": [{"option_id": str(uuid.uuid4()), "answer": "yes"}] * many},
            "answers",
        ),
    ]
    for method, path, data, field in cases:
        resp = getattr(c, method)(f"/api/v1/chemnitz/{path}", json=data, headers=coord)
        assert resp.status_code == 422, (path, resp.status_code)
        assert field in resp.get_json()["errors"], (path, resp.get_json())


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_dates_far_off_are_refused_naming_the_field(clients, token, year):
    c = clients["events"]
    coord = token("chemnitz", "coordinator")
    moment = f"{year}-06-01T10:00:00+00:00"
    later = f"{year}-06-01T11:00:00+00:00"
    day = f"{year}-06-01"
    ev = create(c, coord)
    cases = [
        (
            "post",
            "events",
            {"kind": "workshop", "title": "Fern", "starts_at": moment, "ends_at": later},
            "starts_at",
        ),
        ("patch", f"events/{ev['id']}", {"ends_at": later}, "ends_at"),
        ("post", "consultations", {"title": "Fern", "opens": day, "closes": day}, "opens"),
        (
            "post",
            "polls",
            {"body": "vorbereitungsgremium", "title": "Fern", "from": day, "to": day},
            "from",
        ),
        (
            "post",
            "processes",
            {"title": "Fern", "phases": [{"title": "Fern", "kind": "milestone", "starts_on": day}]},
            "phases.0.starts_on",
        ),
    ]
    for method, path, data, field in cases:
        resp = getattr(c, method)(f"/api/v1/chemnitz/{path}", json=data, headers=coord)
        assert resp.status_code == 422, (path, resp.status_code, resp.get_data(as_text=True))
        assert resp.get_json()["errors"][field] == [SANE_DE], (path, resp.get_json())
        resp = getattr(c, method)(f"/api/v1/chemnitz/{path}", json=data, headers=coord | EN)
        assert resp.get_json()["errors"][field] == [SANE_EN], (path, resp.get_json())
    query = f"/api/v1/chemnitz/schedule/proposals?body=vorbereitungsgremium&from={day}&to={day}"
    resp = c.get(query, headers=coord)
    assert resp.status_code == 422 and resp.get_json()["errors"]["query.from"] == [SANE_DE]
    resp = c.get(query, headers=coord | EN)
    assert resp.status_code == 422 and resp.get_json()["errors"]["query.from"] == [SANE_EN]


def test_a_poll_spans_one_year_at_most(clients, token):
    resp = clients["events"].post(
        "/api/v1/chemnitz/polls",
        json={
            "body": "vorbereitungsgremium",
            "title": "Lang",
            "from": "2030-01-01",
            "to": "2032-01-01",
        },
        headers=token("chemnitz", "coordinator"),
    )
    assert resp.status_code == 422 and "to" in resp.get_json()["errors"]


# German for these comes with their entries in shared/i18n.py; until then they stay English.


def rule_message_cases() -> list[tuple]:
    """(method, path, body, field, English, German) of the events schemas' own rules."""
    s, e = at(6, hour=10, length=60)
    return [
        (
            "post",
            "chemnitz/events",
            {"kind": "workshop", "title": "Verkehrt", "starts_at": e, "ends_at": s},
            "ends_at",
            "must be after starts_at",
            "Muss nach starts_at liegen.",
        ),
        (
            "get",
            "magdeburg/schedule/proposals?body=projektgruppe&from=2031-02-01&to=2031-01-01",
            None,
            "query.to",
            "must not be before from",
            "Darf nicht vor from liegen.",
        ),
        (
            "get",
            "magdeburg/schedule/proposals?body=projektgruppe&from=2031-01-01&to=2032-06-01",
            None,
            "query.to",
            "the range may span one year at most",
            "Der Zeitraum darf höchstens ein Jahr umfassen.",
        ),
        (
            "post",
            "chemnitz/processes",
            {"title": "Ohne Link", "phases": [{"title": "Tagung", "kind": "event"}]},
            "phases.0.event_id",
            "is required for a phase of kind event",
            "Pflichtfeld bei einer Phase der Art event.",
        ),
        (
            "post",
            "chemnitz/consultations",
            {"title": "Verkehrt", "opens": "2031-03-01", "closes": "2031-02-01"},
            "closes",
            "must not be before opens",
            "Darf nicht vor opens liegen.",
        ),
        (
            "post",
            f"chemnitz/events/{uuid.uuid4()}/invitations",
            {},
            "_schema",
            "invite a body, a working group, all partners or named guests",
            "Einzuladen ist ein Gremium, eine Arbeitsgruppe, alle Partner oder namentlich "
            "genannte Gäste.",
        ),
    ]


def rule_errors(c, token, method, path, data, language=None) -> dict:
    headers = token(path.split("/")[0], "coordinator")
    if language:
        headers["Accept-Language"] = language
    resp = getattr(c, method)(f"/api/v1/{path}", json=data, headers=headers)
    assert resp.status_code == 422, (path, resp.status_code, resp.get_data(as_text=True))
    return resp.get_json()["errors"]


def test_the_schemas_own_rules_speak_english_on_request(clients, token):
    for method, path, data, field, english, _ in rule_message_cases():
        errors = rule_errors(clients["events"], token, method, path, data, "en")
        assert errors == {field: [english]}, path


def test_the_schemas_own_rules_speak_german_by_default(clients, token):
    for method, path, data, field, _, german_ in rule_message_cases():
        errors = rule_errors(clients["events"], token, method, path, data)
        assert errors == {field: [german_]}, path
