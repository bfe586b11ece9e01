"""OParl 1.1 read API: a crawler walks Chemnitz from its System through every link and every
page of both services, validates every object against the specification's schemas and finds
no broken link; filters, deleted objects and what must never leave are checked.

The tenant is filled with the demo data (seed_demo, seed_consultations) and, through the
services' HTTP APIs and handlers, a public meeting with an agenda and published minutes
deciding five ballots (a named resolution with dissent, a secret one, a recommendation, a
working-group founding and an admission whose announcement is still due), a cancelled and a
withdrawn meeting, a non-public one, public and private body members, an application in
progress. Membership and events get databases of their own, so that only this data is there.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from jsonschema import Draft7Validator, FormatChecker

from knotenpunkt.gateway import RouteTable
from knotenpunkt.shared.tenants import TenantRegistry
from tests.support import unique

SCHEMAS = Path(__file__).resolve().parents[1] / "oparl_schema"
OPARL = "https://schema.oparl.org/1.1/"
BASE = "http://localhost"
ROOT = f"{BASE}/oparl/v1/chemnitz"
LICENSE = "https://www.govdata.de/dl-de/by-2-0"
MAIN_OBJECTS = ("System", "Body", "Organization", "Person", "Meeting", "Paper", "File")

FORMATS = FormatChecker()


@FORMATS.checks("url")
def _url(value) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    return datetime.fromisoformat(value).tzinfo is not None


VALIDATORS = {
    path.stem: Draft7Validator(json.loads(path.read_text(encoding="utf-8")), format_checker=FORMATS)
    for path in SCHEMAS.glob("*.json")
}


def validate(obj: dict, where: str) -> int:
    """Validate an object and every object embedded in it by its type; how many were checked."""
    kind = obj["type"].removeprefix(OPARL)
    errors = [f"{where} ({kind}): {e.message}" for e in VALIDATORS[kind].iter_errors(obj)]
    assert not errors, "\n".join(errors)
    checked = 1
    for key, value in obj.items():
        for inner in value if isinstance(value, list) else [value]:
            if isinstance(inner, dict) and str(inner.get("type", "")).startswith(OPARL):
                checked += validate(inner, f"{where}.{key}")
    return checked


def links(value, root: str = ROOT) -> list[str]:
    """Every URL of the tenant's OParl API in a document (ids, lists, pages, files)."""
    if isinstance(value, dict):
        return [u for v in value.values() for u in links(v, root)]
    if isinstance(value, list):
        return [u for v in value for u in links(v, root)]
    return [value] if isinstance(value, str) and value.startswith(root + "/") else []


# OParl 1.1 § 2.4: a date-time is yyyy-mm-ddThh:mm:ss±hh:mm
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
DELETED = {"id", "type", "created", "modified", "deleted"}


def must(obj: dict, where: str) -> None:
    """The specification's MUST rules beyond the schemas, for an object and every object
    embedded in it: created and modified (§ 3.1), date-times in whole seconds with offset
    (§ 2.4), a deleted object with nothing but id, type, created, modified and deleted."""
    kind = obj["type"].removeprefix(OPARL)
    assert {"created", "modified"} <= set(obj), f"{where} ({kind}) lacks created/modified"
    assert obj["created"] <= obj["modified"] or obj.get("deleted"), where
    if obj.get("deleted"):  # and what the schema of its type requires (an AgendaItem's order)
        required = set(VALIDATORS[kind].schema.get("required", []))
        assert set(obj) == DELETED | required and obj["deleted"] is True, f"{where}: {obj}"
    for name, prop in VALIDATORS[kind].schema["properties"].items():
        if prop.get("format") == "date-time" and name in obj:
            assert DATE_TIME.match(obj[name]), f"{where}.{name}: {obj[name]}"
    for key, value in obj.items():
        for inner in value if isinstance(value, list) else [value]:
            if isinstance(inner, dict) and str(inner.get("type", "")).startswith(OPARL):
                must(inner, f"{where}.{key}")


def objects_in(value) -> list[dict]:
    """Every OParl object in a document, embedded ones too."""
    found = []
    if isinstance(value, dict):
        if str(value.get("type", "")).startswith(OPARL):
            found.append(value)
        for v in value.values():
            found += objects_in(v)
    elif isinstance(value, list):
        for v in value:
            found += objects_in(v)
    return found


@pytest.fixture(scope="module")
def world(settings, tenants, token):
    """Both apps on their own databases, Chemnitz filled; returns what the tests look for."""
    from knotenpunkt.services.events.app import create_app as events_app
    from knotenpunkt.services.events.handlers import copies
    from knotenpunkt.services.events.seed import seed_consultations
    from knotenpunkt.services.events.worker import CONSUMERS
    from knotenpunkt.services.membership.app import create_app as membership_app
    from knotenpunkt.services.membership.seed import seed_demo
    from knotenpunkt.shared.db import provision
    from knotenpunkt.shared.usecase import Context

    own = settings.with_(
        extra={
            **settings.extra,
            "membership_database": "knotenpunkt_oparl_membership",
            "events_database": "knotenpunkt_oparl_events",
        }
    )
    provision(own, services=("membership", "events"))
    seed_demo(own)
    seed_consultations(own)
    chemnitz = tenants.get("chemnitz")
    oparl = {**chemnitz.rules["oparl"], "license": LICENSE, "page_size": 2}
    chemnitz = replace(chemnitz, rules={**chemnitz.rules, "oparl": oparl})
    registry = TenantRegistry({**{t.key: t for t in tenants}, "chemnitz": chemnitz})
    apps = {"membership": membership_app(own, registry), "events": events_app(own, registry)}
    m, e = apps["membership"].test_client(), apps["events"].test_client()
    coord = token("chemnitz", "coordinator", sub="oparl-coordinator")
    paths = {
        name: list(app.test_client().get("/api/v1/openapi.json").get_json()["paths"])
        for name, app in apps.items()
    }
    # a URL goes to the app the gateway would send it to
    w = {"apps": apps, "clients": {"membership": m, "events": e}, "table": RouteTable.build(paths)}
    w["settings"], w["registry"] = own, registry

    def ok(resp, status=200):
        assert resp.status_code == status, resp.get_data(as_text=True)
        return resp.get_json()

    # --- membership: who may appear, who must not ---------------------------------------
    public_email = f"{unique('amira')}@example.org"
    ok(
        m.post(
            "/api/v1/chemnitz/contacts",
            json={
                "name": "Dr. Amira Haddad",
                "email": public_email,
                "legal_basis": "consent",
                "consent_at": "2024-01-10T09:00:00+00:00",
                "public": True,
            },
            headers=coord,
        ),
        201,
    )
    w["public_name"] = unique("Amira Haddad")
    w["public_person_id"] = public_email  # a person id may be an e-mail address
    for body in ("vorbereitungsgremium", "netzwerkkonferenz"):
        ok(
            m.post(
                f"/api/v1/chemnitz/bodies/{body}/members",
                json={
                    "person_id": public_email,
                    "name": w["public_name"],
                    "email": public_email,
                    "role": "chair" if body == "netzwerkkonferenz" else "member",
                },
                headers=coord,
            ),
            201,
        )
    hidden_email = f"{unique('hidden')}@example.org"
    ok(
        m.post(
            "/api/v1/chemnitz/contacts",
            json={"name": "Nicht Öffentlich", "email": hidden_email, "legal_basis": "contract"},
            headers=coord,
        ),
        201,
    )
    w["private_names"] = [unique("Heimlich Privat"), unique("Kontakt Intern")]
    for name, email in zip(w["private_names"], (None, hidden_email), strict=True):
        ok(
            m.post(
                "/api/v1/chemnitz/bodies/vorbereitungsgremium/members",
                json={"name": name, **({"email": email} if email else {})},
                headers=coord,
            ),
            201,
        )
    gone_email = f"{unique('gone')}@example.org"
    ok(
        m.post(
            "/api/v1/chemnitz/contacts",
            json={
                "name": "Ausgeschiedene Person",
                "email": gone_email,
                "legal_basis": "consent",
                "consent_at": "2024-01-10T09:00:00+00:00",
                "public": True,
            },
            headers=coord,
        ),
        201,
    )
    w["gone_name"], w["gone_person_id"] = unique("Greta Ausgeschieden"), gone_email
    w["private_leaver"] = unique("Privat Ausgeschieden")
    for member in (
        {"person_id": gone_email, "name": w["gone_name"], "email": gone_email},
        {"person_id": unique("p-private"), "name": w["private_leaver"], "email": hidden_email},
    ):
        ok(
            m.post("/api/v1/chemnitz/bodies/netzwerkkonferenz/members", json=member, headers=coord),
            201,
        )
        w.setdefault("leavers", []).append(member["person_id"])
    w["private_emails"] = [hidden_email, public_email, gone_email]
    w["group"] = ok(
        m.post(
            "/api/v1/chemnitz/working-groups",
            json={"name": unique("AG Sprache und Bildung"), "topic": "Sprache und Bildung"},
            headers=coord,
        ),
        201,
    )
    w["applicant"] = unique("Verein im Verfahren")
    ok(
        m.post(
            "/api/v1/chemnitz/applications",
            json={
                "organisation": {
                    "name": w["applicant"],
                    "kind": "migrant_self_organisation",
                    "city": "Chemnitz",
                },
                "contact": {"name": "Leyla Demir", "email": "leyla@verfahren.example"},
                "statements": {"migrant_interests": True, "non_commercial": True},
            },
        ),
        201,
    )

    # --- events: ballot results as voting.ballot.closed carries them --------------------
    now = datetime.now(UTC)
    closed = (now - timedelta(days=1)).isoformat()

    def ballot(title, *, kind="general", binding=True, secret=False, dissent=(), **extra):
        return {
            "ballot_id": unique("ballot"),
            "body": "vorbereitungsgremium",
            "title": title,
            "text": None,
            "subject": {"kind": kind, "id": unique("subject")},
            "decision_rule": "simple_majority",
            "binding": binding,
            "outcome_to": None if binding else "Stadtrat",
            "deadline": (now + timedelta(days=13)).isoformat(),
            "secret": secret,
            "reasons_required_for": ["no"],
            "opened_by": "coordinator",
            "origin": "manual",
            "outcome": "adopted",
            "outcome_text": "Beschluss: angenommen" if binding else "Empfehlung: angenommen",
            "kind": "resolution" if binding else "recommendation",
            "tally": {"yes": 2, "no": 1, "abstain": 0, "quorum_needed": 0},
            "dissent": list(dissent),
            "closed_at": closed,
            "closed_by": "coordinator",
            **extra,
        }

    w["dissenter"] = unique("Bernd Gegenrede")
    w["secret_reason"] = unique("Geheimer Grund")
    ballots = {
        "resolution": ballot(
            unique("Leitlinien der Netzwerkarbeit"),
            dissent=[
                {"choice": "no", "reason": "Zu früh", "person_id": "b-1", "name": w["dissenter"]}
            ],
        ),
        "secret": ballot(
            unique("Wahl der Sprecherin"),
            secret=True,
            dissent=[
                {"choice": "no", "reason": w["secret_reason"], "person_id": None, "name": None}
            ],
        ),
        "recommendation": ballot(unique("Empfehlung Sprachkurse"), binding=False),
        "founding": ballot(unique("Gründung AG Wohnen"), kind="working_group_founding"),
        "admission": ballot(unique("Aufnahme: Verein Sperrfrist"), kind="admission"),
        # voting periods over: one announced by membership, one not (yet)
        "told": ballot(
            unique("Aufnahme: Verein Bekanntgegeben"), kind="admission", deadline=closed
        ),
        "untold": ballot(unique("Aufnahme: Verein Unbekannt"), kind="admission", deadline=closed),
    }
    w["ballots"] = ballots
    events = apps["events"].extensions["knotenpunkt"]
    ctx = Context(
        settings=own, tenant=chemnitz, now=now, actor="test", deps=events.deps, service="events"
    )
    with events.database().transaction("chemnitz") as conn:
        for data in ballots.values():
            copies.keep_ballot(copies.KeepBallotResult(data), conn, ctx)
        # membership announces the outcome (here: a rejection) with its ballot
        told = {"application_id": unique("app"), "status": "rejected", "organisation": "x"}
        told["decision"] = {"outcome": "rejected", "ballot_id": ballots["told"]["ballot_id"]}
        CONSUMERS["membership.application.rejected"](conn, {"data": told}, ctx)

    def event(title, public=True, **extra):
        return ok(
            e.post(
                "/api/v1/chemnitz/events",
                json={
                    "kind": "body_meeting",
                    "body": "vorbereitungsgremium",
                    "title": title,
                    "starts_at": "2026-03-04T15:00:00+01:00",
                    "ends_at": "2026-03-04T17:00:00+01:00",
                    "place": "Rathaus Chemnitz, Markt 1, Raum 120",
                    "public": public,
                    **extra,
                },
                headers=coord,
            ),
            201,
        )

    meeting = event(unique("Sitzung des Vorbereitungsgremiums"))
    w["meeting"] = meeting
    agenda = [
        {"title": "Begrüßung & <Tagesordnung>"},
        {
            "title": "Leitlinien",
            "kind": "decision",
            "ballot_id": ballots["resolution"]["ballot_id"],
        },
        {"title": "Wahl", "kind": "decision", "ballot_id": ballots["secret"]["ballot_id"]},
        {"title": "Aufnahme", "kind": "decision", "ballot_id": ballots["admission"]["ballot_id"]},
    ]
    items = ok(
        e.put(
            f"/api/v1/chemnitz/events/{meeting['id']}/agenda", json={"items": agenda}, headers=coord
        )
    )
    ok(e.post(f"/api/v1/chemnitz/events/{meeting['id']}/agenda/publish", headers=coord))
    ok(
        e.put(
            f"/api/v1/chemnitz/events/{meeting['id']}/minutes",
            json={
                "attendees": ["Koordinierungsstelle", "Migrationsbeauftragte"],
                "notes": [{"item_id": items[0]["id"], "text": "Erste Zeile\n**keine** Markup"}],
                "ballot_ids": [b["ballot_id"] for b in ballots.values()],
            },
            headers=coord,
        )
    )
    ok(e.post(f"/api/v1/chemnitz/events/{meeting['id']}/minutes/approve", headers=coord))
    ok(e.post(f"/api/v1/chemnitz/events/{meeting['id']}/minutes/publish", headers=coord))
    w["secret_event"] = event(unique("Nichtöffentliche Klausur"), public=False)
    cancelled = event(unique("Abgesagte Sitzung"))
    ok(
        e.patch(
            f"/api/v1/chemnitz/events/{cancelled['id']}",
            json={"status": "cancelled"},
            headers=coord,
        )
    )
    w["cancelled"] = cancelled
    w["unchanged"] = event(unique("Netzwerkkonferenz 2031"), body="netzwerkkonferenz")

    # --- a client syncs (the API notes what it served), then, after the moment T: a change, a
    # withdrawal, members leaving -------------------------------------------------------------
    crawl_from(w, ROOT)
    w["t"] = past_a_whole_second()
    w["withdrawn"] = event(unique("Zurückgezogene Sitzung"))
    ok(
        e.patch(
            f"/api/v1/chemnitz/events/{w['withdrawn']['id']}", json={"public": False}, headers=coord
        )
    )
    w["changed"] = cancelled
    # members leave the Netzwerkkonferenz: the public one who keeps another seat, the public one
    # who had only this one, a private one
    for person_id in (public_email, *w["leavers"]):
        left = m.delete(
            f"/api/v1/chemnitz/bodies/netzwerkkonferenz/members/{person_id}", headers=coord
        )
        assert left.status_code == 204, left.get_data(as_text=True)
    with apps["membership"].extensions["knotenpunkt"].database().transaction("chemnitz") as conn:
        w["removals"] = conn.execute("select * from body_member_removals").fetchall()
    ok(
        e.patch(
            f"/api/v1/chemnitz/events/{cancelled['id']}",
            json={"description": "Ersatztermin folgt."},
            headers=coord,
        )
    )
    yield w
    for app in apps.values():
        app.extensions["knotenpunkt"].db.close()


def past_a_whole_second() -> datetime:
    """Now, just past a whole second: OParl writes whole seconds (rounded up), so everything
    before is stamped earlier than this moment and everything after it later."""
    now = datetime.now(UTC)
    time.sleep(1.01 - now.microsecond / 1_000_000)
    return datetime.now(UTC)


def get(world, url: str, **kwargs):
    """GET a URL of the API from the app that serves its path (as the gateway routes it)."""
    parts = urlsplit(url)
    service = world["table"].owner(parts.path)
    assert service in world["clients"], f"no service serves {url}"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return world["clients"][service].get(path, **kwargs)


@pytest.fixture(scope="module")
def crawl(world):
    """Walk Chemnitz from the System: every link, every page."""
    return crawl_from(world, ROOT)


def crawl_from(world, root: str) -> dict:
    """Walk from the System: every link, every page; {url: document} and {url: file bytes}."""
    documents: dict[str, dict] = {}
    files: dict[str, bytes] = {}
    todo = [f"{root}/system"]
    while todo:
        url = todo.pop()
        if url in documents or url in files:
            continue
        parts = urlsplit(url)
        resp = get(world, url)
        assert resp.status_code == 200, f"broken link {url}: {resp.status_code}"
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        if parts.path.endswith("/content"):
            files[url] = resp.data
            continue
        assert resp.mimetype == "application/json", url
        documents[url] = resp.get_json()
        todo += links(documents[url], root)
    return {"documents": documents, "files": files}


def check_all(documents: dict) -> tuple[int, dict]:
    """Validate every document of a crawl (schemas and MUST rules); (objects checked, the
    objects of the lists by id)."""
    checked, by_id = 0, {}
    for url, doc in documents.items():
        if "data" in doc and "pagination" in doc:
            assert set(doc["links"]) >= {"first", "last", "self"}, url
            assert set(doc["pagination"]) >= {"totalElements", "currentPage", "totalPages"}, url
            for obj in doc["data"]:
                checked += validate(obj, url)
                must(obj, url)
                by_id.setdefault(obj["id"], obj)
        else:
            checked += validate(doc, url)
            must(doc, url)
            assert doc["id"] == url
    # every object of a list is reachable at its id and is the same object there
    for obj_id, obj in by_id.items():
        assert documents[obj_id] == obj, obj_id
    return checked, by_id


def test_every_object_is_valid_and_every_link_resolves(crawl):
    documents = crawl["documents"]
    checked, by_id = check_all(documents)
    assert checked > 50
    kinds = {o["type"].removeprefix(OPARL) for d in documents.values() for o in objects_in(d)}
    assert kinds >= {
        "System",
        "Body",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "AgendaItem",
        "Paper",
        "Consultation",
        "File",
        "Location",
    }
    # a list names how many it holds, and its pages (two objects each here) hold them all
    for url, doc in documents.items():
        if "pagination" not in doc or "?" in url:
            continue
        total, pages = doc["pagination"]["totalElements"], doc["pagination"]["totalPages"]
        seen, page = [], doc
        while True:
            seen += [o["id"] for o in page["data"]]
            if "next" not in page["links"]:
                break
            page = documents[page["links"]["next"]]
        assert len(seen) == len(set(seen)) == total, url
        assert pages == max(1, -(-total // 2)), url


def test_system_and_body_point_at_the_lists_of_both_services(crawl):
    documents = crawl["documents"]
    system = documents[f"{ROOT}/system"]
    assert system["oparlVersion"] == OPARL and system["license"] == LICENSE
    bodies = documents[system["body"]]["data"]
    assert [b["id"] for b in bodies] == [f"{ROOT}/body/chemnitz"]
    body = bodies[0]
    assert body["name"] == "Integrationsnetzwerk Chemnitz" and body["license"] == LICENSE
    # no terms in the tenant file: one open term, embedded and in its own list
    (term,) = body["legislativeTerm"]
    assert term["id"] == f"{ROOT}/legislativeterm/laufend" and "endDate" not in term
    assert documents[body["legislativeTermList"]]["data"] == [term]
    for name, path in {
        "organization": "organization",
        "person": "person",
        "meeting": "meeting",
        "paper": "paper",
        "file": "file",
    }.items():
        assert body[name] == f"{ROOT}/{path}"
    orgs = {
        o["name"]: o
        for o in objects_in(documents)
        if o["type"] == OPARL + "Organization" and "name" in o
    }
    assert {"Vorbereitungsgremium", "Netzwerkkonferenz"} <= set(orgs)
    assert orgs["Vorbereitungsgremium"]["organizationType"] == "Gremium"
    # demo members (3) + the public person + two private ones: counted, not named
    assert orgs["Vorbereitungsgremium"]["memberCount"] == 6
    assert len(orgs["Vorbereitungsgremium"]["membership"]) == 1


def test_meetings_agenda_papers_and_minutes(world, crawl):
    documents, files = crawl["documents"], crawl["files"]
    meeting = documents[f"{ROOT}/meeting/{world['meeting']['id']}"]
    assert meeting["meetingState"] == "terminiert"
    assert meeting["cancelled"] is False
    assert meeting["organization"] == [f"{ROOT}/organization/gremium/vorbereitungsgremium"]
    assert meeting["location"]["description"] == "Rathaus Chemnitz, Markt 1, Raum 120"
    items = meeting["agendaItem"]
    assert [i["order"] for i in items] == [1, 2, 3, 4] and all(i["public"] for i in items)
    assert items[1]["result"] == "Beschluss: angenommen" and "consultation" in items[1]
    assert "result" not in items[3] and "consultation" not in items[3]  # admission: not yet told
    ballots = world["ballots"]
    papers = {
        p["name"]: p
        for d in documents.values()
        for p in objects_in(d)
        if p["type"] == OPARL + "Paper"
    }
    assert set(papers) == {
        ballots[k]["title"] for k in ("resolution", "secret", "recommendation", "founding", "told")
    }
    assert papers[ballots["told"]["title"]]["paperType"] == "Aufnahmeantrag"
    assert papers[ballots["resolution"]["title"]]["paperType"] == "Beschluss"
    assert papers[ballots["recommendation"]["title"]]["paperType"] == "Empfehlung"
    assert papers[ballots["founding"]["title"]]["paperType"] == "Gründung einer Arbeitsgruppe"
    consultation = papers[ballots["resolution"]["title"]]["consultation"][0]
    assert consultation["meeting"] == meeting["id"] and consultation["agendaItem"] == items[1]["id"]
    assert consultation["authoritative"] is True
    founding = papers[ballots["founding"]["title"]]["consultation"][0]
    assert "agendaItem" not in founding  # decided, but not on the agenda
    # the minutes: Markdown (master), HTML and PDF, their checksums and sizes true
    protocol = meeting["resultsProtocol"]
    html_file, pdf_file = meeting["auxiliaryFile"]
    assert protocol["mimeType"] == "text/markdown" and html_file["mimeType"] == "text/html"
    assert pdf_file["mimeType"] == "application/pdf" and pdf_file["fileName"].endswith(".pdf")
    assert protocol["derivativeFile"] == [html_file["id"], pdf_file["id"]]
    assert html_file["masterFile"] == pdf_file["masterFile"] == protocol["id"]
    listed = {f["id"] for d in documents.values() for f in objects_in(d) if "accessUrl" in f}
    assert {protocol["id"], html_file["id"], pdf_file["id"]} <= listed
    for f in (protocol, html_file, pdf_file):
        content = files[f["accessUrl"]]
        assert len(content) == f["size"]
        assert hashlib.sha512(content).hexdigest() == f["sha512Checksum"]
    pdf = files[pdf_file["accessUrl"]]
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    served = get(world, pdf_file["accessUrl"])
    assert served.mimetype == "application/pdf" and served.data == pdf  # the same bytes again
    markdown, page = files[protocol["accessUrl"]].decode(), files[html_file["accessUrl"]].decode()
    assert markdown.startswith("# Protokoll: Sitzung des Vorbereitungsgremiums\\-")
    assert "<li><strong>" in page and "Begrüßung &amp; &lt;Tagesordnung&gt;" in page
    assert "<Tagesordnung>" not in page and "**keine**" in page  # people's markup stays text
    # the tally in German words, in the master and in what is derived from it
    assert "  - Abstimmung: Ja 2, Nein 1, Enthaltung 0" in markdown.splitlines()
    assert "<li>Abstimmung: Ja 2, Nein 1, Enthaltung 0</li>" in page and "yes 2" not in page
    resp = get(world, html_file["accessUrl"])
    assert resp.mimetype == "text/html"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]


def test_cancelled_and_withdrawn_meetings(world, crawl):
    documents = crawl["documents"]
    cancelled = documents[f"{ROOT}/meeting/{world['cancelled']['id']}"]
    assert cancelled["cancelled"] is True and cancelled["meetingState"] == "abgesagt"
    gone = documents[f"{ROOT}/meeting/{world['withdrawn']['id']}"]
    assert gone["deleted"] is True
    assert set(gone) == {"id", "type", "created", "modified", "deleted"}
    assert world["withdrawn"]["title"] not in json.dumps(documents)
    assert datetime.fromisoformat(gone["modified"]) >= world["t"]


def test_removed_members_stay_as_deleted(world, crawl):
    from knotenpunkt.services.membership.domain.oparl import membership_key, person_key

    documents, t = crawl["documents"], world["t"]
    amira, gone = world["public_person_id"], world["gone_person_id"]
    left = {
        f"{ROOT}/membership/{membership_key('netzwerkkonferenz', amira)}",
        f"{ROOT}/membership/{membership_key('netzwerkkonferenz', gone)}",
    }
    gone_person = f"{ROOT}/person/{person_key(gone)}"
    for url, kind in [(u, "Membership") for u in sorted(left)] + [(gone_person, "Person")]:
        stone = documents[url]
        assert set(stone) == {"id", "type", "created", "deleted", "modified"}, stone
        assert stone["type"] == OPARL + kind and stone["deleted"] is True
        assert datetime.fromisoformat(stone["modified"]) >= t
    # Amira keeps her other seat: her Person is there, changed when she left
    person = documents[f"{ROOT}/person/{person_key(amira)}"]
    assert "deleted" not in person and datetime.fromisoformat(person["modified"]) >= t
    assert [m["organization"] for m in person["membership"]] == [
        f"{ROOT}/organization/gremium/vorbereitungsgremium"
    ]
    conference = documents[f"{ROOT}/organization/gremium/netzwerkkonferenz"]
    assert left.isdisjoint(conference.get("membership", []))
    # a client that asks what changed since T learns of the removals (and nothing else)
    since = t.isoformat().replace("+", "%2B")
    memberships = get(world, f"{ROOT}/membership?modified_since={since}").get_json()
    assert {m["id"] for m in memberships["data"]} == left
    assert all(m["deleted"] for m in memberships["data"])
    persons = get(world, f"{ROOT}/person?modified_since={since}&elementsPerPage=50").get_json()
    assert {p["id"] for p in persons["data"]} == {person["id"], gone_person}
    # only the public seats were noted, by their keys: no name, no address, no person id
    assert len(world["removals"]) == 2
    noted = str(world["removals"])
    for text in (world["gone_name"], world["public_name"], world["private_leaver"], gone, amira):
        assert text not in noted, text


def test_filters(world):
    t = world["t"].isoformat()
    since = get(world, f"{ROOT}/meeting?modified_since={t.replace('+', '%2B')}").get_json()
    ids = {m["id"] for m in since["data"]}
    assert ids == {
        f"{ROOT}/meeting/{world['withdrawn']['id']}",
        f"{ROOT}/meeting/{world['changed']['id']}",
    }
    # the next link keeps the filter
    assert parse_qs(urlsplit(since["links"]["self"]).query)["modified_since"] == [t]
    until = get(
        world, f"{ROOT}/meeting?modified_until={t.replace('+', '%2B')}&elementsPerPage=50"
    ).get_json()
    assert {m["id"] for m in until["data"]}.isdisjoint(ids)
    assert f"{ROOT}/meeting/{world['unchanged']['id']}" in {m["id"] for m in until["data"]}
    created = get(world, f"{ROOT}/meeting?created_since={t.replace('+', '%2B')}").get_json()
    assert [m["id"] for m in created["data"]] == [f"{ROOT}/meeting/{world['withdrawn']['id']}"]
    assert (
        get(world, f"{ROOT}/organization?created_until=2000-01-01T00:00:00").get_json()["data"]
        == []
    )
    bare = get(world, f"{ROOT}/meeting?omit_internal=true&elementsPerPage=50").get_json()["data"]
    assert bare and not any("agendaItem" in m or "location" in m for m in bare)
    paged = get(world, f"{ROOT}/organization?elementsPerPage=1").get_json()
    assert (
        paged["pagination"]["elementsPerPage"] == 1
        and "elementsPerPage=1" in paged["links"]["next"]
    )
    assert get(world, f"{ROOT}/meeting?modified_since=gestern").status_code == 422
    assert get(world, f"{ROOT}/meeting?page=0").status_code == 422


def test_nothing_that_is_not_public_leaves(world, crawl):
    documents = json.dumps(crawl["documents"], ensure_ascii=False)
    # the PDFs are rendered from the Markdown checked here (and their text is compressed)
    texts = [f.decode() for f in crawl["files"].values() if not f.startswith(b"%PDF-")]
    assert len(texts) == len(crawl["files"]) * 2 // 3
    everything = documents + "".join(texts)
    never = [
        world["secret_event"]["title"],  # a non-public event
        world["applicant"],  # an application in progress
        *world["private_names"],  # members without consent
        *world["private_emails"],  # no e-mail address of a person, ever
        world["public_person_id"],
        "leyla@verfahren.example",
    ]
    for text in never:
        assert text not in everything, text
    # of ballots only title, kind and outcome: no tally, no names, no reasons (a secret
    # ballot's dissent is in the published minutes, without names, as the events API has it)
    for text in (world["secret_reason"], world["dissenter"], "quorum_needed", "Zu früh"):
        assert text not in documents, text
    assert world["ballots"]["admission"]["title"] not in documents  # not announced yet
    assert world["ballots"]["untold"]["title"] not in documents  # period over, not announced
    for key in ("admission", "untold"):  # nor in the minutes as OParl Files
        assert world["ballots"][key]["title"].replace("-", "\\-") not in everything, key
        assert world["ballots"][key]["title"] not in everything, key
    persons = [
        o
        for o in objects_in(crawl["documents"])
        if o["type"] == OPARL + "Person" and not o.get("deleted")
    ]
    assert {p["name"] for p in persons} == {world["public_name"]}
    assert world["gone_name"] not in everything and world["private_leaver"] not in everything
    assert all(
        set(p) <= {"id", "type", "body", "name", "membership", "created", "modified"}
        for p in persons
    )
    assert get(world, f"{ROOT}/meeting/{world['secret_event']['id']}").status_code == 404


def test_unknown_tenant_preflight_and_foreign_tokens(world, token):
    assert get(world, f"{BASE}/oparl/v1/nirgendwo/system").status_code == 404
    assert get(world, f"{ROOT}/meeting/{world['meeting']['id']}x").status_code == 404
    preflight = world["clients"]["events"].options("/oparl/v1/chemnitz/meeting")
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    # anonymous is enough; a token of another network is refused here as everywhere
    foreign = token("magdeburg", "coordinator", sub="oparl-foreigner")
    assert get(world, f"{ROOT}/system", headers=foreign).status_code == 403
    assert get(world, f"{ROOT}/meeting", headers=foreign).status_code == 403


@pytest.mark.parametrize("network", ["saalekreis", "magdeburg", "mittelsachsen"])
def test_every_network_is_valid_oparl(world, network):
    """The other networks with their demo data: the same schemas and MUST rules, one open
    legislative term each, every link resolving."""
    root = f"{BASE}/oparl/v1/{network}"
    documents = crawl_from(world, root)["documents"]
    checked, by_id = check_all(documents)
    kinds = {o["type"].removeprefix(OPARL) for o in by_id.values()}
    assert kinds >= {"Body", "LegislativeTerm", "Organization"}, kinds
    body = documents[f"{root}/body/{network}"]
    assert [t["id"] for t in body["legislativeTerm"]] == [f"{root}/legislativeterm/laufend"]
    assert documents[f"{root}/system"]["created"] <= documents[f"{root}/system"]["modified"]


BODY_LISTS = (
    "organization",
    "person",
    "membership",
    "meeting",
    "paper",
    "agendaItem",
    "consultation",
    "file",
    "locationList",
    "legislativeTermList",
)


def fetch_lists(world, root: str, tenant: str, query: str = "") -> dict[str, dict]:
    """What a client syncing the network holds: the System and every object of every list
    (the Body list and the lists the Body names), each page followed; {id: object}."""
    system = get(world, f"{root}/system").get_json()
    body = get(world, f"{root}/body/{tenant}").get_json()
    found = {system["id"]: system}
    for url in [system["body"], *(body[name] for name in BODY_LISTS)]:
        page = get(world, f"{url}?elementsPerPage=2{query}").get_json()
        while True:
            for obj in page["data"]:
                assert obj["id"] not in found or found[obj["id"]] == obj, obj["id"]
                found[obj["id"]] = obj
            if "next" not in page["links"]:
                break
            page = get(world, page["links"]["next"]).get_json()
    return found


def relay_to_events(world, tenant: str, ctx) -> list[str]:
    """What the outbox relay and the broker do: membership's unsent events that events
    consumes, handed to events' consumers in order (marked sent); their names."""
    from knotenpunkt.services.events.worker import CONSUMERS
    from knotenpunkt.shared.messaging import event_name

    membership = world["apps"]["membership"].extensions["knotenpunkt"].database()
    with membership.transaction(tenant) as conn:
        rows = conn.execute(
            "update outbox set sent_at = %s where sent_at is null returning id, envelope",
            (datetime.now(UTC),),
        ).fetchall()
    names = []
    events = world["apps"]["events"].extensions["knotenpunkt"].database()
    for row in sorted(rows, key=lambda r: r["id"]):
        name = event_name(row["envelope"])
        if name in CONSUMERS:
            with events.transaction(tenant) as conn:
                CONSUMERS[name](conn, row["envelope"], ctx)
            names.append(name)
    return names


def test_incremental_sync_loses_nothing(world, token):
    """Fetch all, change things (a new decision, a public member leaving, a meeting withdrawn
    from the public), fetch what changed since then (modified_since) and merge: the same as a
    fresh full fetch, deleted objects included (Magdeburg, so that Chemnitz stays as it is)."""
    from knotenpunkt.services.events.handlers import copies
    from knotenpunkt.services.events.worker import CONSUMERS
    from knotenpunkt.shared.usecase import Context

    tenant, root = "magdeburg", f"{BASE}/oparl/v1/magdeburg"
    m, e = world["clients"]["membership"], world["clients"]["events"]
    coord = token(tenant, "coordinator", sub="oparl-sync")

    def ok(resp, status=200):
        assert resp.status_code == status, resp.get_data(as_text=True)
        return resp.get_json()

    email = f"{unique('sync')}@example.org"
    contact = {"name": "Öffentliche Person", "email": email, "legal_basis": "consent"}
    contact |= {"consent_at": "2024-01-10T09:00:00+00:00", "public": True}
    ok(m.post(f"/api/v1/{tenant}/contacts", json=contact, headers=coord), 201)
    member = {"person_id": email, "name": unique("Sabine Sync"), "email": email}
    ok(m.post(f"/api/v1/{tenant}/bodies/projektgruppe/members", json=member, headers=coord), 201)

    def meeting(title, items):
        event = ok(
            e.post(
                f"/api/v1/{tenant}/events",
                json={
                    "kind": "body_meeting",
                    "body": "projektgruppe",
                    "title": title,
                    "starts_at": "2026-05-06T13:00:00+02:00",
                    "ends_at": "2026-05-06T14:00:00+02:00",
                    "place": "Altes Rathaus Magdeburg",
                    "public": True,
                },
                headers=coord,
            ),
            201,
        )
        agenda = {"items": items}
        ok(e.put(f"/api/v1/{tenant}/events/{event['id']}/agenda", json=agenda, headers=coord))
        ok(e.post(f"/api/v1/{tenant}/events/{event['id']}/agenda/publish", headers=coord))
        return event

    events = world["apps"]["events"].extensions["knotenpunkt"]
    now = datetime.now(UTC)
    decision = {
        "ballot_id": unique("ballot"),
        "body": "projektgruppe",
        "title": unique("Beschluss Willkommenskultur"),
        "text": "Die Projektgruppe beschließt das Leitbild Willkommenskultur.",
        "subject": {"kind": "general", "id": unique("subject")},
        "binding": True,
        "secret": False,
        "outcome": "adopted",
        "outcome_text": "Beschluss: angenommen",
        "kind": "resolution",
        "tally": {"yes": 4, "no": 0, "abstain": 1},
        "dissent": [],
        "deadline": now.isoformat(),
        "closed_at": now.isoformat(),
    }
    ctx = Context(
        settings=events.settings,
        tenant=events.tenants.get(tenant),
        now=now,
        actor="test",
        deps=events.deps,
        service="events",
    )
    # an admission decided in minutes published before the sync, announced only after it
    admission = {**decision, "ballot_id": unique("ballot"), "title": unique("Aufnahme: Verein")}
    admission["subject"] = {"kind": "admission", "id": unique("application")}
    with events.database().transaction(tenant) as conn:
        copies.keep_ballot(copies.KeepBallotResult(admission), conn, ctx)
    kept = meeting(
        unique("Sitzung vor dem Abgleich"),
        [{"title": "Aufnahme", "kind": "decision", "ballot_id": admission["ballot_id"]}],
    )
    minutes = {"attendees": ["Projektgruppe"], "ballot_ids": [admission["ballot_id"]]}
    ok(e.put(f"/api/v1/{tenant}/events/{kept['id']}/minutes", json=minutes, headers=coord))
    for step in ("approve", "publish"):
        ok(e.post(f"/api/v1/{tenant}/events/{kept['id']}/minutes/{step}", headers=coord))
    leaving = meeting(unique("Später zurückgezogen"), [{"title": "Verschiedenes"}])
    full = fetch_lists(world, root, tenant)
    assert f"{root}/meeting/{kept['id']}" in full and f"{root}/agendaitem/{leaving['id']}/1" in full
    assert f"{root}/paper/{admission['ballot_id']}" not in full  # not announced yet
    assert any(o["type"] == OPARL + "Membership" and not o.get("deleted") for o in full.values())

    t = past_a_whole_second()
    # a new decision: a ballot's result, decided in a new meeting whose minutes are published
    with events.database().transaction(tenant) as conn:
        copies.keep_ballot(copies.KeepBallotResult(decision), conn, ctx)
        # and membership announces the admission's outcome
        told = {"decision": {"outcome": "adopted", "ballot_id": admission["ballot_id"]}}
        CONSUMERS["membership.application.rejected"](conn, {"data": told}, ctx)
    # a founding proposal (decided, and discussed in the meeting), one still open, a working
    # paper: membership's, served by events as Papers (through its copies)
    relay_to_events(world, tenant, ctx)  # what came before: done
    proposals = []
    for topic in (unique("Sprachmittlung"), unique("Noch offen")):
        proposal = {"topic": topic, "aims": "Dolmetscherpool <aufbauen>", "planned_months": 12}
        url = f"/api/v1/{tenant}/working-group-proposals"
        proposals.append(ok(m.post(url, json=proposal, headers=coord), 201))
    url = f"/api/v1/{tenant}/working-group-proposals/{proposals[0]['id']}/decision"
    group_id = ok(m.post(url, json={"approved": True}, headers=coord))["working_group_id"]
    paper_text = {"goals": [{"text": "Pool mit 20 Sprachmittlern"}], "results": "**offen**"}
    ok(m.put(f"/api/v1/{tenant}/working-groups/{group_id}/paper", json=paper_text, headers=coord))
    relayed = relay_to_events(world, tenant, ctx)
    assert relayed.count("membership.working_group_proposal.submitted") == 2
    assert "membership.working_paper.saved" in relayed
    founding = {
        **decision,
        "ballot_id": unique("ballot"),
        "title": f"Gründung AG {proposals[0]['topic']}",
        "text": None,
        "subject": {"kind": "working_group_founding", "id": proposals[0]["id"]},
    }
    with events.database().transaction(tenant) as conn:
        copies.keep_ballot(copies.KeepBallotResult(founding), conn, ctx)
    decided = meeting(
        unique("Sitzung mit Beschluss"),
        [
            {"title": "Leitbild", "kind": "decision", "ballot_id": decision["ballot_id"]},
            {"title": "Gründung", "kind": "decision", "ballot_id": founding["ballot_id"]},
        ],
    )
    minutes = {
        "attendees": ["Projektgruppe"],
        "ballot_ids": [decision["ballot_id"], founding["ballot_id"]],
    }
    ok(e.put(f"/api/v1/{tenant}/events/{decided['id']}/minutes", json=minutes, headers=coord))
    for step in ("approve", "publish"):
        ok(e.post(f"/api/v1/{tenant}/events/{decided['id']}/minutes/{step}", headers=coord))
    # a public member leaves, a meeting is withdrawn from the public
    left = m.delete(f"/api/v1/{tenant}/bodies/projektgruppe/members/{email}", headers=coord)
    assert left.status_code == 204, left.get_data(as_text=True)
    ok(e.patch(f"/api/v1/{tenant}/events/{leaving['id']}", json={"public": False}, headers=coord))

    since = "&modified_since=" + t.isoformat().replace("+", "%2B")
    changed = fetch_lists(world, root, tenant, since)
    fresh = fetch_lists(world, root, tenant)
    assert {**full, **changed} == fresh
    # the other filters on every list split it at T with nothing lost
    at = t.isoformat().replace("+", "%2B")
    system = f"{root}/system"
    for since, until in (("created_since", "created_until"), ("modified_since", "modified_until")):
        after = fetch_lists(world, root, tenant, f"&{since}={at}")
        before = fetch_lists(world, root, tenant, f"&{until}={at}")
        assert set(after) & set(before) == {system}, since
        assert {**before, **after} == fresh, since
        field = since.removesuffix("_since")
        assert all(datetime.fromisoformat(o[field]) >= t for i, o in after.items() if i != system)
    assert f"{root}/paper/{decision['ballot_id']}" in after
    # what changed came, and only that (the System is fetched always)
    stale = {i for i, o in fresh.items() if datetime.fromisoformat(o["modified"]) < t}
    assert set(changed) - {f"{root}/system"} == set(fresh) - stale - {f"{root}/system"}
    assert f"{root}/meeting/{kept['id']}" in changed  # its agenda item has a result now
    assert f"{root}/legislativeterm/laufend" not in changed
    # the admission, public now: a Paper new to the client although its minutes are older
    told_paper = changed[f"{root}/paper/{admission['ballot_id']}"]
    assert told_paper["paperType"] == "Aufnahmeantrag"
    assert told_paper["consultation"][0]["agendaItem"] == f"{root}/agendaitem/{kept['id']}/1"
    assert changed[f"{root}/agendaitem/{kept['id']}/1"]["result"] == "Beschluss: angenommen"
    paper = changed[f"{root}/paper/{decision['ballot_id']}"]
    (consultation,) = paper["consultation"]
    assert consultation["agendaItem"] == f"{root}/agendaitem/{decided['id']}/1"
    assert paper["auxiliaryFile"][0]["paper"] == [
        paper["id"],
        f"{root}/paper/gruendungsantrag/{proposals[0]['id']}",
    ]
    item = changed[f"{root}/agendaitem/{decided['id']}/1"]
    assert item["result"] == "Beschluss: angenommen"
    assert item["resolutionText"].startswith(decision["text"])
    # the founding proposal: its own Paper with its text, discussed at the agenda item
    proposal = changed[f"{root}/paper/gruendungsantrag/{proposals[0]['id']}"]
    assert proposal["paperType"] == "Gründungsantrag (Arbeitsgruppe)"
    (consultation,) = proposal["consultation"]
    assert consultation["agendaItem"] == f"{root}/agendaitem/{decided['id']}/2"
    assert f"{root}/paper/{founding['ballot_id']}" not in fresh
    text = get(world, proposal["mainFile"]["accessUrl"])
    assert text.mimetype == "text/markdown" and len(text.data) == proposal["mainFile"]["size"]
    assert "Dolmetscherpool &lt;aufbauen&gt;" in text.data.decode()
    assert f"{root}/paper/gruendungsantrag/{proposals[1]['id']}" not in fresh  # not decided
    assert proposals[1]["topic"] not in json.dumps(fresh, ensure_ascii=False)
    working = changed[f"{root}/paper/arbeitspapier/{group_id}"]
    assert working["paperType"] == "Arbeitspapier"
    assert working["originatorOrganization"] == [f"{root}/organization/arbeitsgruppe/{group_id}"]
    text = get(world, working["mainFile"]["accessUrl"]).data.decode()
    assert "Pool mit 20 Sprachmittlern" in text and "\\*\\*offen\\*\\*" in text
    assert (
        working["mainFile"]["id"] in fresh
        and f"{root}/organization/arbeitsgruppe/{group_id}" in fresh
    )
    gone = [o for o in changed.values() if o.get("deleted")]
    kinds = {o["type"].removeprefix(OPARL) for o in gone}
    assert kinds >= {"Membership", "Person", "Meeting", "AgendaItem", "Location"}, kinds
    assert all(set(o) == DELETED for o in gone if o["type"] != OPARL + "AgendaItem")
    assert all(set(o) == DELETED | {"order"} for o in gone if o["type"] == OPARL + "AgendaItem")
    assert f"{root}/organization/gremium/projektgruppe" in changed  # its memberships changed
    for obj in changed.values():
        validate(obj, obj["id"])
        must(obj, obj["id"])


def test_links_across_services_use_the_one_public_origin(world):
    """With a public origin configured (PUBLIC_URL or OPARL_BASE_URL), both services write
    every id and link on it, whichever port or host a request came in on."""
    from knotenpunkt.services.events.app import create_app as events_app
    from knotenpunkt.services.membership.app import create_app as membership_app

    public = "https://netz.example.org"
    settings = world["settings"]
    settings = settings.with_(extra={**settings.extra, "oparl_base_url": public})
    apps = [make(settings, world["registry"]) for make in (membership_app, events_app)]
    try:
        membership, events = (app.test_client() for app in apps)
        body = membership.get("/oparl/v1/chemnitz/body/chemnitz", base_url="http://127.0.0.1:5001")
        meetings = events.get("/oparl/v1/chemnitz/meeting", base_url="http://127.0.0.1:5003")
        found = links(body.get_json(), f"{public}/oparl/v1/chemnitz")
        found += links(meetings.get_json(), f"{public}/oparl/v1/chemnitz")
        assert body.get_json()["meeting"] == f"{public}/oparl/v1/chemnitz/meeting"
        assert len(found) > 20
        text = body.get_data(as_text=True) + meetings.get_data(as_text=True)
        assert "127.0.0.1" not in text and "localhost" not in text
    finally:
        for app in apps:
            app.extensions["knotenpunkt"].db.close()
