"""Applications (Beitrittserklärung): submission, refusal where there is no membership, check, correction, withdrawal."""

from __future__ import annotations

from tests.support import unique

BASE = "/api/v1/chemnitz/applications"


def application(name=None, **changes):
    body = {
        "organisation": {
            "name": name or unique("Kulturverein"),
            "kind": "migrant_self_organisation",
            "city": "Chemnitz",
        },
        "contact": {"name": "Leyla Demir", "email": "leyla@kulturverein.example"},
        "statements": {"migrant_interests": True, "non_commercial": True},
        "motivation": "Wir beraten Familien aus Syrien und Afghanistan.",
    }
    body.update(changes)
    return body


def test_anonymous_application_and_status_token(clients):
    c = clients["membership"]
    resp = c.post(BASE, json=application())
    assert resp.status_code == 201, resp.get_json()
    app = resp.get_json()
    assert app["status"] == "submitted" and app["token"]
    mine = c.get(f"{BASE}/{app['id']}?token={app['token']}")
    assert mine.status_code == 200 and mine.get_json()["status"] == "submitted"
    assert c.get(f"{BASE}/{app['id']}?token=wrong").status_code == 401
    assert c.get(f"{BASE}/{app['id']}").status_code == 401


def test_criteria_must_be_affirmed(clients):
    resp = clients["membership"].post(
        BASE, json=application(statements={"migrant_interests": True, "non_commercial": False})
    )
    assert resp.status_code == 422
    body = resp.get_json()
    assert "statements.non_commercial" in body["errors"]
    assert "keine kommerziellen Interessen" in body["detail"]
    missing = clients["membership"].post(BASE, json={"organisation": {"name": "X"}})
    assert missing.status_code == 422 and {"contact", "statements", "organisation.name"} <= set(
        missing.get_json()["errors"]
    )


def test_open_and_appointed_networks_refuse_and_store_nothing(clients, token):
    c = clients["membership"]
    open_ = c.post("/api/v1/saalekreis/applications", json=application())
    assert open_.status_code == 409
    assert (
        "keine Mitgliedschaft" in open_.get_json()["detail"]
        and "Arbeitsgruppen" in open_.get_json()["detail"]
    )
    appointed = c.post("/api/v1/magdeburg/applications", json=application())
    assert appointed.status_code == 409 and "benannt" in appointed.get_json()["detail"]
    for tenant in ("saalekreis", "magdeburg"):
        listed = c.get(
            f"/api/v1/{tenant}/applications", headers=token(tenant, "coordinator")
        ).get_json()
        assert listed["items"] == [] and listed["total"] == 0


def test_return_correct_check_and_event(clients, token, settings):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    app = c.post(BASE, json=application()).get_json()
    no_note = c.post(
        f"{BASE}/{app['id']}/check", json={"complete": False, "plausible": True}, headers=coord
    )
    assert no_note.status_code == 422 and "note" in no_note.get_json()["errors"]
    returned = c.post(
        f"{BASE}/{app['id']}/check",
        json={"complete": False, "plausible": True, "note": "Bitte Anschrift ergänzen."},
        headers=coord,
    )
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"
    seen = c.get(f"{BASE}/{app['id']}?token={app['token']}").get_json()
    assert seen["history"][-1]["note"] == "Bitte Anschrift ergänzen."
    again = c.post(
        f"{BASE}/{app['id']}/check", json={"complete": True, "plausible": True}, headers=coord
    )
    assert again.status_code == 409
    fixed = c.patch(
        f"{BASE}/{app['id']}?token={app['token']}",
        json={"organisation": {"street": "Markt 1", "postcode": "09111"}},
    )
    assert fixed.status_code == 200 and fixed.get_json()["status"] == "submitted"
    assert fixed.get_json()["organisation"]["street"] == "Markt 1"
    checked = c.post(
        f"{BASE}/{app['id']}/check", json={"complete": True, "plausible": True}, headers=coord
    )
    assert checked.status_code == 200 and checked.get_json()["status"] == "in_vote"
    import psycopg

    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        row = conn.execute(
            "select envelope from outbox where routing_key = 'chemnitz.membership.application.checked'"
            " and envelope->'data'->>'application_id' = %s",
            (app["id"],),
        ).fetchone()
    data = row[0]["data"]
    assert data["body"] == "vorbereitungsgremium" and data["decision_days"] == 14
    assert data["subject"] == {"kind": "admission", "id": app["id"]}


def test_withdraw_and_roles(clients, token):
    c = clients["membership"]
    app = c.post(BASE, json=application()).get_json()
    assert (
        c.post(
            f"{BASE}/{app['id']}/check",
            json={"complete": True, "plausible": True},
            headers=token("chemnitz", "partner"),
        ).status_code
        == 403
    )
    assert (
        c.post(f"{BASE}/{app['id']}/check", json={"complete": True, "plausible": True}).status_code
        == 401
    )
    gone = c.post(f"{BASE}/{app['id']}/withdraw?token={app['token']}")
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn"
    assert c.post(f"{BASE}/{app['id']}/withdraw?token={app['token']}").status_code == 409
    # another network's coordinator cannot see it
    assert (
        c.get(
            f"/api/v1/magdeburg/applications/{app['id']}", headers=token("magdeburg", "coordinator")
        ).status_code
        == 404
    )
