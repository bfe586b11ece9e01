"""One origin under make run (issue 26, point 1): every link the system writes starts with
PUBLIC_URL, the portal's port, and answers there.

The make-run stack (tests/integration/makerun.py: `knotenpunkt run`, its embedded PostgreSQL,
filesystem broker, dev mail sink and the Procfile's nine processes) runs Chemnitz's flows over
the one origin only: applications (confirmed, admitted, rejected, returned), ballots (opened,
reminded, closed), a network event (invited, agenda, minutes, changed), a cancelled one, a topic
submission, a working-group proposal, a partner overview. Then every link in every mail the
dev mail sink holds (text, List-Unsubscribe, the ics attachments) and every id and link of
every OParl object crawled from ``/oparl/v1/chemnitz/system`` is followed on that origin: each
answers 200 or a redirect to the same origin, never a 404, never another port. The Swagger UI,
the OpenAPI documents' servers, the calendar subscription link and the federation keys too.

The tenant folder is a copy of deploy/tenants in which Chemnitz confirms the applicant's address
first and tells the decision at the ballot's close (``confirm_applicant_email``,
``inform_applicant: at_close``): so the confirmation and decision mails come now, not after the
14 days of the voting period.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import deque
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests

from knotenpunkt.shared.auth import issue_token
from knotenpunkt.shared.config import SERVICES, Settings, development_secrets
from tests.integration.makerun import MakeRun, scratch
from tests.support import unique

pytestmark = pytest.mark.integration

URL = re.compile(r"https?://[^\s<>\"'\\]+")
FOLLOWED = (200, 301, 302, 303, 304, 307, 308)
# The templates whose mails carry links of their own (beyond every mail's footer links).
LINKING = {"application_confirm", "invitation", "minutes_published", "directory_published"}


@pytest.fixture(scope="module")
def run():
    folder = scratch("makerun-origin")
    tenants = folder / "tenants"
    shutil.copytree(Settings().tenants_dir, tenants)
    chemnitz = tenants / "chemnitz.yaml"
    text = chemnitz.read_text(encoding="utf-8")
    rule = "  inform_applicant: after_deadline\n"
    assert rule in text
    chemnitz.write_text(
        text.replace(rule, "  inform_applicant: at_close\n  confirm_applicant_email: true\n"),
        encoding="utf-8",
    )
    stack = MakeRun(folder, TENANTS_DIR=str(tenants))
    try:
        yield stack.start()
    finally:
        stack.stop()


def at(days: float, hours: int = 2) -> tuple[str, str]:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    return start.isoformat(), (start + timedelta(hours=hours)).isoformat()


class Client:
    """The one origin, with development tokens signed by the stack's own secret."""

    def __init__(self, run: MakeRun):
        self.run = run
        self.origin = run.origin
        self.api = f"{run.origin}/api/v1/chemnitz"
        self.settings = Settings(jwt_secret=development_secrets(run.var)["JWT_SECRET"])
        self.http = requests.Session()
        self.coord = self.auth("coordinator")

    def auth(self, role: str, **kw) -> dict:
        token = issue_token(self.settings, tenant="chemnitz", roles=[role], **kw)
        return {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, expect=(200, 201), headers=None, **kw):
        resp = self.http.request(
            method, f"{self.api}{path}", headers=headers or self.coord, timeout=20, **kw
        )
        assert resp.status_code in expect, (method, path, resp.status_code, resp.text[:500])
        return resp.json() if resp.content and "json" in resp.headers["Content-Type"] else resp

    def deliveries(self) -> list[dict]:
        return self.call("GET", "/notifications?limit=1000")

    def mail_to(self, address: str, template: str):
        """The mail of that template to that address, once the notifications worker sent it."""

        def sent():
            for n in self.deliveries():
                if n["recipient"] == address and n["template"] == template:
                    if n["status"] == "sent":
                        return self.run_mail(n["id"])
            return None

        return self.run.wait_for(sent, f"the {template} mail to {address}", 120)

    def run_mail(self, delivery_id: str):
        return next(
            m for m in self.run.mails() if m["Message-ID"] == f"<{delivery_id}@knotenpunkt>"
        )


def text_of(mail) -> str:
    parts = [mail.get_body(preferencelist=("plain",)).get_content()]
    for att in mail.iter_attachments():
        content = att.get_content()
        parts.append(content if isinstance(content, str) else content.decode())
    # an ics file folds long lines (RFC 5545: CRLF and one space)
    return "\n".join(parts).replace("\r\n ", "").replace("\n ", "")


def links_of(mail) -> list[str]:
    found = URL.findall(text_of(mail))
    if mail["List-Unsubscribe"]:
        found.append(mail["List-Unsubscribe"].strip("<>"))
    return [u.rstrip(".,;)") for u in found]


def follow(c: Client, url: str, why: str) -> requests.Response:
    assert url.startswith(c.origin + "/"), f"{why}: {url} is not on the one origin {c.origin}"
    resp = c.http.get(url, timeout=20, allow_redirects=False)
    assert resp.status_code in FOLLOWED, f"{why}: {url} answered {resp.status_code}"
    if resp.is_redirect:
        location = resp.headers["Location"]
        assert location.startswith(("/", c.origin + "/")), f"{why}: {url} → {location}"
    return resp


def admission(c: Client, name: str, people: list[str], choice: str | None, complete=True):
    """An anonymous application, confirmed through its mail's link, then checked; with a choice,
    its ballot is voted on by the three members. Returns the applicant's address."""
    applicant = f"{unique('antrag')}@example.org"
    application = c.call(
        "POST",
        "/applications",
        headers={},
        json={
            "organisation": {"name": name, "kind": "migrant_self_organisation"},
            "contact": {"name": "Amadou Diallo", "email": applicant},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    )
    confirm = c.mail_to(applicant, "application_confirm")
    (link,) = [u for u in links_of(confirm) if "/confirm?" in u]
    assert "<form" in follow(c, link, "the confirmation link").text  # a page that asks first
    done = c.http.post(link, headers={"Accept": "application/json"}, timeout=20)
    assert done.status_code == 200, done.text
    c.mail_to(applicant, "application_received")
    c.call(
        "POST",
        f"/applications/{application['id']}/check",
        json={"complete": complete, "plausible": True}
        | ({} if complete else {"note": "Die Satzung fehlt."}),
    )
    if not complete:
        c.mail_to(applicant, "application_returned")
        return applicant
    ballot = c.run.wait_for(
        lambda: next(
            b
            for b in c.call("GET", "/ballots?status=open")
            if b["subject"].get("id") == application["id"]
        ),
        "the admission ballot",
    )
    for person in people:
        vote = {"choice": choice}
        if choice == "no":
            vote["reason"] = "Der Zweck ist uns unklar."
        c.call(
            "POST",
            f"/ballots/{ballot['id']}/votes",
            json=vote,
            headers=c.auth("member", sub=person, bodies=["vorbereitungsgremium"]),
        )
    c.call("POST", f"/ballots/{ballot['id']}/close", expect=(200, 409))
    return applicant


def test_every_link_in_every_mail_answers_on_the_one_origin(run):
    c = Client(run)
    people = [unique("p") for _ in range(3)]
    for i, person in enumerate(people):
        c.call(
            "POST",
            "/bodies/vorbereitungsgremium/members",
            json={
                "person_id": person,
                "name": f"Mitglied {i + 1}",
                "email": f"{person}@example.org",
            },
        )
    run.wait_for(
        lambda: (
            set(people)
            <= {v["person_id"] for v in c.call("GET", "/electorates/vorbereitungsgremium")}
        ),
        "the members in the electorate",
    )

    # a public network event in 30 days (the new partner's introduction slot), a guest invited
    s, t = at(30)
    event = c.call(
        "POST",
        "/events",
        json={
            "kind": "network_event",
            "title": "Netzwerkkonferenz Herbst",
            "starts_at": s,
            "ends_at": t,
            "place": "Rathaus Chemnitz",
            "public": True,
        },
    )
    guest = f"{unique('gast')}@example.org"
    c.call(
        "POST",
        f"/events/{event['id']}/invitations",
        json={"guests": [{"name": "Gast GmbH", "email": guest}]},
    )
    invitation = c.mail_to(guest, "invitation")
    assert any(f"/chemnitz/antwort/{event['id']}?" in u for u in links_of(invitation))

    admitted = admission(c, unique("Kulturverein"), people, "yes")
    rejected = admission(c, unique("Handelsverein"), people, "no")
    admission(c, unique("Unvollständig e. V."), people, None, complete=False)
    c.mail_to(admitted, "application_admitted")
    c.mail_to(rejected, "application_rejected")
    c.mail_to(admitted, "introduction_slot")

    # a ballot due tomorrow: opened, and a reminder to those who have not voted yet
    soon = (datetime.now(UTC) + timedelta(hours=24)).replace(microsecond=0).isoformat()
    c.call(
        "POST",
        "/ballots",
        json={
            "body": "vorbereitungsgremium",
            "title": "Resolution zur Sprachförderung",
            "subject": {"kind": "resolution"},
            "deadline": soon,
        },
    )
    c.mail_to(f"{people[0]}@example.org", "ballot_reminder")

    # the event's agenda, a topic for it, its minutes; then it moves to another room
    c.call("PUT", f"/events/{event['id']}/agenda", json={"items": [{"title": "Begrüßung"}]})
    c.call("POST", f"/events/{event['id']}/agenda/publish")
    c.call(
        "POST",
        f"/events/{event['id']}/topic-submissions",
        json={"title": "Sprachkurse für Eltern"},
        headers=c.auth("member", sub=people[0], bodies=["vorbereitungsgremium"]),
    )
    c.call("PUT", f"/events/{event['id']}/minutes", json={"attendees": ["Mitglied 1"]})
    # approved only after the meeting (the minutes mail comes from yesterday's meeting below)
    c.call("POST", f"/events/{event['id']}/minutes/approve", expect=(409,))
    # yesterday's network meeting, the guest was there: its minutes approved and published
    s, t = at(-1)
    held = c.call(
        "POST",
        "/events",
        json={
            "kind": "network_event",
            "title": "Netzwerktreffen",
            "starts_at": s,
            "ends_at": t,
            "public": True,
        },
    )
    c.call(
        "POST",
        f"/events/{held['id']}/invitations",
        json={"guests": [{"name": "Gast GmbH", "email": guest}]},
    )
    c.call("PUT", f"/events/{held['id']}/minutes", json={"attendees": ["Gast GmbH"]})
    c.call("POST", f"/events/{held['id']}/minutes/approve")
    c.call("POST", f"/events/{held['id']}/minutes/publish")
    c.call("PATCH", f"/events/{event['id']}", json={"place": "Stadthalle Chemnitz"})
    # another event, cancelled after its invitation
    s, t = at(40)
    other = c.call(
        "POST",
        "/events",
        json={"kind": "network_event", "title": "Sommerfest", "starts_at": s, "ends_at": t},
    )
    c.call(
        "POST",
        f"/events/{other['id']}/invitations",
        json={"guests": [{"name": "Gast GmbH", "email": guest}]},
    )
    c.call("PATCH", f"/events/{other['id']}", json={"status": "cancelled"})
    c.call(
        "POST",
        "/working-group-proposals",
        json={"topic": "Wohnen", "aims": "Wohnraum für Geflüchtete finden."},
        headers=c.auth("member", sub=people[1], bodies=["vorbereitungsgremium"]),
    )
    c.call("POST", "/directory/publications")
    for template in ("agenda_published", "minutes_published", "event_changed", "event_cancelled"):
        c.mail_to(guest, template)
    coordinators = {
        n["recipient"] for n in c.deliveries() if n["template"] == "working_group_proposal"
    }
    assert coordinators, "the working-group proposal went to the Koordinierungsstelle"
    for template in ("topic_submitted", "working_group_proposal", "directory_published"):
        c.mail_to(min(coordinators), template)

    # every mail sent: every link in it on the one origin, answering
    def settled():
        found = c.deliveries()
        return found if all(n["status"] in ("sent", "suppressed") for n in found) else None

    deliveries = run.wait_for(settled, "every delivery sent")
    by_id = {f"<{n['id']}@knotenpunkt>": n["template"] for n in deliveries}
    seen, followed = set(), 0
    for mail in run.mails():
        template = by_id.get(mail["Message-ID"])
        if template is None:
            continue  # another network's (the seed's) mail
        seen.add(template)
        for url in links_of(mail):
            follow(c, url, f"the {template} mail to {mail['To']}")
            followed += 1
    print(f"templates: {sorted(seen)}; links followed: {followed}")
    assert LINKING <= seen, LINKING - seen
    assert {
        "application_received",
        "application_admitted",
        "application_rejected",
        "application_returned",
        "ballot_opened",
        "ballot_reminder",
        "ballot_result",
        "introduction_slot",
        "agenda_published",
        "event_changed",
        "event_cancelled",
        "topic_submitted",
        "working_group_proposal",
    } <= seen, seen
    assert followed >= 2 * len(seen)  # every mail has its unsubscribe links at least


def public_meeting_with_a_decision(c: Client) -> dict:
    """A public meeting of the Vorbereitungsgremium whose published minutes hold a closed ballot: a Meeting with its
    Location, AgendaItem, Consultation, File (the minutes) and Paper (the decision)."""
    members = {m["person_id"] for m in c.call("GET", "/bodies/vorbereitungsgremium/members")}
    voters = c.run.wait_for(
        lambda: (
            members
            <= (v := {v["person_id"] for v in c.call("GET", "/electorates/vorbereitungsgremium")})
            and v
        ),
        "the seeded members in the electorate",
    )
    s, t = at(-1)  # held yesterday
    event = c.call(
        "POST",
        "/events",
        json={
            "kind": "body_meeting",
            "body": "vorbereitungsgremium",
            "title": "Sitzung des Vorbereitungsgremiums",
            "starts_at": s,
            "ends_at": t,
            "place": "Rathaus Chemnitz",
            "public": True,
        },
    )
    ballot = c.call(
        "POST",
        "/ballots",
        json={
            "body": "vorbereitungsgremium",
            "title": "Empfehlung zur Sprachförderung",
            "subject": {"kind": "recommendation"},
        },
    )
    c.call(
        "PUT",
        f"/events/{event['id']}/agenda",
        json={
            "items": [
                {"title": "Begrüßung"},
                {"title": ballot["title"], "kind": "decision", "ballot_id": ballot["id"]},
            ]
        },
    )
    for person in voters:
        c.call(
            "POST",
            f"/ballots/{ballot['id']}/votes",
            json={"choice": "yes"},
            headers=c.auth("member", sub=person, bodies=["vorbereitungsgremium"]),
        )
    c.call("POST", f"/ballots/{ballot['id']}/close", expect=(200, 409))
    c.run.wait_for(
        lambda: c.call("GET", f"/ballots/{ballot['id']}")["status"] == "closed", "the result"
    )
    c.run.wait_for(
        lambda: c.call(
            "PUT",
            f"/events/{event['id']}/minutes",
            expect=(200, 409, 422),
            json={"attendees": ["Koordinierungsstelle"], "ballot_ids": [ballot["id"]]},
        ).get("decisions"),
        "the decision in the minutes (events learns the result from voting's event)",
    )
    c.call("POST", f"/events/{event['id']}/minutes/approve")
    c.call("POST", f"/events/{event['id']}/minutes/publish")
    return event


def test_every_oparl_id_and_link_answers_on_the_one_origin(run):
    c = Client(run)
    public_meeting_with_a_decision(c)
    start = f"{c.origin}/oparl/v1/chemnitz/system"
    queue, done, objects, types = deque([start]), set(), 0, set()
    while queue and len(done) < 600:
        url = queue.popleft()
        if url in done:
            continue
        done.add(url)
        resp = follow(c, url, "an OParl link")
        if not resp.headers.get("Content-Type", "").startswith("application/json"):
            continue  # a file's content
        objects += 1
        types |= {o.get("type", "").rsplit("/", 1)[-1] for o in _objects(resp.json())}
        for value in _strings(resp.json()):
            if not value.startswith("http"):
                continue
            parts = urlsplit(value)
            if parts.hostname in ("127.0.0.1", "localhost") or "/oparl/" in parts.path:
                assert value.startswith(c.origin + "/"), f"{url} links {value}"
                if value.split("#")[0] not in done:
                    queue.append(value.split("#")[0])
    assert {
        "System",
        "Body",
        "Organization",  # (Person and Membership lists: empty for an anonymous importer)
        "Meeting",
        "AgendaItem",
        "Consultation",
        "Paper",
        "File",
        "Location",
    } <= types, types
    assert objects > 20

    # the ids are the origin's even when a service is asked on its own port
    events_port = run.ports["events"]
    direct = requests.get(f"http://127.0.0.1:{events_port}/oparl/v1/chemnitz/meeting", timeout=20)
    assert direct.status_code == 200
    meetings = direct.json()["data"]
    assert meetings and all(m["id"].startswith(c.origin + "/") for m in meetings)
    organizations = [o for m in meetings for o in m.get("organization", [])]
    assert organizations  # the body's meeting: its Organization is membership's
    for org in organizations:
        assert org.startswith(f"{c.origin}/oparl/v1/chemnitz/organization/")
        follow(c, org, "Meeting.organization")


def _objects(value):
    """Every dict with a "type" in a JSON document (an object, a list's items, embedded ones)."""
    if isinstance(value, dict):
        if "type" in value:
            yield value
        for v in value.values():
            yield from _objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _objects(v)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_docs_calendars_and_federation_keys_on_the_one_origin(run):
    c = Client(run)
    index = follow(c, f"{c.origin}/api/v1/docs", "the API index")
    for href in re.findall(r'href="([^"]+)"', index.text):
        follow(c, c.origin + href, "a link of the API index")
    for service in SERVICES:
        doc = follow(c, f"{c.origin}/api/v1/{service}/openapi.json", service).json()
        assert [s["url"] for s in doc["servers"]] == [c.origin], service
        assert doc["paths"]
        page = follow(c, f"{c.origin}/api/v1/{service}/docs", f"{service}'s Swagger UI")
        for src in re.findall(r'(?:src|href)="(docs/[^"]+)"', page.text):
            follow(c, f"{c.origin}/api/v1/{service}/{src}", f"{service}'s Swagger UI asset")

    # the calendar subscription link of a body's member: served on the same origin
    def member_link():
        """The link of a member whose membership events already knows (copies follow)."""
        for member in c.call("GET", "/bodies/vorbereitungsgremium/members"):
            resp = c.http.get(
                f"{c.api}/bodies/vorbereitungsgremium/calendar-link",
                headers=c.auth("member", sub=member["person_id"], bodies=["vorbereitungsgremium"]),
                timeout=20,
            )
            if resp.status_code == 200:
                return resp.json()
        return None

    link = run.wait_for(member_link, "member's calendar link")
    feed = follow(c, link["url"], "the calendar subscription")
    assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text
    assert link["webcal"] == "webcal://" + link["url"].split("://", 1)[1]
    public = follow(c, f"{c.api}/calendar.ics", "the public calendar")
    assert "BEGIN:VCALENDAR" in public.text
    # federation: this instance's keys where peers look for them (FEDERATION_URL = PUBLIC_URL)
    keys = follow(c, f"{c.origin}/.well-known/jwks.json", "the federation keys").json()
    assert keys["keys"]
    peer_call = c.http.get(f"{c.api}/federation/directory", timeout=20)
    assert peer_call.status_code == 401, peer_call.text  # membership's, wanting a peer token
    # an unknown API path stays a problem on the origin; the portal is everything else
    unknown = c.http.get(f"{c.api}/nothing-here", timeout=20)
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"].startswith("application/problem+json")
    assert json.loads(unknown.text)["status"] == 404
    assert follow(c, f"{c.origin}/chemnitz/", "the portal").status_code == 200
