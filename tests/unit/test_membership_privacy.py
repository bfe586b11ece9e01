"""Membership's rules of a person's rights (DSGVO): the readable summary of an access request
(Art. 15: German HTML from the export's data, escaped, without script or style, so that it works
under CSP default-src 'none') and the open roles that hold up an erasure (Art. 17)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from knotenpunkt.services.membership.domain import privacy

BERLIN = ZoneInfo("Europe/Berlin")
EXPORT = {
    "request_id": "6f1c2a3b-0000-4000-8000-000000000001",
    "tenant": "chemnitz",
    "controller": {
        "name": "Koordinierungsstelle",
        "organisation": "Stadt Chemnitz",
        "postcode": "09106",
        "city": "Chemnitz",
        "email": "kst@x.example",
    },
    "subject": {"email": "petra@x.example", "person_ids": ["p1", "petra@x.example"]},
    "requested_at": "2026-12-01T09:00:00+00:00",
    "completed_at": "2026-12-01T09:00:30+00:00",
    "data": [
        {
            "service": "membership",
            "table": "applications",
            "purpose": "Aufnahme in das Netzwerk",
            "legal_basis": "Art. 6 Abs. 1 lit. a DSGVO (Einwilligung)",
            "retention": "6 Monate nach Ablehnung",
            "recipients": ["Vorbereitungsgremium"],
            "rows": [
                {
                    "id": "a1",
                    "contact": {"name": "Petra <script>alert(1)</script>", "phone": None},
                    "status": "admitted",
                    "created_at": "2026-11-02T10:15:00+00:00",
                }
            ],
        },
        {
            "service": "voting",
            "table": "votes",
            "purpose": "Beschlussfassung",
            "legal_basis": "Art. 6 Abs. 1 lit. e DSGVO (Aufgabe im öffentlichen Interesse)",
            "retention": "dauerhaft als Teil des Beschlusses",
            "recipients": [],
            "rows": [{"choice": "no", "reason": 'Zu "früh" & unklar'}, {"choice": "yes"}],
        },
        {
            "service": "events",
            "table": "invitations",
            "purpose": "Einladung",
            "legal_basis": "x",
            "retention": "y",
            "recipients": [],
            "rows": [],
        },
    ],
}


def test_the_summary_names_every_service_datum_purpose_basis_and_retention():
    page = privacy.summary_html(EXPORT, "Integrationsnetzwerk Chemnitz", BERLIN)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="de">' in page
    assert "<h1>Auskunft nach Art. 15 DSGVO</h1>" in page
    assert "<h2>Mitgliederverwaltung</h2>" in page and "<h2>Abstimmungen</h2>" in page
    assert "<h3>Beitrittserklärungen</h3>" in page and "<h3>Stimmen</h3>" in page
    # a service without rows is left out
    assert "Termine" not in page and "Einladung" not in page
    for text in (
        "Aufnahme in das Netzwerk",
        "Art. 6 Abs. 1 lit. a DSGVO (Einwilligung)",
        "6 Monate nach Ablehnung",
        "Vorbereitungsgremium",
        "Art. 6 Abs. 1 lit. e DSGVO",
        "dauerhaft als Teil des Beschlusses",
        "petra@x.example",
        "Stadt Chemnitz",
        "E-Mail: kst@x.example",
    ):
        assert text in page, text
    # moments in the network's time zone, German
    assert "01.12.2026, 10:00 Uhr" in page and "02.11.2026, 11:15 Uhr" in page
    # the votes' table: a column per field, a row per vote, an empty cell as a dash
    votes = page[page.index("<h3>Stimmen</h3>") :]
    assert '<th scope="col">choice</th><th scope="col">reason</th>' in votes
    assert "<td>yes</td><td>–</td>" in votes and "2 Einträge" in votes


def test_the_summary_is_escaped_and_needs_no_script_or_style():
    page = privacy.summary_html(EXPORT, "Netz <b>", BERLIN)
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Zu &#34;früh&#34; &amp; unklar" in page and "Netz &lt;b&gt;" in page
    assert "style" not in page.lower() and "<link" not in page and "http" not in page
    assert not re.search(r"\son\w+=", page)  # no event handler attributes


def test_a_summary_without_data_says_so():
    page = privacy.summary_html({**EXPORT, "data": []}, "Netz", BERLIN)
    assert "Über diese Person sind keine Daten gespeichert." in page and "<h2>" not in page


def test_a_chair_or_a_working_group_leader_must_hand_over_first():
    member = {"body": "netzwerkkonferenz", "role": "member"}
    chair = {"body": "vorbereitungsgremium", "role": "chair"}
    assert privacy.open_roles([member], []) is None
    assert privacy.open_roles([chair], []) == (
        "Die Person hat den Vorsitz im Gremium vorbereitungsgremium. Bitte übergeben Sie den "
        "Vorsitz zuerst an ein anderes Mitglied; erst dann lassen sich ihre Daten löschen."
    )
    led = privacy.open_roles([member], ["AG Wohnen", "AG Arbeit", "AG Wohnen"])
    assert led == (
        "Die Person hat die Leitung der Arbeitsgruppe „AG Arbeit“, „AG Wohnen“. Bitte übergeben "
        "Sie die Leitung zuerst an ein anderes Mitglied; erst dann lassen sich ihre Daten löschen."
    )
    both = privacy.open_roles([chair], ["AG Arbeit"])
    assert "den Vorsitz im Gremium vorbereitungsgremium und die Leitung der Arbeitsgruppe" in both
    assert "übergeben Sie den Vorsitz und die Leitung zuerst" in both
