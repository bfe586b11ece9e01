"""Membership endpoints of the foundation: rules, partners, bodies and members (with their events)."""

from __future__ import annotations

from tests.support import unique


def test_rules_are_public(clients):
    rules = clients["membership"].get("/api/v1/chemnitz/rules").get_json()
    assert rules["membership"]["mode"] == "application"
    assert rules["membership"]["decision_days"] == 14
    assert rules["contact_point"]["email"] == "integrationsnetzwerk@stadt-chemnitz.de"
    sk = clients["membership"].get("/api/v1/saalekreis/rules").get_json()
    assert sk["contact_point"]["street"] == "Geusaer Straße 81e"


def test_partner_lifecycle_and_public_view(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    name = unique("Migrantenverein")
    topic = unique("Sprache")
    created = c.post(
        "/api/v1/chemnitz/partners",
        json={
            "name": name,
            "kind": "migrant_self_organisation",
            "email": "info@verein.example",
            "languages": ["ar", "de"],
            "topics": ["Sprache", topic],
        },
        headers=coord,
    )
    assert created.status_code == 201, created.get_json()
    pid = created.get_json()["id"]
    dup = c.post("/api/v1/chemnitz/partners", json={"name": name, "kind": "other"}, headers=coord)
    assert dup.status_code == 409 and dup.get_json()["errors"]["name"]

    public = c.get(f"/api/v1/chemnitz/partners?q={name}").get_json()
    assert public["total"] == 1 and "email" not in public["items"][0]
    full = c.get(f"/api/v1/chemnitz/partners?q={name}", headers=coord).get_json()
    assert full["items"][0]["email"] == "info@verein.example"
    both = c.get(f"/api/v1/chemnitz/partners?language=ar&topic={topic}", headers=coord).get_json()
    assert both["total"] == 1 and [p["id"] for p in both["items"]] == [pid]
    other = c.get(f"/api/v1/chemnitz/partners?language=fr&topic={topic}", headers=coord).get_json()
    assert other["total"] == 0 and other["items"] == []

    hidden = c.patch(f"/api/v1/chemnitz/partners/{pid}", json={"public": False}, headers=coord)
    assert hidden.status_code == 200 and hidden.get_json()["public"] is False
    assert c.get(f"/api/v1/chemnitz/partners/{pid}").status_code == 404
    assert c.get(f"/api/v1/chemnitz/partners/{pid}", headers=coord).status_code == 200
    # another network does not see it at all
    assert (
        c.get(
            f"/api/v1/magdeburg/partners/{pid}", headers=token("magdeburg", "coordinator")
        ).status_code
        == 404
    )

    left = c.patch(f"/api/v1/chemnitz/partners/{pid}", json={"status": "left"}, headers=coord)
    assert left.status_code == 422 and "left_on" in left.get_json()["errors"]


def test_body_members(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    person = unique("p")
    resp = c.post(
        "/api/v1/chemnitz/bodies/vorbereitungsgremium/members",
        json={
            "person_id": person,
            "name": "Anna Beispiel",
            "email": "anna@example.org",
            "role": "member",
        },
        headers=coord,
    )
    assert resp.status_code == 201, resp.get_json()
    members = c.get(
        "/api/v1/chemnitz/bodies/vorbereitungsgremium/members", headers=coord
    ).get_json()
    assert [(m["name"], m["role"]) for m in members if m["person_id"] == person] == [
        ("Anna Beispiel", "member")
    ]
    assert c.get("/api/v1/chemnitz/bodies/stadtrat/members", headers=coord).status_code == 404
    assert (
        c.delete(
            f"/api/v1/chemnitz/bodies/vorbereitungsgremium/members/{person}", headers=coord
        ).status_code
        == 204
    )
    assert (
        c.delete(
            f"/api/v1/chemnitz/bodies/vorbereitungsgremium/members/{person}", headers=coord
        ).status_code
        == 404
    )
    members = c.get(
        "/api/v1/chemnitz/bodies/vorbereitungsgremium/members", headers=coord
    ).get_json()
    assert [m for m in members if m["person_id"] == person] == []
    bodies = c.get("/api/v1/magdeburg/bodies").get_json()
    assert bodies[0]["decision_rule"] == "consensus" and bodies[0]["binding"] is False


def test_seed_demo_fills_the_networks_and_can_run_again(settings, clients, token):
    from knotenpunkt.services.events.seed import seed_consultations
    from knotenpunkt.services.membership.seed import seed_demo

    seed_demo(settings)
    seed_consultations(settings)
    assert seed_consultations(settings) == 0
    titles = {
        c["title"] for c in clients["events"].get("/api/v1/chemnitz/consultations").get_json()
    }
    assert "Befragung der Chemnitzer Bürgerinnen und Bürger zum Integrationskonzept" in titles
    again = seed_demo(settings)
    assert again == {"chemnitz": 0, "saalekreis": 0, "magdeburg": 0, "mittelsachsen": 0}
    kammern = clients["membership"].get("/api/v1/chemnitz/partners?q=Handwerkskammer").get_json()
    assert kammern["total"] == 1
    groups = [
        g["name"] for g in clients["membership"].get("/api/v1/magdeburg/working-groups").get_json()
    ]
    for existing in (
        "Arbeitsgruppe Sprache",
        "Arbeitsgruppe Interkultur und Soziales",
        "Arbeitsgruppe Arbeit und Ausbildung",
    ):
        assert groups.count(existing) == 1, existing
    members = (
        clients["membership"]
        .get(
            "/api/v1/magdeburg/bodies/projektgruppe/members",
            headers=token("magdeburg", "coordinator"),
        )
        .get_json()
    )
    assert [m["role"] for m in members if m["person_id"] == "koordinator"] == ["chair"]
