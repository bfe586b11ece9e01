"""Contacts (export, erasure), working groups, monitoring, directories, doctors, offers, the matrix, sharing."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support import unique


def test_contacts_export_and_erase(clients, token, settings):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    no_basis = c.post("/api/v1/chemnitz/contacts", json={"name": "Max Muster"}, headers=coord)
    assert no_basis.status_code == 422 and "legal_basis" in no_basis.get_json()["errors"]
    no_consent = c.post(
        "/api/v1/chemnitz/contacts",
        json={"name": "Max Muster", "legal_basis": "consent"},
        headers=coord,
    )
    assert "consent_at" in no_consent.get_json()["errors"]
    email = f"{unique('max')}@example.org"
    made = c.post(
        "/api/v1/chemnitz/contacts",
        json={
            "name": "Max Muster",
            "email": email,
            "legal_basis": "consent",
            "consent_at": "2026-01-10T10:00:00+01:00",
            "languages": ["de", "ru"],
        },
        headers=coord,
    )
    assert made.status_code == 201, made.get_json()
    cid = made.get_json()["id"]
    assert c.get(f"/api/v1/chemnitz/contacts/{cid}").status_code == 404  # not public
    export = c.get(f"/api/v1/chemnitz/contacts/{cid}/export", headers=coord).get_json()
    assert export["contact"]["email"] == email and export["contact"]["languages"] == ["de", "ru"]
    assert c.delete(f"/api/v1/chemnitz/contacts/{cid}", headers=coord).status_code == 204
    assert c.get(f"/api/v1/chemnitz/contacts/{cid}", headers=coord).status_code == 404
    import psycopg

    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        n = conn.execute(
            "select count(*) from outbox where routing_key = 'chemnitz.membership.contact.erased' and envelope->'data'->>'contact_id' = %s",
            (cid,),
        ).fetchone()[0]
    assert n == 1


def test_working_group_by_coordinator_with_paper_versions(clients, token):
    c = clients["membership"]
    coordinator = unique("koordinator")
    coord = token("magdeburg", "coordinator", sub=coordinator)
    prop = c.post(
        "/api/v1/magdeburg/working-group-proposals",
        json={"topic": "Sprachmittlung", "aims": "Dolmetscherpool aufbauen"},
        headers=token("magdeburg", "partner", sub="p1"),
    )
    assert prop.status_code == 403  # Magdeburg: only the coordinator proposes
    prop = c.post(
        "/api/v1/magdeburg/working-group-proposals",
        json={"topic": "Sprachmittlung", "aims": "Dolmetscherpool aufbauen", "planned_months": 12},
        headers=coord,
    )
    assert prop.status_code == 201 and prop.get_json()["status"] == "submitted"
    decided = c.post(
        f"/api/v1/magdeburg/working-group-proposals/{prop.get_json()['id']}/decision",
        json={"approved": True},
        headers=coord,
    )
    assert decided.status_code == 200 and decided.get_json()["status"] == "approved"
    gid = decided.get_json()["working_group_id"]
    group = c.get(f"/api/v1/magdeburg/working-groups/{gid}", headers=coord).get_json()
    assert group["ends_on"] is not None and group["proposal_id"] == prop.get_json()["id"]
    assert [(m["person_id"], m["role"]) for m in group["members"]] == [(coordinator, "leader")]
    leader = coordinator
    paper = {
        "goals": [
            {
                "text": "Pool mit 20 Sprachmittlern",
                "measure": "Zahl der Einsätze",
                "due": "2027-06-30",
            }
        ],
        "measures": ["Schulung"],
        "results": None,
    }
    v1 = c.put(
        f"/api/v1/magdeburg/working-groups/{gid}/paper",
        json=paper,
        headers=token("magdeburg", "member", sub=leader),
    )
    assert v1.status_code == 200 and v1.get_json()["version"] == 1
    v2 = c.put(
        f"/api/v1/magdeburg/working-groups/{gid}/paper",
        json={**paper, "results": "12 Sprachmittler geschult"},
        headers=coord,
    )
    assert v2.get_json()["version"] == 2
    assert (
        c.put(
            f"/api/v1/magdeburg/working-groups/{gid}/paper",
            json=paper,
            headers=token("magdeburg", "partner", sub="someone"),
        ).status_code
        == 403
    )
    latest = c.get(f"/api/v1/magdeburg/working-groups/{gid}/paper").get_json()
    assert latest["versions"] == 2 and latest["content"]["results"] == "12 Sprachmittler geschult"
    assert (
        c.get(f"/api/v1/magdeburg/working-groups/{gid}/paper/versions/1").get_json()["content"][
            "results"
        ]
        is None
    )


def test_saalekreis_groups_are_open_to_anyone_registered(clients, token):
    c = clients["membership"]
    anyone = token("saalekreis", "member", sub=unique("buerger"))
    prop = c.post(
        "/api/v1/saalekreis/working-group-proposals",
        json={"topic": "Willkommenspakete", "aims": "Pakete für Neuankommende"},
        headers=anyone,
    )
    assert prop.status_code == 201 and prop.get_json()["status"] == "approved"
    gid = prop.get_json()["working_group_id"]
    volunteer = unique("ehrenamt")
    joiner = token("saalekreis", "member", sub=volunteer)
    joined = c.post(
        f"/api/v1/saalekreis/working-groups/{gid}/members",
        json={"name": "Erika Ehrenamt"},
        headers=joiner,
    )
    assert joined.status_code == 201 and joined.get_json()["role"] == "member"
    assert joined.get_json()["person_id"] == volunteer
    assert (
        c.post(
            f"/api/v1/saalekreis/working-groups/{gid}/members", json={"name": "Anonym"}
        ).status_code
        == 401
    )


def test_chemnitz_groups_are_for_partners_and_founded_by_ballot(clients, token):
    c = clients["membership"]
    prop = c.post(
        "/api/v1/chemnitz/working-group-proposals",
        json={"topic": "Wohnen", "aims": "Wohnungssuche erleichtern"},
        headers=token("chemnitz", "partner", sub="verein-1"),
    )
    assert prop.status_code == 201 and prop.get_json()["status"] == "in_vote"
    decide = c.post(
        f"/api/v1/chemnitz/working-group-proposals/{prop.get_json()['id']}/decision",
        json={"approved": True},
        headers=token("chemnitz", "coordinator"),
    )
    assert decide.status_code == 409 and "Gremium" in decide.get_json()["detail"]
    group = c.post(
        "/api/v1/chemnitz/working-groups",
        json={"name": unique("AG Sprache")},
        headers=token("chemnitz", "coordinator"),
    ).get_json()
    assert (
        c.post(
            f"/api/v1/chemnitz/working-groups/{group['id']}/members",
            json={},
            headers=token("chemnitz", "member", sub="x"),
        ).status_code
        == 403
    )
    assert (
        c.post(
            f"/api/v1/chemnitz/working-groups/{group['id']}/members",
            json={},
            headers=token("chemnitz", "partner", sub="verein-2"),
        ).status_code
        == 201
    )


def test_leader_joins_the_vorbereitungsgremium(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    group = c.post(
        "/api/v1/chemnitz/working-groups", json={"name": unique("AG Arbeit")}, headers=coord
    ).get_json()
    person = unique("leiterin")
    added = c.post(
        f"/api/v1/chemnitz/working-groups/{group['id']}/members",
        json={"person_id": person, "name": "Petra Leiterin", "role": "leader"},
        headers=coord,
    )
    assert added.status_code == 201
    members = c.get(
        "/api/v1/chemnitz/bodies/vorbereitungsgremium/members", headers=coord
    ).get_json()
    assert [m["role"] for m in members if m["person_id"] == person] == ["member"]


def _progress(m):
    if m["target"] is None or m["current_value"] is None:
        return None
    base = m["baseline"] or 0
    if m["target"] == base:
        return None
    return max(0.0, min(1.0, (m["current_value"] - base) / (m["target"] - base)))


def test_magdeburg_monitoring(clients, token):
    c = clients["membership"]
    coord = token("magdeburg", "coordinator")
    field = "Förderung des Spracherwerbs der Migrantinnen und Migranten"
    bad = c.post(
        "/api/v1/magdeburg/measures",
        json={"policy_field": "Verkehr", "title": "Radwege", "indicator": "Kilometer"},
        headers=coord,
    )
    assert bad.status_code == 422 and "policy_field" in bad.get_json()["errors"]
    before = next(
        r
        for r in c.get("/api/v1/magdeburg/measures/report", headers=coord).get_json()[
            "policy_fields"
        ]
        if r["policy_field"] == field
    )
    m = c.post(
        "/api/v1/magdeburg/measures",
        json={
            "policy_field": field,
            "title": "Sprachcafés",
            "indicator": "Teilnehmende",
            "baseline": 0,
            "target": 200,
            "current_value": 50,
            "status": "running",
        },
        headers=coord,
    )
    assert m.status_code == 201, m.get_json()
    upd = c.patch(
        f"/api/v1/magdeburg/measures/{m.get_json()['id']}",
        json={"current_value": 100},
        headers=coord,
    )
    assert upd.get_json()["current_value"] == 100 and upd.get_json()["status"] == "running"
    report = c.get("/api/v1/magdeburg/measures/report", headers=coord).get_json()["policy_fields"]
    row = next(r for r in report if r["policy_field"] == field)
    assert row["measures"] == before["measures"] + 1
    assert row["by_status"] == {
        **before["by_status"],
        "running": before["by_status"]["running"] + 1,
    }
    listed = c.get("/api/v1/magdeburg/measures", headers=coord).get_json()
    mine = [x for x in listed if x["policy_field"] == field]
    assert [(x["current_value"], x["status"]) for x in mine if x["id"] == m.get_json()["id"]] == [
        (100, "running")
    ]
    progress = [p for p in map(_progress, mine) if p is not None]
    assert row["mean_progress"] == round(sum(progress) / len(progress), 3)
    assert (
        c.get("/api/v1/chemnitz/measures", headers=token("chemnitz", "coordinator")).status_code
        == 404
    )


def test_doctors_offers_and_matrix(clients, token):
    c = clients["membership"]
    sk = token("saalekreis", "coordinator")
    old = (date.today() - timedelta(days=400)).isoformat()
    doctor = unique("Dr. Aydin")
    d1 = c.post(
        "/api/v1/saalekreis/doctors",
        json={
            "name": doctor,
            "specialty": "Kinderheilkunde",
            "city": "Merseburg",
            "languages": ["tr", "de"],
            "last_verified": old,
        },
        headers=sk,
    )
    assert d1.status_code == 201 and d1.get_json()["verification_overdue"] is True
    assert (
        c.post(
            "/api/v1/saalekreis/doctors",
            json={"name": "Dr. X", "specialty": "HNO", "languages": []},
            headers=sk,
        ).status_code
        == 422
    )
    found = c.get("/api/v1/saalekreis/doctors?language=tr").get_json()
    assert [d["id"] for d in found if d["name"] == doctor] == [d1.get_json()["id"]]
    assert all("tr" in d["languages"] for d in found)
    other = c.get("/api/v1/saalekreis/doctors?language=fa").get_json()
    assert [d for d in other if d["name"] == doctor] == []
    fresh = c.patch(
        f"/api/v1/saalekreis/doctors/{d1.get_json()['id']}",
        json={"last_verified": date.today().isoformat()},
        headers=sk,
    )
    assert fresh.get_json()["verification_overdue"] is False
    assert c.get("/api/v1/chemnitz/doctors").status_code == 404

    title = unique("Deutschkurs A1")
    offer = c.post(
        "/api/v1/saalekreis/offers",
        json={
            "title": title,
            "kind": "language_course",
            "provider": "VHS Saalekreis",
            "languages": ["ar"],
            "target_groups": ["Geflüchtete"],
        },
        headers=sk,
    )
    assert offer.status_code == 201
    arabic = c.get("/api/v1/saalekreis/offers?language=ar").get_json()
    assert [(o["id"], o["provider"]) for o in arabic if o["title"] == title] == [
        (offer.get_json()["id"], "VHS Saalekreis")
    ]
    assert all("ar" in o["languages"] for o in arabic)
    health = c.get("/api/v1/saalekreis/offers?language=ar&kind=health").get_json()
    assert [o for o in health if o["title"] == title] == []

    ms = token("mittelsachsen", "coordinator")
    actor = unique("Jobcenter")
    cell = {
        "actor": actor,
        "topic": "Arbeitsvermittlung",
        "responsibility": "Vermittlung von Leistungsberechtigten nach SGB II",
        "contact_name": "Frau Beispiel",
        "contact_email": "integration@jobcenter.example",
    }
    assert c.put("/api/v1/mittelsachsen/responsibilities", json=cell, headers=ms).status_code == 200
    assert (
        c.put(
            "/api/v1/mittelsachsen/responsibilities",
            json={**cell, "responsibility": "geändert"},
            headers=ms,
        ).status_code
        == 200
    )
    matrix = c.get("/api/v1/mittelsachsen/responsibilities").get_json()
    assert matrix["actors"].count(actor) == 1
    assert [(x["topic"], x["responsibility"]) for x in matrix["cells"] if x["actor"] == actor] == [
        ("Arbeitsvermittlung", "geändert")
    ]
    csv = c.get("/api/v1/mittelsachsen/responsibilities.csv")
    lines = csv.get_data(as_text=True).splitlines()
    assert csv.mimetype == "text/csv" and lines[0].startswith("Akteur;Thema;")
    assert [line for line in lines if line.startswith(f"{actor};")] == [
        f"{actor};Arbeitsvermittlung;geändert;Frau Beispiel;integration@jobcenter.example;"
    ]
    assert c.get("/api/v1/chemnitz/responsibilities").status_code == 404


def test_manual_publication_marks_new_partners(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    first = c.post("/api/v1/chemnitz/directory/publications", headers=coord)
    assert first.status_code == 201
    name = unique("Neuer Partner")
    c.post("/api/v1/chemnitz/partners", json={"name": name, "kind": "initiative"}, headers=coord)
    hidden = unique("Interner Partner")
    c.post(
        "/api/v1/chemnitz/partners",
        json={"name": hidden, "kind": "initiative", "public": False},
        headers=coord,
    )
    second = c.post("/api/v1/chemnitz/directory/publications", headers=coord).get_json()
    latest = c.get("/api/v1/chemnitz/directory/publications/latest").get_json()
    assert latest["id"] == second["id"]
    names = [e["name"] for e in latest["entries"]]
    assert names.count(name) == 1 and hidden not in names
    # new: this test's partner (and whatever other tests left unlisted before, e.g. an
    # admission announced only now), never the partner that is not public
    marked = [e["name"] for e in latest["entries"] if e["new"]]
    assert name in marked and hidden not in marked
    assert second["new"] == len(marked)
    assert second["previous_at"] == first.get_json()["published_at"]
    assert c.post("/api/v1/chemnitz/directory/publications").status_code == 401


def test_shared_directory_across_networks(clients, token, tenants):
    c = clients["membership"]
    shared_id = c.post(
        "/api/v1/saalekreis/partners",
        json={"name": unique("Geteilter Verein"), "kind": "initiative", "shared": True},
        headers=token("saalekreis", "coordinator"),
    ).get_json()["id"]
    private_id = c.post(
        "/api/v1/saalekreis/partners",
        json={"name": unique("Privater Verein"), "kind": "initiative"},
        headers=token("saalekreis", "coordinator"),
    ).get_json()["id"]
    seen = c.get(
        "/api/v1/chemnitz/directory/shared", headers=token("chemnitz", "federation")
    ).get_json()
    assert [n["network"] for n in seen] == [
        t.key for t in tenants if t.key != "chemnitz" and t.rules["sharing"]
    ]
    saalekreis = next(n for n in seen if n["network"] == "saalekreis")
    ids = [p["id"] for p in saalekreis["partners"]]
    assert ids.count(shared_id) == 1 and private_id not in ids
    assert (
        c.get("/api/v1/chemnitz/directory/shared", headers=token("chemnitz", "partner")).status_code
        == 403
    )


def test_worker_publishes_the_overview_when_the_interval_is_due(settings, tenants):
    import psycopg

    from knotenpunkt.wiring import worker_for

    with psycopg.connect(settings.admin_url("knotenpunkt_membership")) as conn:
        conn.execute("delete from directory_publications where tenant = 'chemnitz'")
    w = worker_for("membership", settings=settings, tenants=tenants)
    w.db.open()
    try:
        for _ in range(2):
            w.run_jobs_once()
        with w.db.transaction("chemnitz") as conn:
            rows = conn.execute("select trigger from directory_publications").fetchall()
        with w.db.transaction("saalekreis") as conn:
            none = conn.execute("select count(*) as n from directory_publications").fetchone()["n"]
    finally:
        w.db.close()
    assert [r["trigger"] for r in rows] == ["schedule"]  # due once, then not again for 6 months
    assert none == 0  # Saalekreis publishes no overview
