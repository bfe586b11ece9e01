"""The Chemnitz admission over RabbitMQ produces exactly the expected e-mails, each once."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from collections import Counter
from datetime import UTC, datetime, timedelta

from knotenpunkt.services.membership import worker as mw
from knotenpunkt.services.notifications import worker as nw
from tests.support import unique


def mails(settings) -> list:
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(settings.mail_dir.glob("*.eml"))
    ]


def test_admission_mails(clients, token, flow, settings, set_body):
    coord = token("chemnitz", "coordinator")
    m, v = clients["membership"], clients["voting"]
    people = set_body(
        "chemnitz",
        "vorbereitungsgremium",
        [f"Mitglied {i + 1}" for i in range(3)],
        emails=True,
    )
    # a network event far enough ahead: the new partner is always offered an introduction
    # (whichever qualifying event is the next one, this test's or another test's)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=60)
    planned = clients["events"].post(
        "/api/v1/chemnitz/events",
        json={
            "kind": "network_event",
            "title": unique("Netzwerkveranstaltung"),
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "public": True,
        },
        headers=coord,
    )
    assert planned.status_code == 201, planned.get_json()
    applicant = f"{unique('antrag')}@example.org"
    app = m.post(
        "/api/v1/chemnitz/applications",
        json={
            "organisation": {"name": unique("Ukrainischer Verein")},
            "contact": {"name": "Olena K.", "email": applicant},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
    ).get_json()
    flow.settle()
    m.post(
        f"/api/v1/chemnitz/applications/{app['id']}/check",
        json={"complete": True, "plausible": True},
        headers=coord,
    )
    flow.settle()
    ballot = next(
        b
        for b in v.get("/api/v1/chemnitz/ballots?status=open", headers=coord).get_json()
        if b["subject"]["id"] == app["id"]
    )
    for p, choice in zip(people, ["yes", "yes", "no"], strict=True):
        v.post(
            f"/api/v1/chemnitz/ballots/{ballot['id']}/votes",
            json={"choice": choice, "reason": "Zweck unklar." if choice == "no" else None},
            headers=token("chemnitz", "member", sub=p),
        )
    flow.settle()
    notifier = flow.workers["notifications"]
    nw.deliver(notifier, notifier.context("chemnitz"))
    nw.deliver(notifier, notifier.context("chemnitz"))

    got = Counter(
        (msg["To"].split("<")[-1].rstrip(">"), msg["Subject"].split(":")[0])
        for msg in mails(settings)
    )
    mine = {
        k: n for k, n in got.items() if k[0] in {applicant, *(f"{p}@example.org" for p in people)}
    }
    expected = {
        (applicant, "Ihre Beitrittserklärung ist eingegangen – Integrationsnetzwerk Chemnitz")
    }
    for p in people:
        expected |= {(f"{p}@example.org", "Abstimmung eröffnet"), (f"{p}@example.org", "Ergebnis")}
    assert set(mine) == expected and all(n == 1 for n in mine.values())
    result = next(
        msg
        for msg in mails(settings)
        if people[0] in msg["To"] and msg["Subject"].startswith("Ergebnis")
    )
    assert "Zweck unklar." in result.get_content()

    # The decision waits for the end of the 14-day voting period (Leitlinie 3): nothing yet …
    listed = (
        clients["notifications"]
        .get(f"/api/v1/chemnitz/notifications?recipient={applicant}", headers=coord)
        .get_json()
    )
    assert [n["template"] for n in listed] == ["application_received"]
    # … membership announces it when the period has ended, and the mail goes out then.
    after = datetime.fromisoformat(ballot["deadline"]) + timedelta(minutes=1)
    w = flow.workers["membership"]
    mw.announce_decisions(w, dataclasses.replace(w.context("chemnitz"), now=after))
    flow.settle()
    nw.deliver(notifier, dataclasses.replace(notifier.context("chemnitz"), now=after))
    # the introduction goes only once the decision mail has gone (a second run at the latest)
    nw.deliver(notifier, dataclasses.replace(notifier.context("chemnitz"), now=after))
    to_applicant = {msg["Subject"]: msg for msg in mails(settings) if applicant in msg["To"]}
    introduction = [k for k in to_applicant if k.startswith("Ihre Vorstellung im Integrations")]
    assert len(introduction) == 1, sorted(to_applicant)
    decided = to_applicant["Aufnahme in das Integrationsnetzwerk Chemnitz"]
    introduced = to_applicant[introduction[0]]
    assert introduced["Date"].datetime >= decided["Date"].datetime
    assert sorted(set(to_applicant) - set(introduction)) == [
        "Aufnahme in das Integrationsnetzwerk Chemnitz",
        "Ihre Beitrittserklärung ist eingegangen – Integrationsnetzwerk Chemnitz",
    ]
    text = to_applicant["Aufnahme in das Integrationsnetzwerk Chemnitz"].get_content()
    assert "2 Ja, 1 Nein" in text and "Mitglied" not in text  # no voters' names to the applicant
