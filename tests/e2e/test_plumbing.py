"""The foundation's plumbing end to end: a change in membership reaches the other services' copies."""

from __future__ import annotations

from tests.support import unique


def test_body_member_reaches_voting_electorate_over_the_broker(clients, token, flow):
    coord = token("magdeburg", "coordinator")
    person = unique("amt")
    resp = clients["membership"].post(
        "/api/v1/magdeburg/bodies/projektgruppe/members",
        json={"person_id": person, "name": "Vertretung Amt 51", "email": "amt51@magdeburg.example"},
        headers=coord,
    )
    assert resp.status_code == 201
    flow.settle()
    voters = (
        clients["voting"]
        .get("/api/v1/magdeburg/electorates/projektgruppe", headers=coord)
        .get_json()
    )
    assert person in {v["person_id"] for v in voters}

    assert (
        clients["membership"]
        .delete(f"/api/v1/magdeburg/bodies/projektgruppe/members/{person}", headers=coord)
        .status_code
        == 204
    )
    flow.settle()
    voters = (
        clients["voting"]
        .get("/api/v1/magdeburg/electorates/projektgruppe", headers=coord)
        .get_json()
    )
    assert person not in {v["person_id"] for v in voters}
    # the other network's electorate is untouched and separate
    other = (
        clients["voting"]
        .get(
            "/api/v1/chemnitz/electorates/vorbereitungsgremium",
            headers=token("chemnitz", "coordinator"),
        )
        .get_json()
    )
    assert person not in {v["person_id"] for v in other}


def test_partner_reaches_events_and_notifications_copies(clients, token, flow):
    name = unique("Verein")
    resp = clients["membership"].post(
        "/api/v1/saalekreis/partners",
        json={"name": name, "kind": "initiative", "email": "kontakt@verein.example"},
        headers=token("saalekreis", "coordinator"),
    )
    pid = resp.get_json()["id"]
    flow.settle()
    with flow.workers["events"].db.transaction("saalekreis") as conn:
        row = conn.execute(
            "select name, email from partner_copies where partner_id = %s", (pid,)
        ).fetchone()
    assert row == {"name": name, "email": "kontakt@verein.example"}
    with flow.workers["notifications"].db.transaction("saalekreis") as conn:
        row = conn.execute(
            "select name from recipients where kind = 'partner' and ref = %s", (pid,)
        ).fetchone()
    assert row == {"name": name}
