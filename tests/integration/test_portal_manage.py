"""The console's management pages over the four real services on loopback: what needs the
Koordinierungsstelle, applications by status, partners, bodies and members, contacts with
their legal basis, doctors, offers, the matrix, the delivery log with resend, and the
printable partner overview and minutes (HTML and PDF)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from knotenpunkt.services.notifications import handlers
from knotenpunkt.services.notifications import store as notification_store
from knotenpunkt.shared.messaging import envelope
from knotenpunkt.wiring import worker_for
from tests.browser.live import csrf_token
from tests.integration.test_notifications import RejectingSmtp
from tests.pdf_structure import structure
from tests.support import unique


def page(web, url, status=200) -> str:
    resp = web.get(url)
    assert resp.status_code == status, (url, resp.status_code, resp.get_data(as_text=True)[:3000])
    return resp.get_data(as_text=True)


def post(web, url, data, form_url=None):
    html = page(web, form_url or url)
    return web.post(url, data={"csrf_token": csrf_token(html), **data})


def signed_in(portal, tenant: str, role: str = "coordinator"):
    web = portal.test_client()
    resp = post(
        web,
        "/anmelden/entwicklung",
        {"tenant": tenant, "role": role, "person": ""},
        form_url=f"/anmelden/entwicklung?tenant={tenant}",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return web


@pytest.fixture
def web(portal):
    return signed_in(portal, "chemnitz")


def apply(clients, name: str) -> dict:
    resp = clients["membership"].post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": name, "kind": "migrant_self_organisation"},
            "contact": {"name": "Amadou Diallo", "email": f"{unique('a')}@verein.example"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def check(clients, token, app_id, complete=True):
    body = {"complete": complete, "plausible": True}
    if not complete:
        body["note"] = "Anschrift fehlt."
    resp = clients["membership"].post(
        f"/api/v1/chemnitz/applications/{app_id}/check",
        json=body,
        headers=token("chemnitz", "coordinator"),
    )
    assert resp.status_code == 200, resp.get_json()


def every_listed(clients, token, status) -> list[dict]:
    out, page_no = [], 1
    while True:
        resp = clients["membership"].get(
            f"/api/v1/chemnitz/applications?status={status}&page={page_no}&page_size=50",
            headers=token("chemnitz", "coordinator"),
        )
        assert resp.status_code == 200, resp.get_json()
        data = resp.get_json()
        out += data["items"]
        if page_no * 50 >= data["total"]:
            assert len(out) == data["total"]
            return out
        page_no += 1


def unique_uuid() -> str:
    return str(uuid.uuid4())


# --- Applications by status ------------------------------------------------------------------


def test_the_applications_list_holds_only_the_status_asked_for(clients, token, web):
    submitted = apply(clients, unique("Verein eingereicht"))
    returned = apply(clients, unique("Verein zurück"))
    voting = apply(clients, unique("Verein Abstimmung"))
    check(clients, token, returned["id"], complete=False)
    check(clients, token, voting["id"])
    for status, mine in (
        ("submitted", submitted),
        ("returned", returned),
        ("in_vote", voting),
    ):
        listed = every_listed(clients, token, status)
        assert {a["status"] for a in listed} == {status}, status
        assert mine["id"] in {a["id"] for a in listed}
        others = {submitted["id"], returned["id"], voting["id"]} - {mine["id"]}
        assert not others & {a["id"] for a in listed}
    # the portal's list: the same filter, the status in German, paged by 20
    html = page(web, "/chemnitz/console/antraege?status=submitted")
    assert "zur Ergänzung zurückgegeben" not in html.split("<tbody>")[1]
    total = len(every_listed(clients, token, "submitted"))
    assert f"{total} Anträge" in html or f"{total} Antrag" in html
    if total > 20:
        assert 'rel="next"' in html and "Seite 1 von" in html
    html = page(web, "/chemnitz/console/antraege?status=unconfirmed")
    assert "Adresse noch nicht bestätigt" in html


# --- The start page: what needs the Koordinierungsstelle --------------------------------------


def task_count(html: str, key: str) -> str:
    match = re.search(rf'id="task-{key}"><a href="([^"]+)"><span class="count">([^<]+)<', html)
    assert match, (key, html[:3000])
    return match.group(2), match.group(1)


def test_the_start_page_counts_what_needs_the_coordinators(clients, token, web):
    apply(clients, unique("Verein wartet"))
    waiting = len(every_listed(clients, token, "submitted"))
    html = page(web, "/chemnitz/console/")
    count, link = task_count(html, "applications")
    assert count == str(waiting) and link == "/chemnitz/console/antraege?status=submitted"
    for key in ("proposals", "cadence"):
        count, link = task_count(html, key)
        assert count.isdigit() and link.startswith("/chemnitz/console/")
    # topic submissions: the network's count in one call to events, each with its agenda page
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=90)
    event = (
        clients["events"]
        .post(
            "/api/v1/chemnitz/events",
            json={
                "kind": "network_event",
                "title": unique("Netzwerktreffen"),
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
            },
            headers=token("chemnitz", "coordinator"),
        )
        .get_json()
    )
    topic = unique("Thema Wohnen")
    sent = clients["events"].post(
        f"/api/v1/chemnitz/events/{event['id']}/topic-submissions",
        json={"title": topic},
        headers=token("chemnitz", "partner"),
    )
    assert sent.status_code == 201, sent.get_json()
    pending = clients["events"].get(
        "/api/v1/chemnitz/topic-submissions?status=submitted",
        headers=token("chemnitz", "coordinator"),
    )
    html = page(web, "/chemnitz/console/")
    count, link = task_count(html, "submissions")
    assert count == pending.headers["X-Total-Count"] and link == "/chemnitz/console/#submissions"
    section = html.split('id="submissions"')[1].split("<h2")[0]
    assert topic in section and f"/chemnitz/console/planung/{event['id']}/tagesordnung" in section
    count, link = task_count(html, "failed")
    assert link == "/chemnitz/console/zustellungen?status=failed"
    assert "Was ansteht" in html and "Sitzungsturnus" in html
    # a member of a body sees their own start page, not the coordinators'
    member = signed_in(web.application, "chemnitz", "partner")
    assert "Was ansteht" not in page(member, "/chemnitz/console/")
    page(member, "/chemnitz/console/verwalten/partner", status=403)


# --- Ballots opened by hand ---------------------------------------------------------------------


def test_a_coordinator_opens_a_ballot_and_follows_it(web, clients, token):
    url = "/chemnitz/console/abstimmungen/neu"
    assert url in page(web, "/chemnitz/console/abstimmungen")
    resp = post(web, url, {"kind": "admission", "deadline": "morgen"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    for field in ("f-body", "f-kind", "f-title", "f-deadline"):
        assert f'href="#{field}"' in html, field
    assert "<title>Fehler: Neue Abstimmung" in html
    title = unique("Resolution Sprachkurse")
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    resp = post(
        web,
        url,
        {
            "body": "vorbereitungsgremium",
            "kind": "resolution",
            "title": title,
            "text": "Das Netzwerk fordert mehr Sprachkurse.",
            "deadline": day.isoformat(),
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    ballot_id = resp.location.rsplit("/", 1)[1]
    ballot = (
        clients["voting"]
        .get(f"/api/v1/chemnitz/ballots/{ballot_id}", headers=token("chemnitz", "coordinator"))
        .get_json()
    )
    assert ballot["title"] == title and ballot["status"] == "open"
    assert ballot["subject"]["kind"] == "resolution" and ballot["body"] == "vorbereitungsgremium"
    assert ballot["deadline"].startswith(day.isoformat())
    html = page(web, resp.location)
    assert "Die Abstimmung ist eröffnet." in html and 'id="participation"' in html
    assert title in page(web, "/chemnitz/console/abstimmungen?status=open")
    member = signed_in(web.application, "chemnitz", "partner")
    page(member, url, status=403)


def test_closing_early_is_confirmed_after_seeing_the_turnout(web, clients, token):
    coord = token("chemnitz", "coordinator")
    opened = clients["voting"].post(
        "/api/v1/chemnitz/ballots",
        json={"body": "vorbereitungsgremium", "title": unique("Resolution Schließen")},
        headers=coord,
    )
    assert opened.status_code == 201, opened.get_json()
    ballot = opened.get_json()
    url = f"/chemnitz/console/abstimmungen/{ballot['id']}"
    html = page(web, url)
    assert f'href="{url}/schliessen"' in html  # a link to the confirmation, not a closing button
    confirm = page(web, f"{url}/schliessen")
    n = ballot["electorate_size"]
    assert f"0 von {n} Stimmberechtigten haben abgestimmt." in confirm
    quorum = "Quorum: " if ballot["quorum"] else "Ein Quorum gibt es nicht."
    assert quorum in confirm and 'name="bestaetigt" value="ja"' in confirm
    # a post without the confirmation (an old form, a script) closes nothing
    resp = web.post(f"{url}/schliessen", data={"csrf_token": csrf_token(confirm)})
    assert resp.status_code == 200 and "Abstimmung vorzeitig schließen?" in resp.get_data(True)
    still = clients["voting"].get(f"/api/v1/chemnitz/ballots/{ballot['id']}", headers=coord)
    assert still.get_json()["status"] == "open"
    resp = post(web, f"{url}/schliessen", {"bestaetigt": "ja"}, form_url=f"{url}/schliessen")
    assert resp.status_code == 302 and resp.location.endswith(url)
    result = page(web, url)
    assert 'id="outcome"' in result and f"0 von {n} Stimmberechtigten haben abgestimmt." in result
    # a closed ballot's confirmation page leads back to it
    assert web.get(f"{url}/schliessen").status_code == 302


def test_a_tally_reads_in_the_choices_order():
    from knotenpunkt.services.portal import labels

    # as PostgreSQL's jsonb gives it back: shorter keys first
    tally = {"no": 1, "yes": 4, "voted": 6, "abstain": 1, "electorate": 7}
    assert [str(name) for name, _ in labels.tally(tally)] == ["Ja", "Nein", "Enthaltung"]
    consensus = {"agree": 3, "object": 1, "stand_aside": 1}
    assert [str(name) for name, _ in labels.tally(consensus)] == [
        "Zustimmung",
        "Enthaltung (Beiseitestehen)",
        "Einwand",
    ]


def test_a_body_that_only_recommends_is_not_offered_a_resolution(portal, clients, token):
    magdeburg = signed_in(portal, "magdeburg")
    html = page(magdeburg, "/magdeburg/console/abstimmungen/neu")
    assert 'value="recommendation"' in html and 'value="resolution"' not in html
    refused = clients["voting"].post(
        "/api/v1/magdeburg/ballots",
        json={"body": "projektgruppe", "title": "Beschluss?", "subject": {"kind": "resolution"}},
        headers=token("magdeburg", "coordinator"),
    )
    assert refused.status_code == 422 and "subject.kind" in str(refused.get_json())
    resp = post(
        magdeburg,
        "/magdeburg/console/abstimmungen/neu",
        {"body": "projektgruppe", "kind": "resolution", "title": unique("Beschluss")},
    )
    assert resp.status_code == 422
    assert "beschließt nicht, sondern empfiehlt" in resp.get_data(as_text=True)


# --- Partners ---------------------------------------------------------------------------------


def test_a_partner_is_created_changed_and_leaves(web, clients):
    resp = post(web, "/chemnitz/console/verwalten/partner/neu", {"postcode": "123"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert '<a href="#f-name">Bitte füllen Sie „Name“ aus.</a>' in html
    assert 'href="#f-kind"' in html and "<title>Fehler:" in html
    name = unique("Bildungswerk")
    resp = post(
        web,
        "/chemnitz/console/verwalten/partner/neu",
        {
            "name": name,
            "kind": "education",
            "postcode": "123",
            "languages": "de, AR",
            "topics": "Bildung",
            "public": "yes",
        },
    )
    # the API's rule for the postcode, on its field
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'href="#f-postcode"' in html and f'value="{name}"' in html
    resp = post(
        web,
        "/chemnitz/console/verwalten/partner/neu",
        {
            "name": name,
            "kind": "education",
            "postcode": "09111",
            "city": "Chemnitz",
            "languages": "de, AR",
            "public": "yes",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    listed = page(web, f"/chemnitz/console/verwalten/partner?q={name}")
    assert f"„{name}“ ist gespeichert." in listed and "Bildungseinrichtung" in listed
    partner_id = re.search(r'/verwalten/partner/([0-9a-f-]{36})"', listed).group(1)
    stored = clients["membership"].get(f"/api/v1/chemnitz/partners/{partner_id}").get_json()
    assert stored["languages"] == ["de", "ar"] and stored["postcode"] == "09111"
    url = f"/chemnitz/console/verwalten/partner/{partner_id}"
    form = page(web, url)
    assert f'value="{name}"' in form and 'value="de, ar"' in form
    resp = post(web, url, {"name": name, "kind": "education", "city": "", "public": ""})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    # changed: no longer public, city cleared, anonymous visitors do not find it
    stored = clients["membership"].get(f"/api/v1/chemnitz/partners/{partner_id}")
    assert stored.status_code == 404
    resp = post(web, f"{url}/entfernen", {"left_on": "2026-11-30"}, form_url=url)
    assert resp.status_code == 302
    assert "als ausgetreten eingetragen" in page(web, resp.headers["Location"])
    left = page(web, f"/chemnitz/console/verwalten/partner?q={name}&stand=left")
    assert name in left and "ausgetreten" in left
    assert "Ausgetreten am 30.11.2026." in page(web, url)


# --- Bodies and members -----------------------------------------------------------------------


def test_a_member_is_added_to_a_body_and_removed(web, reset_body):
    reset_body("chemnitz", "netzwerkkonferenz")
    url = "/chemnitz/console/gremien/netzwerkkonferenz"
    assert "Netzwerkkonferenz" in page(web, "/chemnitz/console/gremien")
    resp = post(web, url, {"name": "", "role": "member"})
    assert resp.status_code == 422 and 'href="#f-name"' in resp.get_data(as_text=True)
    person = unique("p")
    resp = post(
        web,
        url,
        {
            "name": "Leyla Demir",
            "email": f"{person}@example.org",
            "person_id": person,
            "role": "chair",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    html = page(web, url)
    assert "Leyla Demir ist Mitglied des Gremiums." in html and "Vorsitz" in html
    resp = post(web, f"{url}/mitglieder/{person}/entfernen", {}, form_url=url)
    assert resp.status_code == 302
    html = page(web, url)
    assert "nicht mehr Mitglied" in html and "0 Mitglieder" in html


# --- Contacts with their legal basis ---------------------------------------------------------


def test_a_contact_on_consent_needs_the_moment_of_consent(web, clients, token):
    resp = post(
        web,
        "/chemnitz/console/verwalten/kontakte/neu",
        {"name": "Karin Weber", "email": "k.weber@example.org", "legal_basis": "consent"},
    )
    assert resp.status_code == 422
    assert 'href="#f-consent-at"' in resp.get_data(as_text=True)
    name = unique("Karin Weber")
    resp = post(
        web,
        "/chemnitz/console/verwalten/kontakte/neu",
        {
            "name": name,
            "email": f"{unique('k')}@example.org",
            "legal_basis": "consent",
            "consent_at": "2026-11-02T10:30",
            "responsibilities": "Sprachkurse, Beratung",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    html = page(web, "/chemnitz/console/verwalten/kontakte")
    assert name in html and "Einwilligung" in html
    contacts = (
        clients["membership"]
        .get("/api/v1/chemnitz/contacts", headers=token("chemnitz", "coordinator"))
        .get_json()
    )
    mine = next(c for c in contacts if c["name"] == name)
    assert mine["responsibilities"] == ["Sprachkurse", "Beratung"]
    assert datetime.fromisoformat(mine["consent_at"]) == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    url = f"/chemnitz/console/verwalten/kontakte/{mine['id']}"
    assert 'value="2026-11-02T10:30"' in page(web, url)
    resp = post(web, f"{url}/entfernen", {}, form_url=url)
    assert resp.status_code == 302 and "gelöscht" in page(web, resp.headers["Location"])
    assert (
        clients["membership"]
        .get(f"/api/v1/chemnitz/contacts/{mine['id']}", headers=token("chemnitz", "coordinator"))
        .status_code
        == 404
    )


# --- Doctors, offers (Saalekreis), the matrix (Mittelsachsen) ---------------------------------


def test_doctors_and_offers_are_kept_where_the_network_has_them(portal, clients):
    web = signed_in(portal, "saalekreis")
    name = unique("Dr. Yilmaz")
    resp = post(
        web,
        "/saalekreis/console/verwalten/aerzte/neu",
        {"name": name, "specialty": "Allgemeinmedizin", "last_verified": ""},
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'href="#f-languages"' in html and 'href="#f-last-verified"' in html
    resp = post(
        web,
        "/saalekreis/console/verwalten/aerzte/neu",
        {
            "name": name,
            "specialty": "Allgemeinmedizin",
            "languages": "tr, de",
            "last_verified": date.today().isoformat(),
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    html = page(web, "/saalekreis/console/verwalten/aerzte")
    assert name in html and "Türkisch" in html
    doctor_id = re.search(
        rf'/verwalten/aerzte/([0-9a-f-]{{36}})" lang="de">{re.escape(name)}', html
    )
    url = f"/saalekreis/console/verwalten/aerzte/{doctor_id.group(1)}"
    resp = post(
        web,
        url,
        {
            "name": name,
            "specialty": "Kinderheilkunde",
            "languages": "tr",
            "last_verified": date.today().isoformat(),
        },
    )
    assert resp.status_code == 302
    public = clients["membership"].get("/api/v1/saalekreis/doctors?language=tr").get_json()
    assert [d["specialty"] for d in public if d["name"] == name] == ["Kinderheilkunde"]
    resp = post(web, f"{url}/entfernen", {}, form_url=url)
    assert resp.status_code == 302
    assert name not in page(web, "/saalekreis/console/verwalten/aerzte")

    title = unique("Sprachcafé")
    resp = post(
        web,
        "/saalekreis/console/verwalten/angebote/neu",
        {"title": title, "kind": "language_course", "provider": "VHS", "languages": "de, ar"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert "Sprachkurs" in page(web, "/saalekreis/console/verwalten/angebote")
    # a network without the feature has no such page
    chemnitz = signed_in(portal, "chemnitz")
    page(chemnitz, "/chemnitz/console/verwalten/aerzte", status=404)
    page(chemnitz, "/chemnitz/console/verwalten/zustaendigkeiten", status=404)


def test_a_cell_of_the_responsibility_matrix_is_set_and_changed(portal, clients):
    web = signed_in(portal, "mittelsachsen")
    actor, topic = unique("Jobcenter"), "Arbeitsmarkt"
    resp = post(
        web,
        "/mittelsachsen/console/verwalten/zustaendigkeiten/neu",
        {"actor": actor, "topic": topic, "responsibility": "", "contact_email": "kein"},
    )
    assert resp.status_code == 422 and 'href="#f-responsibility"' in resp.get_data(as_text=True)
    resp = post(
        web,
        "/mittelsachsen/console/verwalten/zustaendigkeiten/neu",
        {"actor": actor, "topic": topic, "responsibility": "Vermittlung in Arbeit"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    html = page(web, "/mittelsachsen/console/verwalten/zustaendigkeiten")
    cell = re.search(r'/verwalten/zustaendigkeiten/([0-9a-f-]{36})" lang="de">' + actor, html)
    url = f"/mittelsachsen/console/verwalten/zustaendigkeiten/{cell.group(1)}"
    resp = post(
        web, url, {"actor": actor, "topic": topic, "responsibility": "Beratung und Vermittlung"}
    )
    assert resp.status_code == 302
    cells = clients["membership"].get("/api/v1/mittelsachsen/responsibilities").get_json()
    assert [c["responsibility"] for c in cells["cells"] if c["actor"] == actor] == [
        "Beratung und Vermittlung"
    ]


# --- The delivery log -------------------------------------------------------------------------


def make_failed_delivery(settings, tenants, tenant: str = "chemnitz") -> dict:
    """A real delivery that really failed: the notifications worker plans the overview mail
    and sends it to a real SMTP server that refuses the recipient (550), one attempt allowed (a
    server that is away would cost no attempt). Its clock is a month ahead (the delivery is the
    newest in the log); what other tests left queued stays untouched (locked by a second
    transaction, which the delivery run skips)."""
    later = datetime.now(UTC) + timedelta(days=30)
    rejecting = RejectingSmtp().start()
    w = worker_for(
        "notifications",
        settings=settings.with_(smtp_url=rejecting.url, notify_max_attempts=1),
        tenants=tenants,
        clock=lambda: later,
    )
    w.db.open()
    try:
        publication = unique_uuid()
        w.consumer(None).handle(
            envelope(
                "membership",
                tenant,
                "directory",
                "published",
                {"publication_id": publication, "partners": 3, "new": 1},
            )
        )
        with w.db.transaction(tenant) as others:
            mine = [
                n
                for n in notification_store.deliveries.list_notifications(
                    others, status="queued", limit=1000
                )
                if publication in (n["body"] or "")
            ]
            assert len(mine) == 1
            others.execute(
                "select id from notifications where status in ('queued', 'retrying')"
                " and id <> %s for update",
                (mine[0]["id"],),
            )
            with w.db.transaction(tenant) as conn:
                handlers.deliver(handlers.Deliver(), conn, w.context(tenant))
        with w.db.transaction(tenant) as conn:
            failed = notification_store.deliveries.get_notification(conn, mine[0]["id"])
    finally:
        w.db.close()
        rejecting.stop()
    assert failed["status"] == "failed" and failed["attempts"] == 1
    return failed


@pytest.fixture
def failed_delivery(settings, tenants):
    return make_failed_delivery(settings, tenants)


def test_the_delivery_log_shows_failed_deliveries_and_resends_them(web, failed_delivery, settings):
    # the overview mail links to the portal's printable overview and its PDF
    url = f"{settings.portal_url}/chemnitz/partneruebersicht/"
    assert f"Zum Lesen und Drucken (für die Website): {url}" in failed_delivery["body"]
    pdf = failed_delivery["body"].split("Als PDF: ")[1].split()[0]
    assert pdf.startswith(url) and pdf.endswith(".pdf")
    html = page(web, "/chemnitz/console/zustellungen?status=failed")
    row = html.split(f'id="delivery-{failed_delivery["id"]}"')[1].split("</tr>")[0]
    assert "Partnerübersicht veröffentlicht: 3 Partner, davon 1 neu" in row
    assert "fehlgeschlagen" in row and "Erneut senden" in row
    assert "failed" not in re.sub(r"<[^>]+>", "", row)  # no enum word shown
    resp = web.post(
        f"/chemnitz/console/zustellungen/{failed_delivery['id']}/erneut",
        data={"csrf_token": csrf_token(html), "status": "failed"},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/chemnitz/console/zustellungen?status=failed"
    html = page(web, "/chemnitz/console/zustellungen?status=queued")
    assert f'id="delivery-{failed_delivery["id"]}"' in html
    assert "erneut versucht" in page(web, "/chemnitz/console/zustellungen")


# --- Printable documents ----------------------------------------------------------------------


def test_the_partner_overview_as_document_and_pdf(web, clients, token):
    name = unique("Sportverein")
    created = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": name, "kind": "sports", "city": "Chemnitz"},
        headers=token("chemnitz", "coordinator"),
    )
    assert created.status_code == 201, created.get_json()
    resp = post(web, "/chemnitz/console/partneruebersicht", {})
    assert resp.status_code == 302
    latest = clients["membership"].get("/api/v1/chemnitz/directory/publications/latest").get_json()
    listing = page(web, "/chemnitz/console/partneruebersicht")
    doc_url = f"/chemnitz/partneruebersicht/{latest['id']}"
    assert doc_url in listing and f"{doc_url}.pdf" in listing and "von Hand" in listing
    anonymous = web.application.test_client()
    public_overview = page(anonymous, "/chemnitz/partneruebersicht")
    assert f'href="{doc_url}"' in public_overview and f'href="{doc_url}.pdf"' in public_overview
    html = page(anonymous, doc_url)
    assert "<h1>Partnerübersicht vom " in html and name in html
    assert [e["name"] for e in latest["entries"] if e["name"] == name] == [name]
    assert f'href="{doc_url}.pdf"' in html and 'class="no-print"' in html
    pdf = anonymous.get(f"{doc_url}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-") and len(pdf.data) > 1000
    assert anonymous.get(f"{doc_url}.pdf").data == pdf.data  # the same bytes again
    # the printable page itself as tagged PDF/UA: language, title, headings, the table's headers
    tagged = structure(pdf.data)
    assert tagged.tagged and tagged.lang == "de" and tagged.title.startswith("Partnerübersicht")
    assert "H1" in tagged.roles and "H2" in tagged.roles
    assert {"Table", "TH", "TD"} <= set(tagged.roles)
    assert tagged.roles.count("TH") >= 4 + len(latest["entries"])  # column and row headers
    page(anonymous, f"/chemnitz/partneruebersicht/{unique_uuid()}", status=404)
    # what the portal keeps of a frozen overview never hides the next one
    later = unique("Kulturverein")
    created = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": later, "kind": "sports", "city": "Chemnitz"},
        headers=token("chemnitz", "coordinator"),
    )
    assert created.status_code == 201, created.get_json()
    assert post(web, "/chemnitz/console/partneruebersicht", {}).status_code == 302
    newest = clients["membership"].get("/api/v1/chemnitz/directory/publications/latest").get_json()
    assert newest["id"] != latest["id"]
    public_overview = page(anonymous, "/chemnitz/partneruebersicht")
    assert f'href="/chemnitz/partneruebersicht/{newest["id"]}"' in public_overview
    assert later in public_overview and name in public_overview
    assert later not in page(anonymous, doc_url)  # the earlier overview stays as it was


def published_minutes(clients, token, *, public: bool) -> dict:
    coord = token("chemnitz", "coordinator")
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    ev = clients["events"].post(
        "/api/v1/chemnitz/events",
        json={
            "title": unique("Netzwerktreffen"),
            "kind": "network_event",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "place": "Rathaus",
            "public": public,
        },
        headers=coord,
    )
    assert ev.status_code == 201, ev.get_json()
    event = ev.get_json()
    agenda = clients["events"].put(
        f"/api/v1/chemnitz/events/{event['id']}/agenda",
        json={"items": [{"title": "Berichte aus den Arbeitsgruppen", "kind": "report"}]},
        headers=coord,
    )
    assert agenda.status_code == 200, agenda.get_json()
    item = agenda.get_json()[0] if isinstance(agenda.get_json(), list) else None
    notes = [{"item_id": item["id"], "text": "AG Wohnen berichtet."}] if item else []
    written = clients["events"].put(
        f"/api/v1/chemnitz/events/{event['id']}/minutes",
        json={"attendees": ["Anna A.", "Ben B."], "notes": notes},
        headers=coord,
    )
    assert written.status_code == 200, written.get_json()
    for step in ("approve", "publish"):
        resp = clients["events"].post(
            f"/api/v1/chemnitz/events/{event['id']}/minutes/{step}", headers=coord
        )
        assert resp.status_code == 200, resp.get_json()
    return event


def test_the_minutes_as_document_and_pdf(portal, clients, token):
    event = published_minutes(clients, token, public=True)
    anonymous = portal.test_client()
    html = page(anonymous, f"/chemnitz/protokolle/{event['id']}")
    assert f"Protokoll: {event['title']}" in html and "Anna A., Ben B." in html
    assert "Berichte aus den Arbeitsgruppen" in html
    pdf = anonymous.get(f"/chemnitz/protokolle/{event['id']}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    oparl = clients["events"].get(f"/oparl/v1/chemnitz/file/{event['id']}/pdf/content")
    assert pdf.data == oparl.data  # the one PDF events serves, not a second rendering
    tagged = structure(pdf.data)
    assert tagged.tagged and tagged.lang == "de" and tagged.title == f"Protokoll: {event['title']}"
    markdown = clients["events"].get(f"/oparl/v1/chemnitz/file/{event['id']}/markdown/content")
    headings = [line for line in markdown.get_data(as_text=True).splitlines() if line[:3] == "## "]
    assert tagged.roles.count("H1") == 1 and tagged.roles.count("H2") == len(headings)
    assert "P" in tagged.roles
    # the minutes of a non-public meeting: for the network's people only, no public PDF
    private = published_minutes(clients, token, public=False)
    page(anonymous, f"/chemnitz/protokolle/{private['id']}", status=404)
    assert anonymous.get(f"/chemnitz/protokolle/{private['id']}.pdf").status_code == 404
    web = signed_in(portal, "chemnitz")
    html = page(web, f"/chemnitz/protokolle/{private['id']}")
    assert private["title"] in html and "Als PDF herunterladen" not in html


# --- Every enum the pages show has its German and English word -------------------------------


def test_every_status_and_kind_of_the_apis_has_a_label():
    from knotenpunkt.services.membership.domain.applications import APPLICATION_STATES
    from knotenpunkt.services.membership.domain.partners import BODY_ROLES, PARTNER_KINDS
    from knotenpunkt.services.membership.schemas.directories import OfferIn
    from knotenpunkt.services.membership.schemas.partners import LEGAL_BASES
    from knotenpunkt.services.notifications.schemas.deliveries import NotificationQuery
    from knotenpunkt.services.notifications.schemas.preferences import CATEGORIES
    from knotenpunkt.services.portal import labels

    offer_kinds = OfferIn().fields["kind"].validate.choices
    delivery = NotificationQuery().fields["status"].validate.choices
    channels = NotificationQuery().fields["channel"].validate.choices
    for values, table in (
        (APPLICATION_STATES, labels.APPLICATION_STATUS),
        (PARTNER_KINDS, labels.PARTNER_KINDS),
        (BODY_ROLES, labels.BODY_ROLES),
        (LEGAL_BASES, labels.LEGAL_BASES),
        (offer_kinds, labels.OFFER_KINDS),
        (delivery, labels.DELIVERY_STATUS),
        (channels, labels.CHANNELS),
        (CATEGORIES, labels.CATEGORIES),
        (("active", "left"), labels.PARTNER_STATUS),
        (("manual", "schedule"), labels.PUBLICATION_TRIGGERS),
    ):
        assert set(values) <= set(table), set(values) - set(table)
