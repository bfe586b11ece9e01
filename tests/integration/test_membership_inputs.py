"""Membership's bad input, bounds and outputs: every bad value a 422 naming its field, no 5xx."""

from __future__ import annotations

import json

import pytest

from tests.support import unique

HUGE = "9" * 30  # far beyond bigint, short enough for the input guard
FIELD = "Förderung des Spracherwerbs der Migrantinnen und Migranten"


def errors_of(resp) -> list[str]:
    """The fields a 422 names, each also as its parents (``goals.0.due`` names ``goals``)."""
    assert resp.status_code == 422, (resp.status_code, resp.get_data(as_text=True))
    named = set()
    for key in resp.get_json()["errors"]:
        parts = key.split(".")
        named.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return sorted(named)


# --- point 8: page numbers, LIKE filters, dates ----------------------------------------


@pytest.mark.parametrize("query", [f"page={HUGE}", f"page_size={HUGE}", "page=0"])
def test_page_beyond_range_is_a_422_naming_it(clients, token, query):
    c = clients["membership"]
    name = "query." + query.split("=")[0]
    assert name in errors_of(c.get(f"/api/v1/chemnitz/partners?{query}"))
    coord = token("chemnitz", "coordinator")
    assert name in errors_of(c.get(f"/api/v1/chemnitz/applications?{query}", headers=coord))


def test_backslash_and_wildcards_in_searches_are_text(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    name = unique("Verein 100% \\ sicher_")
    c.post("/api/v1/chemnitz/partners", json={"name": name, "kind": "initiative"}, headers=coord)
    for q in ("\\", "%", "_", "100% \\ sicher_"):
        resp = c.get("/api/v1/chemnitz/partners", query_string={"q": q})
        assert resp.status_code == 200, q
        assert name in [p["name"] for p in resp.get_json()["items"]] or resp.get_json()["total"]
    none = c.get("/api/v1/chemnitz/partners", query_string={"q": "\\%"}).get_json()
    assert all("\\%" in p["name"] for p in none["items"])
    for q in ("\\", "%\\", "_"):
        resp = c.get("/api/v1/saalekreis/doctors", query_string={"specialty": q, "language": q})
        assert resp.status_code == 200 and resp.get_json() == [], q


DATE_CASES = [
    ("post", "/api/v1/chemnitz/partners", {"name": "X Verein", "kind": "other"}, "since", ""),
    ("post", "/api/v1/saalekreis/doctors", {"name": "Dr. Y", "specialty": "HNO", "languages": ["de"]}, "last_verified", ""),
    ("post", "/api/v1/chemnitz/working-groups", {"name": "AG Datum"}, "ends_on", ""),
    ("post", "/api/v1/chemnitz/working-groups", {"name": "AG Ziel"}, "goals", "due"),
    ("post", "/api/v1/chemnitz/contacts", {"name": "Z. Zeit", "legal_basis": "consent"}, "consent_at", "T00:00:00+01:00"),
]  # fmt: skip


@pytest.mark.parametrize("year", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(("method", "path", "body", "field", "suffix"), DATE_CASES)
def test_dates_at_the_edges_of_the_calendar_are_a_422_naming_the_field(
    clients, token, year, method, path, body, field, suffix
):
    tenant = path.split("/")[3]
    value = year + suffix
    if field == "goals":
        body = {**body, "goals": [{"text": "Ein Ziel", "due": value}]}
    else:
        body = {**body, field: value}
    resp = getattr(clients["membership"], method)(
        path, json=body, headers=token(tenant, "coordinator")
    )
    assert field in errors_of(resp)


def test_left_on_and_last_verified_in_patches_are_bounded_too(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    pid = c.post(
        "/api/v1/chemnitz/partners",
        json={"name": unique("Verein Rand"), "kind": "other"},
        headers=coord,
    ).get_json()["id"]
    resp = c.patch(
        f"/api/v1/chemnitz/partners/{pid}",
        json={"status": "left", "left_on": "9999-12-31"},
        headers=coord,
    )
    assert "left_on" in errors_of(resp)
    sk = token("saalekreis", "coordinator")
    doctor = c.post(
        "/api/v1/saalekreis/doctors",
        json={
            "name": unique("Dr. Rand"),
            "specialty": "HNO",
            "languages": ["de"],
            "last_verified": "2026-01-05",
        },
        headers=sk,
    ).get_json()
    resp = c.patch(
        f"/api/v1/saalekreis/doctors/{doctor['id']}",
        json={"last_verified": "9999-12-31"},
        headers=sk,
    )
    assert "last_verified" in errors_of(resp)


# --- point 13: applications by page, list fields capped -------------------------------


def test_applications_are_listed_by_page(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    for _ in range(3):
        c.post(
            "/api/v1/chemnitz/applications",
            json={
                "organisation": {"name": unique("Seitenverein")},
                "contact": {"name": "S. Seite", "email": "s@seite.example"},
                "statements": {"migrant_interests": True, "non_commercial": True},
            },
        )
    first = c.get("/api/v1/chemnitz/applications?page=1&page_size=2", headers=coord).get_json()
    assert first["page"] == 1 and first["page_size"] == 2 and len(first["items"]) == 2
    assert first["total"] >= 3
    second = c.get("/api/v1/chemnitz/applications?page=2&page_size=2", headers=coord).get_json()
    assert {a["id"] for a in first["items"]}.isdisjoint(a["id"] for a in second["items"])
    assert "query.page_size" in errors_of(
        c.get("/api/v1/chemnitz/applications?page_size=201", headers=coord)
    )
    default = c.get("/api/v1/chemnitz/applications", headers=coord).get_json()
    assert default["page"] == 1 and default["page_size"] == 20


LIST_CASES = [
    ("/api/v1/chemnitz/partners", {"name": "Listenverein", "kind": "other"}, "topics"),
    ("/api/v1/chemnitz/partners", {"name": "Listenverein", "kind": "other"}, "languages"),
    ("/api/v1/saalekreis/doctors", {"name": "Dr. Liste", "specialty": "HNO", "last_verified": "2026-01-05"}, "languages"),
    ("/api/v1/saalekreis/offers", {"title": "Kurs", "kind": "other", "provider": "VHS"}, "target_groups"),
    ("/api/v1/saalekreis/offers", {"title": "Kurs", "kind": "other", "provider": "VHS"}, "languages"),
    ("/api/v1/chemnitz/contacts", {"name": "L. Liste", "legal_basis": "public_task"}, "languages"),
    ("/api/v1/chemnitz/contacts", {"name": "L. Liste", "legal_basis": "public_task"}, "responsibilities"),
    ("/api/v1/chemnitz/working-groups", {"name": "AG Liste"}, "goals"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "field"), LIST_CASES)
def test_list_fields_have_a_cap(clients, token, path, body, field):
    tenant = path.split("/")[3]
    item = {"text": "Ein Ziel"} if field == "goals" else "de"
    resp = clients["membership"].post(
        path, json={**body, field: [item] * 1000}, headers=token(tenant, "coordinator")
    )
    assert field in errors_of(resp)


def test_application_and_paper_lists_have_a_cap(clients, token):
    c = clients["membership"]
    resp = c.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": unique("Listenverein"), "topics": ["Sprache"] * 1000},
            "contact": {"name": "L. Liste", "email": "l@liste.example"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    )
    assert "organisation.topics" in errors_of(resp)
    coord = token("chemnitz", "coordinator")
    group = c.post(
        "/api/v1/chemnitz/working-groups", json={"name": unique("AG Papierliste")}, headers=coord
    ).get_json()
    for field, item in (
        ("measures", "Treffen"),
        ("timeline", {"step": 1}),
        ("goals", {"text": "Ziel"}),
    ):
        resp = c.put(
            f"/api/v1/chemnitz/working-groups/{group['id']}/paper",
            json={field: [item] * 1000},
            headers=coord,
        )
        assert field in errors_of(resp), field


# --- point 14: working papers without their authors for the public ---------------------


def test_anonymous_readers_of_a_working_paper_do_not_see_who_changed_it(clients, token):
    c = clients["membership"]
    group = c.post(
        "/api/v1/chemnitz/working-groups",
        json={"name": unique("AG Autor")},
        headers=token("chemnitz", "coordinator"),
    ).get_json()
    author = unique("leitung")
    c.put(
        f"/api/v1/chemnitz/working-groups/{group['id']}/paper",
        json={"measures": ["Treffen"]},
        headers=token("chemnitz", "coordinator", sub=author),
    )
    base = f"/api/v1/chemnitz/working-groups/{group['id']}/paper"
    for path in (base, f"{base}/versions/1"):
        public = c.get(path)
        assert public.status_code == 200 and "changed_by" not in public.get_json(), path
        assert author not in public.get_data(as_text=True)
        inside = c.get(path, headers=token("chemnitz", "member")).get_json()
        assert inside["changed_by"] == author


# --- point 16: measures in range, contacts validated as merged ---------------------------


@pytest.mark.parametrize("field", ["target", "current_value", "baseline"])
def test_measure_figures_out_of_range_are_a_422_naming_the_field(clients, token, field):
    c = clients["membership"]
    coord = token("magdeburg", "coordinator")
    body = {"policy_field": FIELD, "title": "Zahlen", "indicator": "Teilnehmende"}
    for value in ("1" + "0" * 99, "-1" + "0" * 99, "1e300"):
        raw = json.dumps(body)[:-1] + f', "{field}": {value}}}'
        resp = c.post(
            "/api/v1/magdeburg/measures", data=raw, content_type="application/json", headers=coord
        )
        assert field in errors_of(resp), value
    made = c.post("/api/v1/magdeburg/measures", json={**body, field: 10}, headers=coord).get_json()
    resp = c.patch(
        f"/api/v1/magdeburg/measures/{made['id']}",
        data=f'{{"{field}": 1e300}}',
        content_type="application/json",
        headers=coord,
    )
    assert field in errors_of(resp)
    for path in ("/api/v1/magdeburg/measures", "/api/v1/magdeburg/measures/report"):
        text = c.get(path, headers=coord).get_data(as_text=True)
        assert "Infinity" not in text and "NaN" not in text
        json.loads(text, parse_constant=pytest.fail)


def test_1e400_is_refused_and_never_reaches_the_measures(clients, token):
    c = clients["membership"]
    coord = token("magdeburg", "coordinator")
    raw = f'{{"policy_field": "{FIELD}", "title": "Unendlich", "indicator": "X", "target": 1e400}}'
    resp = c.post(
        "/api/v1/magdeburg/measures",
        data=raw.encode(),
        content_type="application/json",
        headers=coord,
    )
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["target"]
    text = c.get("/api/v1/magdeburg/measures", headers=coord).get_data(as_text=True)
    assert "Infinity" not in text


def test_patched_contact_is_validated_as_a_whole(clients, token):
    c = clients["membership"]
    coord = token("chemnitz", "coordinator")
    contact = c.post(
        "/api/v1/chemnitz/contacts",
        json={"name": "Paula Patch", "legal_basis": "public_task"},
        headers=coord,
    ).get_json()
    url = f"/api/v1/chemnitz/contacts/{contact['id']}"
    assert "consent_at" in errors_of(c.patch(url, json={"legal_basis": "consent"}, headers=coord))
    assert c.get(url, headers=coord).get_json()["legal_basis"] == "public_task"
    ok = c.patch(
        url,
        json={"legal_basis": "consent", "consent_at": "2026-03-01T10:00:00+01:00"},
        headers=coord,
    )
    assert ok.status_code == 200 and ok.get_json()["legal_basis"] == "consent"
    assert "consent_at" in errors_of(c.patch(url, json={"consent_at": None}, headers=coord))


# --- point 7: the matrix as CSV without formulas ----------------------------------------


def test_responsibilities_csv_neutralises_formulas(clients, token):
    c = clients["membership"]
    ms = token("mittelsachsen", "coordinator")
    actor = "=" + unique("HYPERLINK")
    cell = {
        "actor": actor,
        "topic": "+Thema",
        "responsibility": "-1+1 @SUMME",
        "contact_name": "@Frau Formel",
        "contact_phone": "\tcmd",
    }
    assert c.put("/api/v1/mittelsachsen/responsibilities", json=cell, headers=ms).status_code == 200
    lines = c.get("/api/v1/mittelsachsen/responsibilities.csv").get_data(as_text=True).splitlines()
    mine = [line for line in lines if actor[1:] in line]
    assert mine == [f"'{actor};'+Thema;'-1+1 @SUMME;'@Frau Formel;;'\tcmd"]
