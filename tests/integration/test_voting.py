"""Voting endpoints against real PostgreSQL: rules from the tenant file, one vote per member, deadlines, the record.

Time is the test's: the voting app and the worker here take it from one
`Clock` that the tests set and advance, so nothing sleeps.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from knotenpunkt.services.voting import bootstrap, handlers, store
from knotenpunkt.services.voting import worker as vw
from knotenpunkt.services.voting.app import create_app
from knotenpunkt.shared.db import Database
from knotenpunkt.shared.usecase import Context
from knotenpunkt.shared.worker import Worker
from knotenpunkt.wiring import worker_for
from tests.support import unique


class Clock:
    """A clock the test moves: `clock()` is the time, `clock.advance(seconds=…)` moves it on."""

    def __init__(self):
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(scope="module")
def voting_app(settings, tenants):
    """A voting app of this module's own, whose clock each test sets (see `clients`)."""
    app = create_app(settings, tenants, clock=Clock())
    yield app
    app.extensions["knotenpunkt"].db.close()


@pytest.fixture
def clients(voting_app, clock):
    """The voting client on the test's clock (the session's other clients are not needed here)."""
    voting_app.extensions["knotenpunkt"].clock = clock
    return {"voting": voting_app.test_client()}


@pytest.fixture
def voting_db(settings):
    db = Database(settings.app_url("voting"), max_size=6)
    db.open()
    yield db
    db.close()


@pytest.fixture
def context(settings, tenants, clock):
    """context(tenant, tenant_rules=None) -> the use-case Context at the test's time."""

    def make(tenant: str, rules: dict | None = None) -> Context:
        t = tenants.get(tenant)
        if rules is not None:
            t = dataclasses.replace(t, rules=rules)
        return Context(
            settings=settings,
            tenant=t,
            now=clock(),
            actor="test",
            deps=bootstrap.deps(settings, tenants),
            service="voting",
        )

    return make


@pytest.fixture
def body(voting_db, reset_body, context):
    """body(tenant, key, n) -> person ids: the electorate of that body is exactly n fresh members."""

    def make(tenant, key, n):
        reset_body(tenant, key)
        people = [unique("m") for _ in range(n)]
        with voting_db.transaction(tenant) as conn:
            for i, p in enumerate(people):
                handlers.add_voter(
                    handlers.AddVoter(key, p, f"Mitglied {i + 1}", f"{p}@example.org"),
                    conn,
                    context(tenant),
                )
        return people

    return make


def worker(settings, tenants, db, clock, **overrides) -> Worker:
    w = worker_for("voting", settings=settings.with_(**overrides), tenants=tenants, clock=clock)
    w.db = db
    return w


def open_ballot(clients, token, tenant, key, **extra):
    resp = clients["voting"].post(
        f"/api/v1/{tenant}/ballots",
        json={
            "body": key,
            "title": "Aufnahme Kulturverein",
            "subject": {"kind": "general"},
            **extra,
        },
        headers=token(tenant, "coordinator"),
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def vote(clients, token, tenant, ballot_id, person, choice, reason=None):
    return clients["voting"].post(
        f"/api/v1/{tenant}/ballots/{ballot_id}/votes",
        json={"choice": choice, "reason": reason},
        headers=token(tenant, "member", sub=person),
    )


def test_rules_come_from_the_body(clients, token, body):
    body("chemnitz", "vorbereitungsgremium", 3)
    b = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")
    assert b["decision_rule"] == "simple_majority" and b["reasons_required_for"] == ["no"]
    assert b["electorate_size"] == 3 and b["kind"] == "resolution" and b["tally"] is None
    body("magdeburg", "projektgruppe", 2)
    m = open_ballot(clients, token, "magdeburg", "projektgruppe")
    assert (
        m["decision_rule"] == "consensus"
        and m["kind"] == "recommendation"
        and m["choices"] == ["agree", "stand_aside", "object"]
    )
    bad = clients["voting"].post(
        "/api/v1/chemnitz/ballots",
        json={"body": "stadtrat", "title": "X y z"},
        headers=token("chemnitz", "coordinator"),
    )
    assert bad.status_code == 404
    past = clients["voting"].post(
        "/api/v1/chemnitz/ballots",
        json={
            "body": "vorbereitungsgremium",
            "title": "Zu spät",
            "deadline": "2020-01-01T00:00:00+00:00",
        },
        headers=token("chemnitz", "coordinator"),
    )
    assert past.status_code == 422 and "deadline" in past.get_json()["errors"]
    assert (
        clients["voting"]
        .post(
            "/api/v1/chemnitz/ballots",
            json={"body": "vorbereitungsgremium", "title": "abc"},
            headers=token("chemnitz", "member"),
        )
        .status_code
        == 403
    )


def test_vote_rules_change_and_early_close(clients, token, body):
    a, b, c = body("chemnitz", "vorbereitungsgremium", 3)
    ballot = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")
    bid = ballot["id"]
    no_reason = vote(clients, token, "chemnitz", bid, a, "no")
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    assert vote(clients, token, "chemnitz", bid, a, "object", "x").status_code == 422
    assert vote(clients, token, "chemnitz", bid, "stranger", "yes").status_code == 403
    assert vote(clients, token, "chemnitz", bid, a, "yes").status_code == 200
    assert (
        vote(clients, token, "chemnitz", bid, a, "no", "Es fehlt die Satzung.").get_json()[
            "changes"
        ]
        == 1
    )
    assert vote(clients, token, "chemnitz", bid, b, "yes").status_code == 200
    seen = (
        clients["voting"]
        .get(
            f"/api/v1/chemnitz/ballots/{bid}",
            headers=token("chemnitz", "member", sub=c, bodies=["vorbereitungsgremium"]),
        )
        .get_json()
    )
    assert seen["status"] == "open" and seen["tally"] is None and seen["voted"] == 2
    assert {v["person_id"]: v["voted"] for v in seen["voters"]}[c] is False
    last = vote(clients, token, "chemnitz", bid, c, "yes")
    assert last.get_json()["ballot_status"] == "closed"
    closed = (
        clients["voting"]
        .get(f"/api/v1/chemnitz/ballots/{bid}", headers=token("chemnitz", "coordinator"))
        .get_json()
    )
    assert (
        closed["outcome"] == "adopted"
        and closed["tally"]["yes"] == 2
        and closed["tally"]["no"] == 1
    )
    assert closed["dissent"] == [
        {"choice": "no", "reason": "Es fehlt die Satzung.", "person_id": a, "name": "Mitglied 1"}
    ]
    late = vote(clients, token, "chemnitz", bid, c, "no", "doch nicht")
    assert late.status_code == 409 and "geschlossen" in late.get_json()["detail"]


def test_consensus_blocked_by_one_objection(clients, token, body):
    people = body("magdeburg", "projektgruppe", 4)
    bid = open_ballot(clients, token, "magdeburg", "projektgruppe")["id"]
    for p, choice in zip(people, ["agree", "agree", "stand_aside"], strict=False):
        assert vote(clients, token, "magdeburg", bid, p, choice).status_code == 200
    assert (
        vote(clients, token, "magdeburg", bid, people[3], "object").status_code == 422
    )  # reason required
    assert (
        vote(clients, token, "magdeburg", bid, people[3], "object", "Kosten ungeklärt").status_code
        == 200
    )
    closed = (
        clients["voting"]
        .get(f"/api/v1/magdeburg/ballots/{bid}", headers=token("magdeburg", "coordinator"))
        .get_json()
    )
    assert closed["outcome"] == "rejected" and closed["outcome_text"].startswith(
        "Empfehlung an Oberbürgermeister"
    )
    assert closed["dissent"][0]["reason"] == "Kosten ungeklärt"


def test_two_concurrent_casts_by_one_member_leave_one_vote(clients, token, body, voting_db):
    people = body("chemnitz", "vorbereitungsgremium", 3)
    bid = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")["id"]
    barrier = threading.Barrier(2)
    results = []

    def cast(choice):
        barrier.wait()
        results.append(
            vote(clients, token, "chemnitz", bid, people[0], choice, "Grund").status_code
        )

    threads = [threading.Thread(target=cast, args=(c,)) for c in ("yes", "no")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200, 200]
    with voting_db.transaction("chemnitz") as conn:
        rows = conn.execute("select choice from votes where ballot_id = %s", (bid,)).fetchall()
    assert len(rows) == 1


def test_vote_racing_the_deadline(clients, token, body, voting_db, settings, tenants, clock):
    """Votes arriving while the worker closes at the deadline count, or get 409: none is lost."""
    people = body("chemnitz", "vorbereitungsgremium", 3)
    deadline = clock() + timedelta(minutes=5)
    bid = open_ballot(
        clients, token, "chemnitz", "vorbereitungsgremium", deadline=deadline.isoformat()
    )["id"]
    assert vote(clients, token, "chemnitz", bid, people[0], "yes").status_code == 200
    # The worker's clock has reached the deadline; the app's (the voters') has not quite.
    closer = worker(settings, tenants, voting_db, lambda: deadline)
    start = threading.Barrier(2)
    closer_done = threading.Event()

    def close():
        start.wait()
        vw.close_due(closer, closer.context("chemnitz"))
        closer_done.set()

    t = threading.Thread(target=close)
    t.start()
    start.wait()
    codes = []
    while not closer_done.is_set() or not codes or codes[-1] != 409:
        codes.append(vote(clients, token, "chemnitz", bid, people[1], "abstain").status_code)
    t.join()
    accepted = codes.count(200)
    # Accepted while open, refused once closed, never anything else.
    assert codes == [200] * accepted + [409] * (len(codes) - accepted)
    after = vote(clients, token, "chemnitz", bid, people[2], "yes")
    assert after.status_code == 409 and "geschlossen" in after.get_json()["detail"]
    closed = (
        clients["voting"]
        .get(f"/api/v1/chemnitz/ballots/{bid}", headers=token("chemnitz", "coordinator"))
        .get_json()
    )
    assert closed["status"] == "closed" and closed["closed_by"] == "deadline"
    assert closed["tally"]["voted"] == 1 + min(accepted, 1)
    assert closed["tally"]["abstain"] == min(accepted, 1)


def test_a_vote_after_the_deadline_is_refused_before_the_worker_closes(clients, token, body, clock):
    people = body("chemnitz", "vorbereitungsgremium", 3)
    deadline = clock() + timedelta(hours=1)
    bid = open_ballot(
        clients, token, "chemnitz", "vorbereitungsgremium", deadline=deadline.isoformat()
    )["id"]
    clock.advance(hours=1)
    late = vote(clients, token, "chemnitz", bid, people[0], "yes")
    assert late.status_code == 409
    assert "Frist" in late.get_json()["detail"] and "abgelaufen" in late.get_json()["detail"]


def test_record_detects_changed_and_deleted_votes(clients, token, body, settings):
    people = body("chemnitz", "vorbereitungsgremium", 3)
    bid = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")["id"]
    vote(clients, token, "chemnitz", bid, people[0], "yes")
    vote(clients, token, "chemnitz", bid, people[1], "no", "Noch zu klären.")
    coord = token("chemnitz", "coordinator")
    rec = clients["voting"].get(f"/api/v1/chemnitz/ballots/{bid}/record", headers=coord).get_json()
    assert rec["valid"] is True and [e["entry"]["type"] for e in rec["entries"]] == [
        "opened",
        "vote",
        "vote",
    ]
    with psycopg.connect(settings.admin_url("knotenpunkt_voting")) as conn:
        conn.execute(
            "update votes set choice = 'yes', reason = null where ballot_id = %s and person_id = %s",
            (bid, people[1]),
        )
    rec = clients["voting"].get(f"/api/v1/chemnitz/ballots/{bid}/record", headers=coord).get_json()
    changed = f"Die Stimme von {people[1]} weicht vom Protokoll ab (verändert oder gelöscht)."
    assert rec["valid"] is False and rec["problems"] == [changed]
    with psycopg.connect(settings.admin_url("knotenpunkt_voting")) as conn:
        conn.execute(
            "update ballot_record set entry = jsonb_set(entry, '{choice}', '\"yes\"') where ballot_id = %s and seq = 3",
            (bid,),
        )
    rec = clients["voting"].get(f"/api/v1/chemnitz/ballots/{bid}/record", headers=coord).get_json()
    # the entry no longer matches its hash; its reason still differs from the stored vote
    assert rec["problems"] == ["Eintrag 3: Inhalt wurde verändert (Hash stimmt nicht).", changed]


def open_secret_ballot(tenants, voting_db, context, clock, title: str) -> dict:
    """A ballot of Chemnitz's Vorbereitungsgremium under rules that make its ballots secret."""
    rules = tenants.get("chemnitz").rules
    secret = {
        **rules,
        "bodies": [
            {**b, "secret": True} if b["key"] == "vorbereitungsgremium" else b
            for b in rules["bodies"]
        ],
    }
    with voting_db.transaction("chemnitz") as conn:
        return handlers.open_ballot(
            handlers.OpenBallot(
                "vorbereitungsgremium", title, deadline=clock() + timedelta(days=1)
            ),
            conn,
            context("chemnitz", secret),
        )


def test_secret_ballot_keeps_who_apart_from_what(
    clients, token, body, settings, tenants, voting_db, context, clock
):
    people = body("chemnitz", "vorbereitungsgremium", 2)
    ballot = open_secret_ballot(tenants, voting_db, context, clock, "Geheime Wahl")
    assert ballot["secret"] is True
    bid = str(ballot["id"])
    assert (
        vote(clients, token, "chemnitz", bid, people[0], "no", "geheim begründet").status_code
        == 200
    )
    again = vote(clients, token, "chemnitz", bid, people[0], "yes")
    assert again.status_code == 409
    vote(clients, token, "chemnitz", bid, people[1], "yes")
    closed = (
        clients["voting"]
        .get(f"/api/v1/chemnitz/ballots/{bid}", headers=token("chemnitz", "coordinator"))
        .get_json()
    )
    assert (
        closed["status"] == "closed" and closed["tally"]["yes"] == 1 and closed["tally"]["no"] == 1
    )
    assert closed["dissent"] == [
        {"choice": "no", "reason": "geheim begründet", "person_id": None, "name": None}
    ]
    with psycopg.connect(settings.admin_url("knotenpunkt_voting")) as conn:
        cols = {
            r[0]
            for r in conn.execute(
                "select column_name from information_schema.columns where table_name = 'secret_votes'"
            )
        }
    assert "person_id" not in cols
    rec = (
        clients["voting"]
        .get(f"/api/v1/chemnitz/ballots/{bid}/record", headers=token("chemnitz", "coordinator"))
        .get_json()
    )
    assert rec["valid"] and all(
        "choice" not in e["entry"] for e in rec["entries"] if e["entry"]["type"] == "participation"
    )


def test_other_tenant_cannot_see_ballot(clients, token, body):
    body("chemnitz", "vorbereitungsgremium", 1)
    bid = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")["id"]
    assert (
        clients["voting"]
        .get(f"/api/v1/magdeburg/ballots/{bid}", headers=token("magdeburg", "coordinator"))
        .status_code
        == 404
    )
    assert clients["voting"].get(f"/api/v1/chemnitz/ballots/{bid}").status_code == 401


def test_worker_closes_at_the_deadline_and_reminds_who_has_not_voted(
    clients, token, body, settings, tenants, voting_db, clock
):
    people = body("chemnitz", "vorbereitungsgremium", 3)
    w = worker(settings, tenants, voting_db, clock, reminder_hours=48)
    with voting_db.transaction("chemnitz") as conn:
        ctx = w.context("chemnitz")
        soon, ending, later = (
            handlers.open_ballot(
                handlers.OpenBallot(
                    "vorbereitungsgremium", title, deadline=clock() + delta, opened_by="test"
                ),
                conn,
                ctx,
            )
            for title, delta in (
                ("Bald zu Ende", timedelta(hours=1)),
                ("Endet gleich", timedelta(seconds=1)),
                ("Noch lange offen", timedelta(days=10)),
            )
        )
    for ballot in (soon, ending, later):
        vote(clients, token, "chemnitz", str(ballot["id"]), people[0], "yes")
    vw.remind(w, w.context("chemnitz"))
    vw.remind(w, w.context("chemnitz"))  # once only
    clock.advance(seconds=1)
    vw.close_due(w, w.context("chemnitz"))
    with voting_db.transaction("chemnitz") as conn:
        reminded = {
            r["ballot_id"]: r["not_voted"]
            for r in conn.execute(
                "select envelope->'data'->>'ballot_id' as ballot_id,"
                " envelope->'data'->'not_voted' as not_voted from outbox"
                " where routing_key = 'chemnitz.voting.ballot.reminder_due'"
                " and envelope->'data'->>'ballot_id' = any(%s)",
                ([str(b["id"]) for b in (soon, ending, later)],),
            ).fetchall()
        }
        closed = store.ballots.get_ballot(conn, ending["id"])
        still_open = store.ballots.get_ballot(conn, soon["id"])
    not_voted = [
        {"person_id": p, "name": f"Mitglied {i}"} for i, p in enumerate(people[1:], start=2)
    ]
    # within 48 hours of their deadline: reminded once each; ten days ahead: not yet
    assert reminded == {str(soon["id"]): not_voted, str(ending["id"]): not_voted}
    assert (
        closed["status"] == "closed"
        and closed["closed_by"] == "deadline"
        and closed["closed_at"] == clock()
        and closed["tally"]["voted"] == 1
    )
    assert still_open["status"] == "open"


# --- Issue 10: roles, per-member data, subjects, origin, pages, dates ---------------------------


def test_every_voting_route_declares_one_action(voting_app):
    from knotenpunkt.shared.access import action_of

    missing = [
        f"{method} {rule.rule}"
        for rule in voting_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/<tenant>/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if action_of(getattr(voting_app.view_functions[rule.endpoint].view_class, method.lower()))
        is None
    ]
    assert missing == []


def test_federation_reads_no_ballot_and_no_electorate(clients, token, body):
    body("chemnitz", "vorbereitungsgremium", 1)
    bid = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")["id"]
    fed = token("chemnitz", "federation")
    for path in (
        "ballots",
        f"ballots/{bid}",
        f"ballots/{bid}/record",
        "electorates/vorbereitungsgremium",
    ):
        assert clients["voting"].get(f"/api/v1/chemnitz/{path}", headers=fed).status_code == 403


def test_record_and_electorate_only_for_the_body_and_no_interim_choices(clients, token, body):
    a, b = body("chemnitz", "vorbereitungsgremium", 2)
    bid = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")["id"]
    assert vote(clients, token, "chemnitz", bid, a, "no", "Satzung fehlt.").status_code == 200
    v = clients["voting"]
    outsider = token("chemnitz", "member", sub="x", bodies=["netzwerkkonferenz"])
    insider = token("chemnitz", "member", sub=b, bodies=["vorbereitungsgremium"])
    assert v.get(f"/api/v1/chemnitz/ballots/{bid}/record", headers=outsider).status_code == 403
    assert (
        v.get(
            f"/api/v1/chemnitz/ballots/{bid}/record", headers=token("chemnitz", "member")
        ).status_code
        == 403
    )
    assert (
        v.get("/api/v1/chemnitz/electorates/vorbereitungsgremium", headers=outsider).status_code
        == 403
    )
    assert (
        v.get("/api/v1/chemnitz/electorates/vorbereitungsgremium", headers=insider).status_code
        == 200
    )
    # an outsider sees the ballot, but not who may vote or has voted
    seen = v.get(f"/api/v1/chemnitz/ballots/{bid}", headers=outsider).get_json()
    assert seen["voters"] == [] and seen["voted"] == 1
    listed = v.get("/api/v1/chemnitz/ballots?body=vorbereitungsgremium", headers=outsider)
    assert next(x for x in listed.get_json() if x["id"] == bid)["voters"] == []
    for reader in (insider, token("chemnitz", "coordinator")):
        rec = v.get(f"/api/v1/chemnitz/ballots/{bid}/record", headers=reader).get_json()
        assert rec["valid"] is True
        assert [e["entry"] for e in rec["entries"]][1:] == [{"type": "vote", "person_id": a}]
        assert all(e["hash"] is None and e["prev_hash"] is None for e in rec["entries"])
    vote(clients, token, "chemnitz", bid, b, "yes")  # the last vote closes the ballot
    rec = v.get(f"/api/v1/chemnitz/ballots/{bid}/record", headers=insider).get_json()
    assert {"type": "vote", "person_id": a, "choice": "no", "reason": "Satzung fehlt."} in [
        e["entry"] for e in rec["entries"]
    ]
    assert all(e["hash"] for e in rec["entries"])
    closed = v.get(f"/api/v1/chemnitz/ballots/{bid}", headers=outsider).get_json()
    assert closed["dissent"] == [
        {"choice": "no", "reason": "Satzung fehlt.", "person_id": None, "name": None}
    ]


@pytest.mark.parametrize("kind", ["admission", "working_group_founding"])
def test_a_ballot_opened_by_hand_takes_no_application_or_proposal(clients, token, body, kind):
    body("chemnitz", "vorbereitungsgremium", 1)
    resp = clients["voting"].post(
        "/api/v1/chemnitz/ballots",
        json={
            "body": "vorbereitungsgremium",
            "title": "Aufnahme von Hand",
            "subject": {"kind": kind, "id": unique("app")},
        },
        headers=token("chemnitz", "coordinator"),
    )
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["subject.kind"]


def closed_event(voting_db, ballot_id) -> dict:
    with voting_db.transaction("chemnitz") as conn:
        return conn.execute(
            "select envelope->'data' as data from outbox"
            " where routing_key = 'chemnitz.voting.ballot.closed'"
            " and envelope->'data'->>'ballot_id' = %s",
            (str(ballot_id),),
        ).fetchone()["data"]


def test_ballot_closed_tells_how_the_ballot_was_opened(
    clients, token, body, settings, tenants, voting_db, clock
):
    body("chemnitz", "vorbereitungsgremium", 1)
    w = worker(settings, tenants, voting_db, clock)
    app_id = unique("app")
    env = {
        "id": unique("env"),
        "tenant": "chemnitz",
        "data": {
            "body": "vorbereitungsgremium",
            "subject": {"kind": "admission", "id": app_id},
            "title": "Aufnahme",
        },
    }
    with voting_db.transaction("chemnitz") as conn:
        vw.on_application_checked(conn, env, w.context("chemnitz"))
        ballot = store.ballots.open_for_subject(conn, "admission", app_id)
    by_hand = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")
    coord = token("chemnitz", "coordinator")
    for b in (ballot, by_hand):
        assert (
            clients["voting"]
            .post(f"/api/v1/chemnitz/ballots/{b['id']}/close", headers=coord)
            .status_code
            == 200
        )
    checked = closed_event(voting_db, ballot["id"])
    assert {k: checked[k] for k in ("ballot_id", "body", "origin", "opened_by", "subject")} == {
        "ballot_id": str(ballot["id"]),
        "body": "vorbereitungsgremium",
        "origin": "application.checked",
        "opened_by": f"event:{env['id']}",
        "subject": {"kind": "admission", "id": app_id},
    }
    manual = closed_event(voting_db, by_hand["id"])
    assert manual["origin"] == "manual" and manual["opened_by"].startswith("dev-")


def test_secret_dissent_has_the_named_shape_with_empty_names(
    clients, token, body, tenants, voting_db, context, clock
):
    people = body("chemnitz", "vorbereitungsgremium", 1)
    ballot = open_secret_ballot(tenants, voting_db, context, clock, "Geheim")
    vote(clients, token, "chemnitz", str(ballot["id"]), people[0], "no", "lieber nicht")
    assert closed_event(voting_db, ballot["id"])["dissent"] == [
        {"choice": "no", "reason": "lieber nicht", "person_id": None, "name": None}
    ]


def test_ballots_come_in_pages(clients, token, body):
    body("saalekreis", "netzwerksitzung", 1)
    v, coord = clients["voting"], token("saalekreis", "coordinator")
    query = "/api/v1/saalekreis/ballots?body=netzwerksitzung&page_size=2"
    before = int(v.get(query, headers=coord).headers["X-Total-Count"])
    mine = {open_ballot(clients, token, "saalekreis", "netzwerksitzung")["id"] for _ in range(3)}
    first = v.get(query, headers=coord)
    total = int(first.headers["X-Total-Count"])
    assert total == before + 3 and len(first.get_json()) == 2
    pages, page = [[b["id"] for b in first.get_json()]], 2
    while sum(map(len, pages)) < total:
        rows = v.get(f"{query}&page={page}", headers=coord).get_json()
        assert rows, page
        pages.append([b["id"] for b in rows])
        page += 1
    seen = [i for p in pages for i in p]
    # every ballot of the body on exactly one page, the three new ones among them
    assert len(seen) == len(set(seen)) == total
    assert mine <= set(seen)
    assert v.get(f"{query}&page={page}", headers=coord).get_json() == []
    for bad in ("page_size=100000", "page=0", f"page={10**30}"):
        resp = v.get(f"/api/v1/saalekreis/ballots?{bad}", headers=coord)
        assert resp.status_code == 422, bad
        assert list(resp.get_json()["errors"]) == ["query." + bad.split("=")[0]]


@pytest.mark.parametrize(
    "deadline",
    ["0001-01-01T00:00:00+00:00", "9999-12-31T23:00:00+00:00", "2099-01-01T00:00:00+00:00"],
)
def test_deadlines_far_off_are_refused(clients, token, body, deadline):
    body("chemnitz", "vorbereitungsgremium", 1)
    resp = clients["voting"].post(
        "/api/v1/chemnitz/ballots",
        json={"body": "vorbereitungsgremium", "title": "Fern", "deadline": deadline},
        headers=token("chemnitz", "coordinator"),
    )
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["deadline"]
    if not deadline.startswith("2099"):  # 2099: the body's rule (domain), not the schema's range
        assert resp.get_json()["errors"]["deadline"] == ["Muss im Bereich 1900 bis 2200 liegen."]
        english = clients["voting"].post(
            "/api/v1/chemnitz/ballots",
            json={"body": "vorbereitungsgremium", "title": "Fern", "deadline": deadline},
            headers={**token("chemnitz", "coordinator"), "Accept-Language": "en"},
        )
        assert english.get_json()["errors"] == {
            "deadline": ["Must be no earlier than 1900 and no later than 2200."]
        }
