"""A person's data protection across the four services over HTTP and RabbitMQ (issue 15): one
access request exports every service's data, one erasure request leaves nothing findable by
name or address, the ballot's record still verifies and the tally is unchanged."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import psycopg
from psycopg import sql

from tests.e2e.conftest import invite_body_to_meeting
from tests.support import unique

SERVICES = ("membership", "voting", "events", "notifications")


def findable(settings, tenant: str, *needles: str) -> dict[str, int]:
    """Rows of every table of the four databases whose text or jsonb columns contain a needle."""
    found = {}
    for service in SERVICES:
        with psycopg.connect(settings.admin_url(settings.service_database(service))) as conn:
            columns = conn.execute(
                "select table_name, column_name from information_schema.columns"
                " where table_schema = 'public' and data_type in ('text', 'jsonb', 'ARRAY',"
                " 'character varying') order by table_name, column_name"
            ).fetchall()
            for table, column in columns:
                for needle in needles:
                    n = conn.execute(
                        sql.SQL("select count(*) from {} where {}::text ilike %s").format(
                            sql.Identifier(table), sql.Identifier(column)
                        ),
                        (f"%{needle}%",),
                    ).fetchone()[0]
                    if n:
                        found[f"{service}.{table}.{column}: {needle}"] = n
    return found


def request(m, coord, flow, **body):
    r = m.post("/api/v1/chemnitz/privacy/requests", json=body, headers=coord)
    assert r.status_code == 202, r.get_json()
    flow.settle()
    done = m.get(f"/api/v1/chemnitz/privacy/requests/{r.get_json()['id']}", headers=coord)
    return done.get_json()


def test_a_person_is_exported_and_erased_in_every_service(clients, token, flow, settings, set_body):
    from knotenpunkt.services.notifications import worker as nw

    m, v, e = clients["membership"], clients["voting"], clients["events"]
    coord = token("chemnitz", "coordinator")
    name = unique("Petra Privatsphäre")
    a, b, person = set_body("chemnitz", "vorbereitungsgremium", ["Anna A.", "Bernd B.", name], True)
    email = f"{person}@example.org"
    flow.settle()

    # applied (her own organisation), and voted on it as a body member in a named ballot
    app = m.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": unique("Verein Privat")},
            "contact": {"name": name, "email": email, "phone": "0371 555 1234"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    ).get_json()
    m.post(
        f"/api/v1/chemnitz/applications/{app['id']}/check",
        json={"complete": True, "plausible": True},
        headers=coord,
    )
    flow.settle()
    member = token("chemnitz", "member", sub=person)
    ballots = v.get(
        "/api/v1/chemnitz/ballots?status=open&body=vorbereitungsgremium", headers=member
    ).get_json()
    ballot = next(x for x in ballots if x["subject"] == {"kind": "admission", "id": app["id"]})
    for who, choice, reason in (
        (person, "no", "Noch zu früh."),
        (a, "yes", None),
        (b, "yes", None),
    ):
        r = v.post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={"choice": choice, "reason": reason} if reason else {"choice": choice},
            headers=token("chemnitz", "member", sub=who),
        )
        assert r.status_code == 200, r.get_json()
    flow.settle()
    before = v.get(f"/api/v1/chemnitz/ballots/{ballot['id']}", headers=coord).get_json()
    assert before["status"] == "closed" and before["dissent"][0]["name"] == name

    # replied to an invitation and answered a time poll
    event = invite_body_to_meeting(e, coord, "Sitzung des Vorbereitungsgremiums", 20)
    reply = e.post(
        f"/api/v1/chemnitz/events/{event['id']}/replies", json={"answer": "yes"}, headers=member
    )
    assert reply.status_code == 200, reply.get_json()
    frm = date.today() + timedelta(days=7)
    poll = e.post(
        "/api/v1/chemnitz/polls",
        json={
            "body": "vorbereitungsgremium",
            "title": "Nächste Sitzung",
            "from": frm.isoformat(),
            "to": (frm + timedelta(days=20)).isoformat(),
            "max_options": 2,
        },
        headers=coord,
    ).get_json()
    answered = e.post(
        f"/api/v1/chemnitz/polls/{poll['id']}/answers",
        json={"answers": [{"option_id": o["id"], "answer": "yes"} for o in poll["options"]]},
        headers=member,
    )
    assert answered.status_code == 200, answered.get_json()
    flow.settle()
    # received mails (the invitation, the ballot's mails)
    notifier = flow.workers["notifications"]
    nw.deliver(notifier, notifier.context("chemnitz"))

    # one access request: every service's data
    access = request(m, coord, flow, kind="access", email=email)
    assert access["complete"] is True and access["pending"] == []
    export = m.get(
        f"/api/v1/chemnitz/privacy/requests/{access['id']}/export.json", headers=coord
    ).get_json()
    tables = {(d["service"], d["table"]) for d in export["data"]}
    assert {
        ("membership", "applications"),
        ("membership", "body_memberships"),
        ("voting", "votes"),
        ("voting", "ballot_electorate"),
        ("events", "invitations"),
        ("events", "poll_answers"),
        ("notifications", "notifications"),
    } <= tables, tables
    votes = next(d for d in export["data"] if d["table"] == "votes")
    assert votes["legal_basis"].startswith("Art. 6 Abs. 1 lit. e") and votes["purpose"]
    assert [r["choice"] for r in votes["rows"]] == ["no"]
    # the same data as a readable German page (no script, no style: CSP default-src 'none')
    summary = m.get(f"/api/v1/chemnitz/privacy/requests/{access['id']}/summary.html", headers=coord)
    assert summary.status_code == 200 and summary.mimetype == "text/html"
    assert "default-src 'none'" in summary.headers["Content-Security-Policy"]
    page = summary.get_data(as_text=True)
    for heading in ("Mitgliederverwaltung", "Abstimmungen", "Termine", "Benachrichtigungen"):
        assert f"<h2>{heading}" in page, heading
    assert "<h3>Stimmen</h3>" in page and votes["legal_basis"] in page and email in page
    assert votes["purpose"] in page and votes["retention"] in page
    assert "<script" not in page and "style" not in page.lower()
    assert (
        m.get(
            f"/api/v1/chemnitz/privacy/requests/{access['id']}/summary.html",
            headers=token("chemnitz", "member"),
        ).status_code
        == 403
    )

    # the chair is refused until the role is handed over
    chair = unique("chair")
    m.post(
        "/api/v1/chemnitz/bodies/netzwerkkonferenz/members",
        json={"person_id": chair, "name": "Vorsitz V.", "role": "chair"},
        headers=coord,
    )
    refused = m.post(
        "/api/v1/chemnitz/privacy/requests",
        json={"kind": "erasure", "person_id": chair},
        headers=coord,
    )
    assert refused.status_code == 409 and "Vorsitz" in refused.get_json()["detail"]

    # one erasure request: nothing findable, the record verifies, the tally unchanged
    assert findable(settings, "chemnitz", name, email)
    erasure = request(m, coord, flow, kind="erasure", email=email)
    assert erasure["complete"] is True, erasure
    assert erasure["answers"]["voting"]["erased"]["votes"] == 1
    assert erasure["answers"]["events"]["erased"]["poll_answers"] == 2
    assert findable(settings, "chemnitz", name, email) == {}
    record = v.get(f"/api/v1/chemnitz/ballots/{ballot['id']}/record", headers=coord).get_json()
    assert record["valid"] is True, record["problems"]
    assert record["entries"][-1]["entry"]["type"] == "pseudonymised"
    after = v.get(f"/api/v1/chemnitz/ballots/{ballot['id']}", headers=coord).get_json()
    assert after["tally"] == before["tally"] and after["outcome"] == before["outcome"]
    assert [d["name"] for d in after["dissent"]] == ["Gelöschte Person"]
    assert after["dissent"][0]["reason"] == "Noch zu früh."


def test_a_working_group_leader_is_refused_until_the_lead_is_handed_over(clients, token, flow):
    m = clients["membership"]
    coord = token("chemnitz", "coordinator")
    group = m.post(
        "/api/v1/chemnitz/working-groups", json={"name": unique("AG Übergabe")}, headers=coord
    ).get_json()
    leader, member = unique("leitung"), unique("mitglied")
    for person, role in ((leader, "leader"), (member, "member")):
        added = m.post(
            f"/api/v1/chemnitz/working-groups/{group['id']}/members",
            json={"person_id": person, "name": f"Person {person}", "role": role},
            headers=coord,
        )
        assert added.status_code == 201, added.get_json()

    def erasure(person):
        return m.post(
            "/api/v1/chemnitz/privacy/requests",
            json={"kind": "erasure", "person_id": person},
            headers=coord,
        )

    refused = erasure(leader)
    assert refused.status_code == 409, refused.get_json()
    detail = refused.get_json()["detail"]
    assert f"die Leitung der Arbeitsgruppe „{group['name']}“" in detail and "übergeben" in detail
    assert erasure(member).status_code == 202
    # handed over: the leader is an ordinary member now, and the request goes through
    m.post(
        f"/api/v1/chemnitz/working-groups/{group['id']}/members",
        json={"person_id": leader, "name": f"Person {leader}", "role": "member"},
        headers=coord,
    )
    assert erasure(leader).status_code == 202
    flow.settle()


def test_the_record_of_processing_comes_from_every_services_catalogue(clients, token, flow):
    m = clients["membership"]
    coord = token("chemnitz", "coordinator")
    done = request(m, coord, flow, kind="record")
    assert done["complete"] is True
    record = m.get("/api/v1/chemnitz/privacy/record", headers=coord).get_json()
    assert record["request_id"] == done["id"]
    by = {(a["service"], a["table"]) for a in record["activities"]}
    assert {
        ("membership", "contacts"),
        ("voting", "votes"),
        ("events", "invitations"),
        ("notifications", "notifications"),
    } <= by
    assert record["retention_rules"]["delivery_log_days"] == 90
    assert all(a["legal_basis"] and a["retention"] for a in record["activities"])
    assert (
        m.get("/api/v1/chemnitz/privacy/record", headers=token("chemnitz", "member")).status_code
        == 403
    )


def test_retention_deletes_what_is_due_and_nothing_else(flow, settings, caplog):
    """Fixed clock 2002-01-01: Chemnitz keeps the defaults (applications 6 months, delivery log
    90 days, idea authors 30 days after the consultation closed, former members 12 months)."""
    import logging

    from knotenpunkt.services.events import worker as ew
    from knotenpunkt.services.membership import worker as mw
    from knotenpunkt.services.notifications import worker as nw

    tag = unique("retention")

    def admin(service):
        return psycopg.connect(settings.admin_url(settings.service_database(service)))

    with admin("membership") as conn:
        for status, changed in (
            ("rejected", "2001-06-30"),
            ("withdrawn", "2001-05-01"),
            ("rejected", "2001-07-02"),
            ("admitted", "2000-01-01"),
        ):
            conn.execute(
                "insert into applications (tenant, token_hash, status, organisation, contact,"
                " statements, created_at, updated_at) values ('chemnitz', %s, %s, '{}', '{}',"
                " '{}', %s, %s)",
                (tag, status, changed, changed),
            )
        for left_on, who in (("2000-12-31", "due"), ("2001-01-02", "kept")):
            partner = conn.execute(
                "insert into partners (tenant, name, kind, status, left_on) values"
                " ('chemnitz', %s, 'association', 'left', %s) returning id",
                (f"{tag} {who}", left_on),
            ).fetchone()[0]
            conn.execute(
                "insert into contacts (tenant, partner_id, name, legal_basis) values"
                " ('chemnitz', %s, %s, 'consent')",
                (partner, f"{tag} {who}"),
            )
    with admin("notifications") as conn:
        for status, created in (
            ("sent", "2001-10-02"),
            ("failed", "2001-09-01"),
            ("sent", "2001-10-04"),
            ("queued", "2001-01-01"),
        ):
            conn.execute(
                "insert into notifications (tenant, event_id, event_type, channel, recipient,"
                " template, category, body, status, created_at) values ('chemnitz',"
                " gen_random_uuid(), 'x', 'email', %s, 't', 'c', '', %s, %s)",
                (f"{tag}@example.org", status, created),
            )
    with admin("events") as conn:
        for closes, who in (("2001-12-01", "due"), ("2001-12-02", "kept")):
            consultation = conn.execute(
                "insert into consultations (tenant, title, opens, closes) values"
                " ('chemnitz', %s, '2001-01-01', %s) returning id",
                (tag, closes),
            ).fetchone()[0]
            conn.execute(
                "insert into ideas (tenant, consultation_id, topic, text, author) values"
                " ('chemnitz', %s, 't', 'Idee', %s)",
                (consultation, f"{tag}-{who}"),
            )

    fixed = datetime(2002, 1, 1, 12, tzinfo=UTC)
    caplog.set_level(logging.INFO)
    for service, job in (
        ("membership", mw.privacy_retention),
        ("notifications", nw.privacy_retention.fn),
        ("events", ew.privacy_retention.fn),
    ):
        w = flow.workers[service]
        job(w, dataclasses.replace(w.context("chemnitz"), now=fixed))

    with admin("membership") as conn:
        left = conn.execute(
            "select status, updated_at::date::text from applications where token_hash = %s"
            " order by updated_at",
            (tag,),
        ).fetchall()
        assert left == [("admitted", "2000-01-01"), ("rejected", "2001-07-02")]
        contacts = conn.execute(
            "select name from contacts where name like %s", (f"{tag}%",)
        ).fetchall()
        assert contacts == [(f"{tag} kept",)]
    with admin("notifications") as conn:
        kept = conn.execute(
            "select status, created_at::date::text from notifications where recipient = %s"
            " order by created_at",
            (f"{tag}@example.org",),
        ).fetchall()
        assert kept == [("queued", "2001-01-01"), ("sent", "2001-10-04")]
    with admin("events") as conn:
        authors = conn.execute(
            "select c.closes::text, i.author from ideas i join consultations c"
            " on c.id = i.consultation_id where c.title = %s order by c.closes",
            (tag,),
        ).fetchall()
        assert authors == [("2001-12-01", None), ("2001-12-02", f"{tag}-kept")]
    lines = [r.getMessage() for r in caplog.records if "privacy retention" in r.getMessage()]
    assert (
        "privacy retention membership chemnitz: applications=2, former_member_contacts=1" in lines
    )
    assert "privacy retention notifications chemnitz: notifications=2" in lines
    assert "privacy retention events chemnitz: idea_authors=1" in lines


def test_no_name_or_address_in_any_log_line_of_an_admission(
    clients, token, flow, set_body, caplog, capfd
):
    import logging

    from knotenpunkt.services.notifications import worker as nw

    caplog.set_level(logging.DEBUG)
    m, v = clients["membership"], clients["voting"]
    coord = token("chemnitz", "coordinator")
    (voter,) = set_body("chemnitz", "vorbereitungsgremium", ["Vera Votum"])
    flow.settle()
    name, email = unique("Lotte Logfrei"), f"{unique('lotte')}@example.org"
    street = unique("Logweg")
    app = m.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": unique("Verein Log"), "street": f"{street} 1"},
            "contact": {"name": name, "email": email},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    ).get_json()
    m.get(f"/api/v1/chemnitz/applications/{app['id']}?token={app['token']}")
    m.post(
        f"/api/v1/chemnitz/applications/{app['id']}/check",
        json={"complete": True, "plausible": True},
        headers=coord,
    )
    flow.settle()
    ballot = next(
        x
        for x in v.get("/api/v1/chemnitz/ballots?status=open", headers=coord).get_json()
        if x["subject"] == {"kind": "admission", "id": app["id"]}
    )
    v.post(
        f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
        json={"choice": "yes"},
        headers=token("chemnitz", "member", sub=voter),
    )
    flow.settle()
    notifier = flow.workers["notifications"]
    nw.deliver(notifier, notifier.context("chemnitz"))
    lines = [logging.Formatter("%(message)s %(args)s").format(r) for r in caplog.records]
    out, err = capfd.readouterr()
    lines += (out + err).splitlines()
    leaks = [
        line
        for line in lines
        if any(x.lower() in line.lower() for x in (name, email, street, app["token"]))
    ]
    assert leaks == []


def test_access_lines_name_the_route_never_its_ids_or_the_query(clients, token):
    """The access line (logger ``access``, JSON with the fields of every line) names the route's
    rule: never the path's ids (a person id may be an address) nor the query string that
    carries status and unsubscribe tokens."""
    import io
    import json
    import logging
    import uuid

    from knotenpunkt.shared import logs

    stream = io.StringIO()
    handler = logs.handler("membership", stream)
    access = logging.getLogger("access")
    access.addHandler(handler)
    old_level = access.level
    access.setLevel("INFO")
    try:
        member = "anna@example.org"
        clients["membership"].get(
            f"/api/v1/chemnitz/applications/{uuid.uuid4()}?token=geheim",
            headers={"X-Request-ID": "req-1"},
        )
        clients["membership"].delete(
            f"/api/v1/chemnitz/bodies/vorbereitungsgremium/members/{member}",
            headers=token("chemnitz", "coordinator"),
        )
    finally:
        access.removeHandler(handler)
        access.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 2
    first, second = lines
    assert set(logs.FIELDS) <= set(first) and set(logs.ACCESS_FIELDS) <= set(first)
    assert first["tenant"] == "chemnitz" and first["request_id"] == "req-1"
    assert first["path"] == "/api/v1/<tenant>/applications/<uuid:application_id>"
    assert first["method"] == "GET" and first["status"] == 404 and first["event_id"] is None
    assert second["path"] == "/api/v1/<tenant>/bodies/<key>/members/<person_id>"
    text = stream.getvalue()
    assert "geheim" not in text and member not in text
