"""Chemnitz admission end to end over HTTP and RabbitMQ: the Vorbereitungsgremium's own ballot decides,
and the outcome is told only after the voting period (Leitlinie 3), even when the ballot closes early."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from kombu import Connection

from knotenpunkt.services.membership import worker as mw
from knotenpunkt.shared.messaging import envelope, exchanges
from tests.support import Clock, unique

BODY = "vorbereitungsgremium"


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


def publish(settings, env: dict) -> None:
    with Connection(settings.broker_url) as conn:
        conn.Producer().publish(
            json.dumps(env, default=str),
            exchange=exchanges()[0],
            routing_key=f"{env['tenant']}.voting.ballot.closed",
            declare=[exchanges()[0]],
        )


def apply(c, name: str, email: str, **organisation) -> dict:
    resp = c.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": name, **organisation},
            "contact": {"name": "Amadou Diallo", "email": email},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def own_ballot(clients, token, app_id: str) -> dict:
    """The ballot voting opened from the application's check."""
    ballots = (
        clients["voting"]
        .get(
            f"/api/v1/chemnitz/ballots?status=open&body={BODY}",
            headers=token("chemnitz", "coordinator"),
        )
        .get_json()
    )
    return next(b for b in ballots if b["subject"] == {"kind": "admission", "id": app_id})


def vote(clients, token, ballot: dict, people: list[str], choices: list[str]) -> None:
    for person, choice in zip(people, choices, strict=True):
        resp = clients["voting"].post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={
                "choice": choice,
                "reason": "Bezug zu Chemnitz noch unklar." if choice == "no" else None,
            },
            headers=token("chemnitz", "member", sub=person),
        )
        assert resp.status_code == 200, resp.get_json()


def announce(flow) -> None:
    """The membership worker's job that tells the outcomes due by its clock."""
    w = flow.workers["membership"]
    mw.announce_decisions(w, w.context("chemnitz"))
    flow.settle()


def sent_events(flow, routing_key: str, **data) -> list[dict]:
    """Membership's events of this kind whose data hold these values."""
    with flow.workers["membership"].db.transaction("chemnitz") as conn:
        rows = conn.execute(
            "select envelope from outbox where routing_key = %s order by id", (routing_key,)
        ).fetchall()
    return [
        r["envelope"]
        for r in rows
        if all(r["envelope"]["data"].get(k) == v for k, v in data.items())
    ]


def test_early_close_tells_nobody_before_the_deadline_then_admits_and_lists(
    clients, token, flow, settings, set_body, clock
):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    people = set_body("chemnitz", BODY, ["Mitglied A", "Mitglied B", "Mitglied C"])
    flow.settle()
    name = unique("Afrikanischer Kulturverein")
    applicant = f"{unique('amadou')}@kulturverein.example"
    app = apply(c, name, applicant, kind="migrant_self_organisation", languages=["fr", "de"])
    app_id, tok = app["id"], app["token"]

    returned = c.post(
        f"/api/v1/chemnitz/applications/{app_id}/check",
        json={"complete": False, "plausible": True, "note": "Anschrift fehlt."},
        headers=coord,
    )
    assert returned.get_json()["status"] == "returned"
    corrected = c.patch(
        f"/api/v1/chemnitz/applications/{app_id}?token={tok}",
        json={
            "organisation": {
                "street": "Straße der Nationen 12",
                "postcode": "09111",
                "city": "Chemnitz",
            }
        },
    )
    assert corrected.get_json()["status"] == "submitted"
    checked = c.post(
        f"/api/v1/chemnitz/applications/{app_id}/check",
        json={"complete": True, "plausible": True},
        headers=coord,
    )
    assert checked.get_json()["status"] == "in_vote"
    flow.settle()

    # The Vorbereitungsgremium decides at once: 2 yes, 1 no with its reason; the ballot closes early.
    ballot = own_ballot(clients, token, app_id)
    deadline = datetime.fromisoformat(ballot["deadline"])
    assert deadline - clock() > timedelta(days=13)
    vote(clients, token, ballot, people, ["yes", "no", "yes"])
    flow.settle()

    # Before the deadline: the applicant sees the vote running, the public sees no partner.
    mine = c.get(f"/api/v1/chemnitz/applications/{app_id}?token={tok}").get_json()
    assert (mine["status"], mine["decision"], mine["partner_id"]) == ("in_vote", None, None)
    assert [h["status"] for h in mine["history"]][-1] == "in_vote"
    assert c.get(f"/api/v1/chemnitz/partners?q={name}").get_json()["total"] == 0
    assert (
        c.get(
            f"/api/v1/chemnitz/partners?q={name}", headers=token("chemnitz", "partner")
        ).get_json()["total"]
        == 0
    )
    c.post("/api/v1/chemnitz/directory/publications", headers=coord)
    latest = c.get("/api/v1/chemnitz/directory/publications/latest").get_json()
    assert name not in [e["name"] for e in latest["entries"]]
    withdraw = c.post(f"/api/v1/chemnitz/applications/{app_id}/withdraw?token={tok}")
    assert withdraw.status_code == 409 and "admitted" not in withdraw.get_json()["detail"]
    assert sent_events(flow, "chemnitz.membership.partner.admitted", application_id=app_id) == []
    with flow.workers["events"].db.transaction("chemnitz") as conn:
        copies = conn.execute(
            "select count(*) as n from partner_copies where name = %s", (name,)
        ).fetchone()["n"]
    assert copies == 0
    listed = (
        clients["notifications"]
        .get(f"/api/v1/chemnitz/notifications?recipient={applicant}", headers=coord)
        .get_json()
    )
    assert sorted(n["template"] for n in listed) == ["application_received", "application_returned"]
    # … while the Koordinierungsstelle sees the decision and the partner waiting to be listed
    full = c.get(f"/api/v1/chemnitz/applications/{app_id}", headers=coord).get_json()
    assert full["status"] == "admitted"
    assert full["decision"]["dissent"][0]["reason"] == "Bezug zu Chemnitz noch unklar."
    waiting = c.get(f"/api/v1/chemnitz/partners?q={name}", headers=coord).get_json()["items"]
    assert [p["embargoed_until"] is not None for p in waiting] == [True]

    announce(flow)  # a minute later: still within the voting period
    assert c.get(f"/api/v1/chemnitz/applications/{app_id}?token={tok}").get_json()["status"] == (
        "in_vote"
    )

    # After the deadline the worker tells it: listed, partner.admitted, the decision mail.
    clock.advance(days=15)
    announce(flow)
    mine = c.get(f"/api/v1/chemnitz/applications/{app_id}?token={tok}").get_json()
    assert mine["status"] == "admitted" and mine["partner_id"]
    assert mine["decision"]["tally"]["yes"] == 2 and "dissent" not in mine["decision"]
    public = c.get(f"/api/v1/chemnitz/partners?q={name}").get_json()
    assert public["total"] == 1 and public["items"][0]["id"] == mine["partner_id"]
    partners = c.get(f"/api/v1/chemnitz/partners?q={name}", headers=coord).get_json()
    assert partners["items"][0]["admitted_at"] and partners["items"][0]["embargoed_until"] is None
    assert partners["items"][0]["street"] == "Straße der Nationen 12"
    admitted = sent_events(flow, "chemnitz.membership.partner.admitted", application_id=app_id)
    assert len(admitted) == 1
    listed = (
        clients["notifications"]
        .get(f"/api/v1/chemnitz/notifications?recipient={applicant}", headers=coord)
        .get_json()
    )
    assert "application_admitted" in [n["template"] for n in listed]

    # redelivery of voting's ballot.closed changes nothing
    with flow.workers["voting"].db.transaction("chemnitz") as conn:
        env = conn.execute(
            "select envelope from outbox where routing_key = 'chemnitz.voting.ballot.closed'"
            " and envelope->'data'->>'ballot_id' = %s",
            (ballot["id"],),
        ).fetchone()["envelope"]
    publish(settings, env)
    flow.settle()
    assert c.get(f"/api/v1/chemnitz/partners?q={name}", headers=coord).get_json()["total"] == 1

    published = c.post("/api/v1/chemnitz/directory/publications", headers=coord)
    assert published.status_code == 201
    latest = c.get("/api/v1/chemnitz/directory/publications/latest").get_json()
    assert [e["new"] for e in latest["entries"] if e["name"] == name] == [True]
    with flow.workers["events"].db.transaction("chemnitz") as conn:
        copies = conn.execute(
            "select count(*) as n from partner_copies where name = %s", (name,)
        ).fetchone()["n"]
    assert copies == 1


def test_rejection_by_ballot_is_told_after_the_deadline(
    clients, token, flow, settings, set_body, clock
):
    c = clients["membership"]
    people = set_body("chemnitz", BODY, ["Mitglied A", "Mitglied B"])
    flow.settle()
    app = apply(c, unique("Beratungsfirma"), "k@firma.example")
    c.post(
        f"/api/v1/chemnitz/applications/{app['id']}/check",
        json={"complete": True, "plausible": True},
        headers=token("chemnitz", "coordinator"),
    )
    flow.settle()
    vote(clients, token, own_ballot(clients, token, app["id"]), people, ["no", "no"])
    flow.settle()
    url = f"/api/v1/chemnitz/applications/{app['id']}?token={app['token']}"
    assert c.get(url).get_json()["status"] == "in_vote"
    assert (
        sent_events(flow, "chemnitz.membership.application.rejected", application_id=app["id"])
        == []
    )
    clock.advance(days=15)
    announce(flow)
    assert c.get(url).get_json()["status"] == "rejected"
    rejected = sent_events(
        flow, "chemnitz.membership.application.rejected", application_id=app["id"]
    )
    assert len(rejected) == 1 and rejected[0]["data"]["decision"]["tally"]["no"] == 2


@pytest.mark.parametrize(
    "forged",
    [
        {"body": "netzwerkkonferenz"},  # another body
        {"origin": "manual", "opened_by": "coordinator-1"},  # opened by hand
        {"opened_by": "event:00000000-0000-4000-8000-000000000000"},  # from another check
        {"origin": None, "opened_by": None},  # says nothing about where it came from
    ],
)
def test_a_ballot_other_than_the_application_s_own_decides_nothing(
    clients, token, flow, settings, set_body, forged
):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    set_body("chemnitz", BODY, ["Mitglied A"])
    flow.settle()
    name = unique("Fremdbestimmter Verein")
    app = apply(c, name, "f@verein.example")
    c.post(
        f"/api/v1/chemnitz/applications/{app['id']}/check",
        json={"complete": True, "plausible": True},
        headers=coord,
    )
    flow.settle()
    real = own_ballot(clients, token, app["id"])
    (checked,) = sent_events(
        flow, "chemnitz.membership.application.checked", application_id=app["id"]
    )
    data = {
        "ballot_id": unique("ballot"),
        "body": BODY,
        "subject": {"kind": "admission", "id": app["id"]},
        "opened_by": f"event:{checked['id']}",  # as voting's would say, unless forged
        "origin": "application.checked",
        "outcome": "adopted",
        "binding": True,
        "tally": {"yes": 1, "no": 0, "abstain": 0, "electorate": 1},
        "dissent": [],
        "deadline": real["deadline"],
        **forged,
    }
    publish(settings, envelope("voting", "chemnitz", "ballot", "closed", data, data["ballot_id"]))
    flow.settle()
    full = c.get(f"/api/v1/chemnitz/applications/{app['id']}", headers=coord).get_json()
    assert full["status"] == "in_vote" and full["decision"] is None
    assert c.get(f"/api/v1/chemnitz/partners?q={name}", headers=coord).get_json()["total"] == 0
    # the real ballot still decides
    assert own_ballot(clients, token, app["id"])["id"] == real["id"]
