"""Voting end to end over HTTP and RabbitMQ: the Chemnitz admission and a Magdeburg recommendation."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.support import unique


def test_chemnitz_admission_two_yes_one_no(clients, token, flow, set_body):
    a, b, c = set_body("chemnitz", "vorbereitungsgremium", ["Anna A.", "Bernd B.", "Cem C."])
    flow.settle()
    m = clients["membership"]
    name = unique("Vietnamesischer Verein")
    app = m.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": name, "kind": "migrant_self_organisation"},
            "contact": {"name": "Lan Nguyen", "email": "lan@verein.example"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    ).get_json()
    m.post(
        f"/api/v1/chemnitz/applications/{app['id']}/check",
        json={"complete": True, "plausible": True},
        headers=token("chemnitz", "coordinator"),
    )
    flow.settle()

    ballots = (
        clients["voting"]
        .get(
            "/api/v1/chemnitz/ballots?status=open&body=vorbereitungsgremium",
            headers=token("chemnitz", "member", sub=a),
        )
        .get_json()
    )
    ballot = next(x for x in ballots if x["subject"] == {"kind": "admission", "id": app["id"]})
    assert ballot["electorate_size"] == 3 and ballot["decision_rule"] == "simple_majority"
    # the tenant's 14 days, counted by membership when it checked the application
    period = datetime.fromisoformat(ballot["deadline"]) - datetime.fromisoformat(
        ballot["opened_at"]
    )
    assert abs(period - timedelta(days=14)) < timedelta(minutes=1)

    v = clients["voting"]
    assert (
        v.post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={"choice": "yes"},
            headers=token("chemnitz", "member", sub=a),
        ).status_code
        == 200
    )
    assert (
        v.post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={"choice": "no"},
            headers=token("chemnitz", "member", sub=c),
        ).status_code
        == 422
    )
    assert (
        v.post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={"choice": "no", "reason": "Ziele noch unklar."},
            headers=token("chemnitz", "member", sub=c),
        ).status_code
        == 200
    )
    last = v.post(
        f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
        json={"choice": "yes"},
        headers=token("chemnitz", "member", sub=b),
    )
    assert last.get_json()["ballot_status"] == "closed"
    flow.settle()

    decided = m.get(
        f"/api/v1/chemnitz/applications/{app['id']}", headers=token("chemnitz", "coordinator")
    ).get_json()
    assert decided["status"] == "admitted"
    assert decided["decision"]["tally"]["yes"] == 2 and decided["decision"]["tally"]["no"] == 1
    assert [d["reason"] for d in decided["decision"]["dissent"]] == ["Ziele noch unklar."]
    assert (
        m.get(
            f"/api/v1/chemnitz/partners?q={name}", headers=token("chemnitz", "coordinator")
        ).get_json()["total"]
        == 1
    )


def test_magdeburg_recommendation_blocked_by_one_objection(clients, token, flow, set_body):
    people = set_body("magdeburg", "projektgruppe", ["Amt 16", "FB 32", "Amt 50"])
    flow.settle()
    coord = token("magdeburg", "coordinator")
    ballot = (
        clients["voting"]
        .post(
            "/api/v1/magdeburg/ballots",
            json={
                "body": "projektgruppe",
                "title": "Empfehlung: Sprachmittlerpool",
                "subject": {"kind": "recommendation"},
            },
            headers=coord,
        )
        .get_json()
    )
    for p, choice, reason in zip(
        people, ["agree", "stand_aside", "object"], [None, None, "Finanzierung offen"], strict=True
    ):
        r = clients["voting"].post(
            f"/api/v1/magdeburg/ballots/{ballot['id']}/votes",
            json={"choice": choice, "reason": reason},
            headers=token("magdeburg", "member", sub=p),
        )
        assert r.status_code == 200
    flow.settle()
    closed = (
        clients["voting"].get(f"/api/v1/magdeburg/ballots/{ballot['id']}", headers=coord).get_json()
    )
    assert closed["outcome"] == "rejected" and closed["kind"] == "recommendation"
    assert "Beschluss" not in closed["outcome_text"] and closed["outcome_text"].startswith(
        "Empfehlung an Oberbürgermeister"
    )
    assert closed["dissent"] == [
        {
            "choice": "object",
            "reason": "Finanzierung offen",
            "person_id": people[2],
            "name": "Amt 50",
        }
    ]


def test_chemnitz_working_group_founded_by_ballot(clients, token, flow, set_body):
    a, b = set_body("chemnitz", "vorbereitungsgremium", ["Anna A.", "Bernd B."])
    flow.settle()
    topic = unique("Wohnen im Quartier")
    prop = clients["membership"].post(
        "/api/v1/chemnitz/working-group-proposals",
        json={"topic": topic, "aims": "Wohnungssuche erleichtern", "planned_months": 12},
        headers=token("chemnitz", "partner", sub="verein-x"),
    )
    assert prop.get_json()["status"] == "in_vote"
    flow.settle()
    coord = token("chemnitz", "coordinator")
    ballot = next(
        x
        for x in clients["voting"]
        .get("/api/v1/chemnitz/ballots?status=open", headers=coord)
        .get_json()
        if x["subject"] == {"kind": "working_group_founding", "id": prop.get_json()["id"]}
    )
    for p in (a, b):
        clients["voting"].post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={"choice": "yes"},
            headers=token("chemnitz", "member", sub=p),
        )
    flow.settle()
    decided = next(
        x
        for x in clients["membership"]
        .get("/api/v1/chemnitz/working-group-proposals", headers=coord)
        .get_json()
        if x["id"] == prop.get_json()["id"]
    )
    assert decided["status"] == "approved" and decided["working_group_id"]
    group = (
        clients["membership"]
        .get(f"/api/v1/chemnitz/working-groups/{decided['working_group_id']}", headers=coord)
        .get_json()
    )
    assert (
        group["topic"] == topic
        and group["members"][0]["person_id"] == "verein-x"
        and group["members"][0]["role"] == "leader"
    )
