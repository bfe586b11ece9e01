"""Chemnitz admission end to end over HTTP and RabbitMQ (the ballot's result arrives as ballot.closed)."""

from __future__ import annotations

import json

from kombu import Connection

from shared.messaging import envelope, exchanges
from tests.support import unique


def publish_ballot_closed(settings, tenant: str, data: dict) -> dict:
    env = envelope("voting", tenant, "ballot", "closed", data, subject=data["ballot_id"])
    with Connection(settings.broker_url) as conn:
        conn.Producer().publish(
            json.dumps(env),
            exchange=exchanges()[0],
            routing_key=f"{tenant}.voting.ballot.closed",
            declare=[exchanges()[0]],
        )
    return env


def test_application_returned_corrected_checked_admitted_and_marked_new(
    clients, token, flow, settings
):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    name = unique("Afrikanischer Kulturverein")
    submitted = c.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {
                "name": name,
                "kind": "migrant_self_organisation",
                "languages": ["fr", "de"],
            },
            "contact": {"name": "Amadou Diallo", "email": "amadou@kulturverein.example"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    )
    assert submitted.status_code == 201
    app_id, tok = submitted.get_json()["id"], submitted.get_json()["token"]

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

    # The Vorbereitungsgremium decided: 2 yes, 1 no with its reason.
    closed = {
        "ballot_id": unique("ballot"),
        "body": "vorbereitungsgremium",
        "subject": {"kind": "admission", "id": app_id},
        "outcome": "adopted",
        "binding": True,
        "tally": {"yes": 2, "no": 1, "abstain": 0, "electorate": 3},
        "dissent": [
            {"choice": "no", "reason": "Bezug zu Chemnitz noch unklar.", "name": "Mitglied C"}
        ],
        "closed_at": "2026-11-22T12:00:00+00:00",
    }
    env = publish_ballot_closed(settings, "chemnitz", closed)
    publish_ballot_closed(
        settings, "chemnitz", closed
    )  # a second, different event for the same ballot
    flow.settle()

    mine = c.get(f"/api/v1/chemnitz/applications/{app_id}?token={tok}").get_json()
    assert mine["status"] == "admitted"
    assert mine["decision"]["tally"]["yes"] == 2 and "dissent" not in mine["decision"]
    full = c.get(f"/api/v1/chemnitz/applications/{app_id}", headers=coord).get_json()
    assert full["decision"]["dissent"][0]["reason"] == "Bezug zu Chemnitz noch unklar."
    partners = c.get(f"/api/v1/chemnitz/partners?q={name}", headers=coord).get_json()
    assert (
        partners["total"] == 1
        and partners["items"][0]["admitted_at"]
        and partners["items"][0]["street"] == "Straße der Nationen 12"
    )

    # redelivery of the very same event changes nothing
    with Connection(settings.broker_url) as conn:
        conn.Producer().publish(
            json.dumps(env), exchange=exchanges()[0], routing_key="chemnitz.voting.ballot.closed"
        )
    flow.settle()
    assert c.get(f"/api/v1/chemnitz/partners?q={name}", headers=coord).get_json()["total"] == 1

    published = c.post("/api/v1/chemnitz/directory/publications", headers=coord)
    assert published.status_code == 201
    latest = c.get("/api/v1/chemnitz/directory/publications/latest").get_json()
    entry = next(e for e in latest["entries"] if e["name"] == name)
    assert entry["new"] is True

    # the other services heard of the new partner too
    with flow.workers["events"].db.transaction("chemnitz") as conn:
        assert (
            conn.execute(
                "select count(*) as n from partner_copies where name = %s", (name,)
            ).fetchone()["n"]
            == 1
        )


def test_rejection_by_ballot(clients, token, flow, settings):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    app = c.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": unique("Beratungsfirma")},
            "contact": {"name": "K. Kaufmann", "email": "k@firma.example"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    ).get_json()
    c.post(
        f"/api/v1/chemnitz/applications/{app['id']}/check",
        json={"complete": True, "plausible": True},
        headers=coord,
    )
    publish_ballot_closed(
        settings,
        "chemnitz",
        {
            "ballot_id": unique("ballot"),
            "body": "vorbereitungsgremium",
            "subject": {"kind": "admission", "id": app["id"]},
            "outcome": "rejected",
            "tally": {"yes": 1, "no": 2, "abstain": 0, "electorate": 3},
            "dissent": [{"choice": "no", "reason": "Kommerzielle Interessen erkennbar."}],
        },
    )
    flow.settle()
    assert (
        c.get(f"/api/v1/chemnitz/applications/{app['id']}?token={app['token']}").get_json()[
            "status"
        ]
        == "rejected"
    )
