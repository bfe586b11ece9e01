"""Events end to end over HTTP and RabbitMQ: introduction slots for admitted partners, dissent in published minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support import unique


def iso(days: int, hours: int = 2) -> tuple[str, str]:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    return start.isoformat(), (start + timedelta(hours=hours)).isoformat()


def admit(clients, token, flow, settings, name, email=None):
    """A Chemnitz application, checked, adopted by its own ballot in the Vorbereitungsgremium,
    and announced by membership's job once the voting period has ended (Leitlinie 3)."""
    import dataclasses

    from knotenpunkt.services.membership import worker as mw

    m, v = clients["membership"], clients["voting"]
    coord = token("chemnitz", "coordinator")
    voter = unique("m")
    m.post(
        "/api/v1/chemnitz/bodies/vorbereitungsgremium/members",
        json={"person_id": voter, "name": "Mitglied V"},
        headers=coord,
    )
    flow.settle()
    app = m.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": name},
            "contact": {"name": "Kim K.", "email": email or f"{unique('k')}@example.org"},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    ).get_json()
    m.post(
        f"/api/v1/chemnitz/applications/{app['id']}/check",
        json={"complete": True, "plausible": True},
        headers=coord,
    )
    flow.settle()
    ballot = next(
        b
        for b in v.get(
            "/api/v1/chemnitz/ballots?status=open&body=vorbereitungsgremium", headers=coord
        ).get_json()
        if b["subject"] == {"kind": "admission", "id": app["id"]}
    )
    v.post(
        f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
        json={"choice": "yes"},
        headers=token("chemnitz", "member", sub=voter),
    )
    v.post(f"/api/v1/chemnitz/ballots/{ballot['id']}/close", headers=coord)
    flow.settle()
    w = flow.workers["membership"]
    after = datetime.fromisoformat(ballot["deadline"]) + timedelta(minutes=1)
    mw.announce_decisions(w, dataclasses.replace(w.context("chemnitz"), now=after))
    flow.settle()
    return m.get(f"/api/v1/chemnitz/applications/{app['id']}", headers=coord).get_json()[
        "partner_id"
    ]


def network_events(e, coord) -> list[dict]:
    """Every network event of Chemnitz, page by page."""
    found, page = [], 1
    while True:
        batch = e.get(
            f"/api/v1/chemnitz/events?kind=network_event&page_size=200&page={page}", headers=coord
        ).get_json()
        found += batch
        if len(batch) < 200:
            return found
        page += 1


def test_admitted_partner_gets_introduction_slot_at_next_network_event(
    clients, token, flow, settings
):
    coord = token("chemnitz", "coordinator")
    e = clients["events"]
    s, t = iso(5)
    too_soon = e.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "network_event",
            "title": "Netzwerkveranstaltung (bald)",
            "starts_at": s,
            "ends_at": t,
            "public": True,
        },
        headers=coord,
    ).get_json()
    s, t = iso(40)
    later = e.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "network_event",
            "title": "Netzwerkveranstaltung Frühjahr",
            "starts_at": s,
            "ends_at": t,
            "public": True,
        },
        headers=coord,
    ).get_json()
    name = unique("Syrischer Elternverein")
    admit(clients, token, flow, settings, name)
    titles_later = [
        i["title"] for i in e.get(f"/api/v1/chemnitz/events/{later['id']}/agenda").get_json()
    ]
    titles_soon = [
        i["title"] for i in e.get(f"/api/v1/chemnitz/events/{too_soon['id']}/agenda").get_json()
    ]
    all_slots = [
        i
        for ev in network_events(e, coord)
        for i in e.get(f"/api/v1/chemnitz/events/{ev['id']}/agenda", headers=coord).get_json()
        if i["title"] == f"Vorstellung: {name}"
    ]
    assert (
        len(all_slots) == 1
        and all_slots[0]["kind"] == "introduction"
        and all_slots[0]["minutes"] == 10
    )
    assert f"Vorstellung: {name}" not in titles_soon
    assert f"Vorstellung: {name}" in titles_later


def test_pending_slot_is_placed_when_a_network_event_is_planned(clients, token, flow, settings):
    coord = token("chemnitz", "coordinator")
    e = clients["events"]
    for ev in network_events(e, coord):
        if ev["status"] != "cancelled":
            e.patch(
                f"/api/v1/chemnitz/events/{ev['id']}", json={"status": "cancelled"}, headers=coord
            )
    name = unique("Kurdischer Kulturverein")
    admit(clients, token, flow, settings, name)
    s, t = iso(60)
    planned = e.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "network_event",
            "title": "Netzwerkveranstaltung Sommer",
            "starts_at": s,
            "ends_at": t,
            "public": True,
        },
        headers=coord,
    ).get_json()
    assert f"Vorstellung: {name}" in [i["title"] for i in planned["agenda"]]


def test_closed_ballot_dissent_in_published_minutes(clients, token, flow):
    coord = token("chemnitz", "coordinator")
    m, v, e = clients["membership"], clients["voting"], clients["events"]
    for old in m.get("/api/v1/chemnitz/bodies/netzwerkkonferenz/members", headers=coord).get_json():
        m.delete(
            f"/api/v1/chemnitz/bodies/netzwerkkonferenz/members/{old['person_id']}", headers=coord
        )
    people = [unique("p") for _ in range(3)]
    for i, p in enumerate(people):
        m.post(
            "/api/v1/chemnitz/bodies/netzwerkkonferenz/members",
            json={"person_id": p, "name": f"Partner {i + 1}"},
            headers=coord,
        )
    flow.settle()
    s, t = iso(-1)  # the meeting has taken place: its minutes can be approved
    meeting = e.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "network_event",
            "title": "Netzwerksitzung",
            "starts_at": s,
            "ends_at": t,
            "public": True,
        },
        headers=coord,
    ).get_json()
    ballot = v.post(
        "/api/v1/chemnitz/ballots",
        json={
            "body": "netzwerkkonferenz",
            "title": "Resolution zur Sprachförderung",
            "subject": {"kind": "resolution"},
        },
        headers=coord,
    ).get_json()
    e.put(
        f"/api/v1/chemnitz/events/{meeting['id']}/agenda",
        json={
            "items": [
                {
                    "title": "Resolution zur Sprachförderung",
                    "kind": "decision",
                    "ballot_id": ballot["id"],
                }
            ]
        },
        headers=coord,
    )
    for p, choice in zip(people, ["yes", "yes", "no"], strict=True):
        v.post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={
                "choice": choice,
                "reason": "Mittel fehlen im Haushalt." if choice == "no" else None,
            },
            headers=token("chemnitz", "member", sub=p),
        )
    v.post(f"/api/v1/chemnitz/ballots/{ballot['id']}/close", headers=coord)
    flow.settle()
    draft = e.put(
        f"/api/v1/chemnitz/events/{meeting['id']}/minutes",
        json={"attendees": ["Partner 1", "Partner 2", "Partner 3"], "ballot_ids": [ballot["id"]]},
        headers=coord,
    )
    assert draft.status_code == 200, draft.get_json()
    e.post(f"/api/v1/chemnitz/events/{meeting['id']}/minutes/approve", headers=coord)
    e.post(f"/api/v1/chemnitz/events/{meeting['id']}/minutes/publish", headers=coord)
    minutes = e.get(f"/api/v1/chemnitz/events/{meeting['id']}/minutes").get_json()
    assert minutes["status"] == "published"
    assert minutes["decisions"][0]["dissent"] == [
        {
            "choice": "no",
            "reason": "Mittel fehlen im Haushalt.",
            "person_id": people[2],
            "name": "Partner 3",
        }
    ]
    md = e.get(f"/api/v1/chemnitz/events/{meeting['id']}/minutes.md").get_data(as_text=True)
    assert "Abweichende Meinung: Partner 3: Mittel fehlen im Haushalt\\." in md
    assert "  - Abstimmung: Ja 2, Nein 1, Enthaltung 0; abgestimmt 3 von 3" in md.splitlines()


def _mails_to(settings, address):
    import email
    import email.policy

    return [
        m
        for m in (
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in settings.mail_dir.glob("*.eml")
        )
        if address in m["To"]
    ]


def test_new_partner_is_told_the_introduction_slot_and_guests_get_ics(
    clients, token, flow, settings
):
    from icalendar import Calendar

    from knotenpunkt.services.notifications import worker as nw

    coord = token("chemnitz", "coordinator")
    e = clients["events"]
    s, t = iso(30)
    event = e.post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "network_event",
            "title": "Netzwerkveranstaltung Herbst",
            "starts_at": s,
            "ends_at": t,
            "place": "Rathaus Chemnitz",
            "public": True,
        },
        headers=coord,
    ).get_json()
    partner_mail = f"{unique('neu')}@example.org"
    admit(clients, token, flow, settings, unique("Neuer Verein"), email=partner_mail)
    import dataclasses

    guest = f"{unique('gast')}@example.org"
    e.post(
        f"/api/v1/chemnitz/events/{event['id']}/invitations",
        json={"guests": [{"name": "Gast GmbH", "email": guest}]},
        headers=coord,
    )
    flow.settle()
    notifier = flow.workers["notifications"]
    later = datetime.now(UTC) + timedelta(days=15)  # after the voting period: decision, then slot
    nw.deliver(notifier, dataclasses.replace(notifier.context("chemnitz"), now=later))
    nw.deliver(notifier, dataclasses.replace(notifier.context("chemnitz"), now=later))

    intro = [
        x for x in _mails_to(settings, partner_mail) if x["Subject"].startswith("Ihre Vorstellung")
    ]
    assert (
        len(intro) == 1
        and "Rathaus Chemnitz" in intro[0].get_content()
        and "10 Minuten" in intro[0].get_content()
    )
    invites = _mails_to(settings, guest)
    assert len(invites) == 1 and invites[0]["Subject"].startswith(
        "Einladung: Netzwerkveranstaltung Herbst"
    )
    ics = next(
        part for part in invites[0].iter_attachments() if part.get_filename() == "termin.ics"
    )
    cal = Calendar.from_ical(
        ics.get_content() if isinstance(ics.get_content(), str) else ics.get_content().decode()
    )
    assert str(cal["METHOD"]) == "REQUEST" and str(cal.walk("VEVENT")[0]["UID"]).startswith(
        event["id"]
    )


def test_a_working_group_is_invited_through_its_members_partners(clients, token, flow, settings):
    from knotenpunkt.services.notifications import worker as nw

    coord = token("saalekreis", "coordinator")
    m, e = clients["membership"], clients["events"]
    mail = f"{unique('ag')}@example.org"
    partner = m.post(
        "/api/v1/saalekreis/partners",
        json={
            "name": unique("Jugendmigrationsdienst"),
            "kind": "welfare_organisation",
            "email": mail,
        },
        headers=coord,
    ).get_json()
    group = m.post(
        "/api/v1/saalekreis/working-groups",
        json={"name": unique("AG Willkommenspakete")},
        headers=coord,
    ).get_json()
    m.post(
        f"/api/v1/saalekreis/working-groups/{group['id']}/members",
        json={"person_id": "jmd-1", "name": "JMD Merseburg", "partner_id": partner["id"]},
        headers=coord,
    )
    flow.settle()
    s, t = iso(14)
    event = e.post(
        "/api/v1/saalekreis/events",
        json={
            "kind": "working_group_meeting",
            "working_group_id": group["id"],
            "title": "Treffen AG Willkommenspakete",
            "starts_at": s,
            "ends_at": t,
        },
        headers=coord,
    ).get_json()
    invited = e.post(
        f"/api/v1/saalekreis/events/{event['id']}/invitations",
        json={"working_group_id": group["id"]},
        headers=coord,
    )
    assert invited.status_code == 201 and invited.get_json()[0]["email"] == mail
    flow.settle()
    nw.deliver(flow.workers["notifications"], flow.workers["notifications"].context("saalekreis"))
    got = _mails_to(settings, mail)
    assert len(got) == 1 and got[0]["Subject"].startswith("Einladung: Treffen AG Willkommenspakete")
