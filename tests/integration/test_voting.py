"""Voting endpoints against real PostgreSQL: rules from the tenant file, one vote per member, deadlines, the record."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from services.voting import store
from shared.db import Database
from tests.support import unique


@pytest.fixture
def voting_db(settings):
    db = Database(settings.app_url("voting"), max_size=6)
    db.open()
    yield db
    db.close()


@pytest.fixture
def body(settings, voting_db, reset_body):
    """body(tenant, key, n) -> person ids: the electorate of that body is exactly n fresh members."""

    def make(tenant, key, n):
        reset_body(tenant, key)
        people = [unique("m") for _ in range(n)]
        with voting_db.transaction(tenant) as conn:
            for i, p in enumerate(people):
                store.upsert_voter(
                    conn,
                    tenant,
                    key,
                    {"person_id": p, "name": f"Mitglied {i + 1}", "email": f"{p}@example.org"},
                )
        return people

    return make


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
        .get(f"/api/v1/chemnitz/ballots/{bid}", headers=token("chemnitz", "member", sub=c))
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


def test_vote_racing_the_deadline(clients, token, body, voting_db):
    people = body("chemnitz", "vorbereitungsgremium", 3)
    deadline = datetime.now(UTC) + timedelta(seconds=2)
    bid = open_ballot(
        clients, token, "chemnitz", "vorbereitungsgremium", deadline=deadline.isoformat()
    )["id"]
    assert vote(clients, token, "chemnitz", bid, people[0], "yes").status_code == 200
    accepted = 1
    closer_done = threading.Event()

    def closer():
        time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()))
        with voting_db.transaction("chemnitz") as conn:
            store.close(conn, "chemnitz", bid, "deadline")
        closer_done.set()

    t = threading.Thread(target=closer)
    t.start()
    codes = []
    while not closer_done.is_set():
        r = vote(clients, token, "chemnitz", bid, people[1], "abstain")
        codes.append(r.status_code)
        time.sleep(0.05)
    t.join()
    assert set(codes) <= {200, 409}
    if 200 in codes:
        accepted += 1
    after = vote(clients, token, "chemnitz", bid, people[2], "yes")
    assert after.status_code == 409
    closed = (
        clients["voting"]
        .get(f"/api/v1/chemnitz/ballots/{bid}", headers=token("chemnitz", "coordinator"))
        .get_json()
    )
    assert closed["status"] == "closed" and closed["tally"]["voted"] == accepted


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
    assert rec["valid"] is False and people[1] in rec["problems"][0]
    with psycopg.connect(settings.admin_url("knotenpunkt_voting")) as conn:
        conn.execute(
            "update ballot_record set entry = jsonb_set(entry, '{choice}', '\"yes\"') where ballot_id = %s and seq = 3",
            (bid,),
        )
    rec = clients["voting"].get(f"/api/v1/chemnitz/ballots/{bid}/record", headers=coord).get_json()
    assert any("verändert" in p for p in rec["problems"])


def test_secret_ballot_keeps_who_apart_from_what(
    clients, token, body, settings, tenants, voting_db
):
    people = body("chemnitz", "vorbereitungsgremium", 2)
    rules = {**tenants.get("chemnitz").body("vorbereitungsgremium"), "secret": True}
    with voting_db.transaction("chemnitz") as conn:
        ballot = store.open_ballot(
            conn,
            "chemnitz",
            rules,
            {"title": "Geheime Wahl", "deadline": datetime.now(UTC) + timedelta(days=1)},
            "test",
        )
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
    assert closed["dissent"] == [{"choice": "no", "reason": "geheim begründet"}]
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
    clients, token, body, settings, tenants, voting_db
):
    from services.voting import worker as vw
    from shared.worker import Worker

    people = body("chemnitz", "vorbereitungsgremium", 3)
    w = Worker(
        "voting", vw.HANDLERS, vw.JOBS, settings=settings.with_(reminder_hours=48), tenants=tenants
    )
    w.db = voting_db
    rules = tenants.get("chemnitz").body("vorbereitungsgremium")
    with voting_db.transaction("chemnitz") as conn:
        soon = store.open_ballot(
            conn,
            "chemnitz",
            rules,
            {"title": "Bald zu Ende", "deadline": datetime.now(UTC) + timedelta(hours=1)},
            "test",
        )
        ending = store.open_ballot(
            conn,
            "chemnitz",
            rules,
            {"title": "Endet gleich", "deadline": datetime.now(UTC) + timedelta(seconds=1)},
            "test",
        )
    vote(clients, token, "chemnitz", str(soon["id"]), people[0], "yes")
    vote(clients, token, "chemnitz", str(ending["id"]), people[0], "yes")
    vw.remind(w, w.context("chemnitz"))
    vw.remind(w, w.context("chemnitz"))  # once only
    time.sleep(1.2)
    vw.close_due(w, w.context("chemnitz"))
    with voting_db.transaction("chemnitz") as conn:
        reminders = conn.execute(
            "select envelope from outbox where routing_key = 'chemnitz.voting.ballot.reminder_due' and envelope->'data'->>'ballot_id' = %s",
            (str(soon["id"]),),
        ).fetchall()
        closed = store.get_ballot(conn, ending["id"])
        still_open = store.get_ballot(conn, soon["id"])
    assert len(reminders) == 1
    assert {p["person_id"] for p in reminders[0]["envelope"]["data"]["not_voted"]} == {
        people[1],
        people[2],
    }
    assert (
        closed["status"] == "closed"
        and closed["closed_by"] == "deadline"
        and closed["tally"]["voted"] == 1
    )
    assert still_open["status"] == "open"
