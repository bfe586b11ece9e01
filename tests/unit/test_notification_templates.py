"""Every event type's template renders in German and English, with the tenant's contact block; who is told what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from knotenpunkt.services.notifications import render
from knotenpunkt.services.notifications.domain import deliveries as domain
from knotenpunkt.services.notifications.domain import links, webhooks
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.tenants import TenantRegistry

REG = TenantRegistry.load(Settings().tenants_dir)
CATEGORIES_ALL = sorted({c for _, _, c, _ in domain.RULES.values()})
R = render.Renderer()

SAMPLES = {
    "application_received": {
        "application_id": "6f1c2a3b-0000-4000-8000-000000000001",
        "status": "submitted",
        "organisation": "Kulturverein e. V.",
        "contact": {"name": "Leyla Demir", "email": "l@x.example", "language": "de"},
    },
    "application_confirm": {
        "application_id": "6f1c2a3b-0000-4000-8000-000000000001",
        "status": "unconfirmed",
        "contact": {"email": "l@x.example", "language": "de"},
        "confirm_url": "https://k.example/api/v1/chemnitz/applications/6f1c/confirm?token=T0k",
    },
    "application_returned": {
        "organisation": "Kulturverein e. V.",
        "contact": {"name": "Leyla Demir", "email": "l@x.example"},
        "note": "Bitte Anschrift ergänzen.",
    },
    "application_admitted": {
        "name": "Kulturverein e. V.",
        "contact": {"name": "Leyla Demir"},
        "decision": {"tally": {"yes": 2, "no": 1, "abstain": 0}},
    },
    "application_rejected": {
        "organisation": "Kulturverein e. V.",
        "contact": {"name": "Leyla Demir"},
        "decision": {"tally": {"yes": 1, "no": 2, "abstain": 0}},
    },
    "ballot_opened": {
        "body": "vorbereitungsgremium",
        "title": "Aufnahme Kulturverein",
        "text": None,
        "deadline": "2026-12-06T12:00:00+00:00",
        "decision_rule": "simple_majority",
        "reasons_required_for": ["no"],
    },
    "ballot_reminder": {
        "body": "vorbereitungsgremium",
        "title": "Aufnahme Kulturverein",
        "deadline": "2026-12-06T12:00:00+00:00",
    },
    "ballot_result": {
        "body": "vorbereitungsgremium",
        "title": "Aufnahme Kulturverein",
        "decision_rule": "simple_majority",
        "outcome": "adopted",
        "outcome_text": "Beschluss: angenommen",
        "kind": "resolution",
        "outcome_to": None,
        "tally": {"yes": 2, "no": 1, "abstain": 0, "voted": 3, "electorate": 3},
        "dissent": [{"choice": "no", "reason": "Ziele unklar.", "name": "Cem C."}],
    },
    "working_group_proposal": {
        "topic": "Wohnen",
        "aims": "Wohnungssuche erleichtern",
        "decided_by": "body",
    },
    "introduction_slot": {
        "name": "Kulturverein e. V.",
        "minutes": 10,
        "event": {
            "title": "Netzwerkveranstaltung",
            "starts_at": "2027-03-31T11:00:00+00:00",
            "place": "Rathaus",
        },
    },
    "invitation": {
        "title": "Netzwerkveranstaltung",
        "starts_at": "2027-03-31T11:00:00+00:00",
        "ends_at": "2027-03-31T14:00:00+00:00",
        "place": "Rathaus",
        "online_url": None,
        "agenda": [{"title": "Vorstellung: Kulturverein", "presenter": "Kulturverein"}],
    },
    "event_cancelled": {"title": "Netzwerkveranstaltung", "starts_at": "2027-03-31T11:00:00+00:00"},
    "agenda_published": {
        "title": "Netzwerkveranstaltung",
        "starts_at": "2027-03-31T11:00:00+00:00",
        "agenda": [{"title": "Berichte", "presenter": None, "minutes": 20}],
    },
    "minutes_published": {
        "title": "Netzwerkveranstaltung",
        "starts_at": "2027-03-31T11:00:00+00:00",
        "decisions": [
            {
                "title": "Resolution",
                "outcome": "adopted",
                "outcome_text": "Beschluss: angenommen",
                "dissent": [{"name": "P3", "reason": "Mittel fehlen."}],
            }
        ],
    },
    "federation_peer_stale": {
        "peer": "Mittelsachsen",
        "network": "mittelsachsen",
        "base_url": "https://knotenpunkt.mittelsachsen.example",
        "error": "Der Partner-Knoten ist nicht erreichbar.",
        "unreachable_since": "2026-11-02T08:00:00+00:00",
        "last_sync_at": "2026-11-02T07:45:00+00:00",
        "hours": 48.0,
    },
    "federation_peer_back": {
        "peer": "Mittelsachsen",
        "network": "mittelsachsen",
        "base_url": "https://knotenpunkt.mittelsachsen.example",
        "unreachable_since": "2026-11-02T08:00:00+00:00",
        "back_at": "2026-11-05T09:30:00+00:00",
    },
    "cadence_due": {
        "label": "Vorbereitungsgremium",
        "status": "overdue",
        "due": "2026-10-01T10:00:00+00:00",
        "last": "2026-07-01T10:00:00+00:00",
    },
    "topic_submitted": {
        "title": "Sprachkurse für Azubis",
        "description": None,
        "submitted_by": "ihk",
    },
    "consultation_opened": {
        "title": "Ideen für Chemnitz",
        "opens": "2016-09-05",
        "closes": "2016-09-25",
    },
    "consultation_closed": {
        "title": "Ideen für Chemnitz",
        "ideas": 3,
        "topics": [{"topic": "Gesundheit", "ideas": 3}],
    },
    "directory_published": {
        "publication_id": "6f1c2a3b-0000-4000-8000-000000000002",
        "partners": 87,
        "new": 3,
        "overview_url": "https://k.example/chemnitz/partneruebersicht/6f1c",
        "overview_pdf_url": "https://k.example/chemnitz/partneruebersicht/6f1c.pdf",
    },
    "event_changed": {
        "title": "Netzwerkveranstaltung",
        "starts_at": "2027-03-31T11:00:00+00:00",
        "ends_at": "2027-03-31T14:00:00+00:00",
        "place": "Rathaus",
        "online_url": None,
    },
    "accessibility_feedback": {
        "id": "6f1c2a3b-0000-4000-8000-000000000003",
        "name": None,
        "email": "leser@x.example",
        "page": "/chemnitz/termine",
        "message": "Die Tabelle der Termine liest mein Screenreader nicht vor.",
        "language": "de",
    },
    "accessibility_feedback_receipt": {
        "id": "6f1c2a3b-0000-4000-8000-000000000003",
        "email": "leser@x.example",
        "message": "Die Tabelle der Termine liest mein Screenreader nicht vor.",
        "language": "de",
    },
}
# What each rendered body must contain, German and English.
EXPECT = {
    "application_received": (
        "ist bei der Koordinierungsstelle eingegangen",
        "has reached the coordination office",
    ),
    "application_confirm": ("confirm?token=T0k", "confirm?token=T0k"),
    "application_returned": ("Bitte Anschrift ergänzen.", "Bitte Anschrift ergänzen."),
    "application_admitted": ("2 Ja, 1 Nein", "2 yes, 1 no"),
    "application_rejected": ("nicht beschlossen", "was not agreed"),
    "ballot_opened": ("06.12.2026, 13:00 Uhr", "Deadline: 06.12.2026"),
    "ballot_reminder": ("Ihre Stimme liegt noch nicht vor", "not received your vote"),
    "ballot_result": ("Cem C.: Ziele unklar.", "Cem C.: Ziele unklar."),
    "working_group_proposal": ("Thema: Wohnen", "Topic: Wohnen"),
    "introduction_slot": ("31.03.2027, 13:00 Uhr, Rathaus", "10 minutes"),
    "invitation": (
        "1. Vorstellung: Kulturverein (Kulturverein)",
        "1. Vorstellung: Kulturverein (Kulturverein)",
    ),
    "event_cancelled": ("findet nicht statt", "will not take place"),
    "agenda_published": ("1. Berichte, 20 Min.", "1. Berichte, 20 min"),
    "minutes_published": (
        "Abweichende Meinung: P3: Mittel fehlen.",
        "Dissenting opinion: P3: Mittel fehlen.",
    ),
    "cadence_due": ("überfällig", "overdue"),
    "federation_peer_stale": (
        "seit 02.11.2026, 09:00 Uhr nicht erreichbar",
        "unreachable since 02.11.2026, 09:00",
    ),
    "federation_peer_back": ("wieder erreichbar", "reachable again"),
    "topic_submitted": ("Sprachkurse für Azubis", "Sprachkurse für Azubis"),
    "event_changed": ("Neu: 31.03.2027, 13:00 Uhr", "New: 31.03.2027, 13:00 Uhr"),
    "consultation_opened": ("vom 2016-09-05 bis zum 2016-09-25", "from 2016-09-05 to 2016-09-25"),
    "consultation_closed": ("- Gesundheit: 3", "- Gesundheit: 3"),
    "accessibility_feedback": (
        "Von: ohne Namen <leser@x.example>\nSeite: /chemnitz/termine",
        "From: no name given <leser@x.example>\nPage: /chemnitz/termine",
    ),
    "accessibility_feedback_receipt": ("innerhalb von sechs Wochen", "within six weeks"),
    "directory_published": (
        "Als PDF: https://k.example/chemnitz/partneruebersicht/6f1c.pdf",
        "As PDF: https://k.example/chemnitz/partneruebersicht/6f1c.pdf",
    ),
}


def test_every_rule_has_templates_in_both_languages():
    names = {t for t, *_ in domain.RULES.values()} | {t for t, *_ in domain.ALSO.values()}
    assert names == set(SAMPLES)
    for name in names:
        for lang in ("de", "en"):
            assert (render.BUILTIN / f"{name}.{lang}.txt").exists()


@pytest.mark.parametrize("template", sorted(SAMPLES))
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_template_renders(template, language):
    rules = REG.get("chemnitz").rules
    subject, body = R.render(
        "chemnitz",
        template,
        language,
        render.context(rules, SAMPLES[template], "Anna A.", "http://x/unsub"),
    )
    assert subject and "\n" not in subject and "{{" not in body
    assert EXPECT[template][0 if language == "de" else 1] in body
    assert "integrationsnetzwerk@stadt-chemnitz.de" in body  # the tenant's contact block


@pytest.mark.parametrize("template", sorted(SAMPLES))
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_mail_to_a_contact_held_on_consent_carries_the_withdrawal_link(template, language):
    rules, url = REG.get("chemnitz").rules, "http://x/api/v1/chemnitz/consent/withdraw?t=1"
    said = "Einwilligung widerrufen" if language == "de" else "Withdraw your consent"
    _, body = R.render(
        "chemnitz", template, language, render.context(rules, SAMPLES[template], "A", None, url)
    )
    assert said in body and url in body
    _, other = R.render(
        "chemnitz", template, language, render.context(rules, SAMPLES[template], "A", None)
    )
    assert said not in other and "withdraw" not in other


def test_withdrawal_tokens_are_per_tenant_and_address_and_fit_no_unsubscribe_link():
    t = links.withdrawal_token("s", "chemnitz", "A@x.example")
    assert t == links.withdrawal_token("s", "chemnitz", "a@x.example")
    assert t != links.withdrawal_token("s", "magdeburg", "a@x.example")
    assert t != links.withdrawal_token("s", "chemnitz", "b@x.example")
    assert t != links.withdrawal_token("other", "chemnitz", "a@x.example")
    assert t not in {
        links.unsubscribe_token("s", "chemnitz", "a@x.example", c) for c in CATEGORIES_ALL
    }


def test_contact_block_of_saalekreis_has_address_phones_and_hours():
    rules = REG.get("saalekreis").rules
    _, body = R.render(
        "saalekreis",
        "working_group_proposal",
        "de",
        render.context(rules, SAMPLES["working_group_proposal"], None, None),
    )
    assert (
        "Geusaer Straße 81e" in body
        and "03461 40 2228" in body
        and "nach Terminvereinbarung" in body
    )


def test_tenant_override(tmp_path):
    (tmp_path / "chemnitz").mkdir()
    (tmp_path / "chemnitz" / "ballot_reminder.de.txt").write_text(
        "Subject: Eigene Erinnerung\n\nHallo {{ recipient_name }}\n"
    )
    r = render.Renderer(tmp_path)
    assert r.render(
        "chemnitz",
        "ballot_reminder",
        "de",
        render.context(REG.get("chemnitz").rules, SAMPLES["ballot_reminder"], "Anna", None),
    ) == ("Eigene Erinnerung", "Hallo Anna\n")
    assert r.render(
        "magdeburg",
        "ballot_reminder",
        "de",
        render.context(
            REG.get("magdeburg").rules,
            {**SAMPLES["ballot_reminder"], "body": "projektgruppe"},
            "Anna",
            None,
        ),
    )[0].startswith("Erinnerung")


def test_plan_who_is_told():
    rules = REG.get("chemnitz").rules
    now = datetime(2026, 11, 22, tzinfo=UTC)
    members = [
        {"ref": "a", "name": "A", "email": "a@x.example"},
        {"ref": "b", "name": "B", "email": "b@x.example"},
        {"ref": "c", "name": "C", "email": None},
    ]
    assert [p.recipient for p in domain.plan("voting.ballot.closed", {}, rules, members, now)] == [
        "a@x.example",
        "b@x.example",
    ]
    assert [
        p.recipient
        for p in domain.plan(
            "voting.ballot.reminder_due", {"not_voted": [{"person_id": "b"}]}, rules, members, now
        )
    ] == ["b@x.example"]
    applicant = domain.plan(
        "membership.application.submitted",
        {"contact": {"email": "l@x.example", "name": "L", "language": "en"}},
        rules,
        [],
        now,
    )
    assert applicant[0].mandatory and applicant[0].language == "en"
    deadline = now + timedelta(days=10)
    decision = domain.plan(
        "membership.partner.admitted",
        {"contact": {"email": "l@x.example"}, "decision": {"deadline": deadline.isoformat()}},
        rules,
        [],
        now,
    )
    assert decision[0].not_before == deadline  # Chemnitz tells the applicant after the deadline
    assert domain.plan("membership.partner.created", {}, rules, members, now) == []


def test_retry_schedule_and_signatures():
    assert domain.backoff(1, 2).total_seconds() == 2 and domain.backoff(4, 2).total_seconds() == 16
    assert domain.backoff(30, 2).total_seconds() == 3600
    assert domain.after_failure(3, 8) == "retrying" and domain.after_failure(8, 8) == "failed"
    assert webhooks.webhook_wants(["voting.*"], "voting.ballot.closed")
    assert not webhooks.webhook_wants(["membership.partner.admitted"], "voting.ballot.closed")
    t1 = links.unsubscribe_token("s", "chemnitz", "A@x.example", "ballots")
    assert t1 == links.unsubscribe_token("s", "chemnitz", "a@x.example", "ballots")
    assert t1 != links.unsubscribe_token("s", "magdeburg", "a@x.example", "ballots")


# --- Every shape each event can have (issue 10, point 10) -------------------------------------
# A template must render every shape of its event's data: a crash dead-letters the mail.

NAMED_DISSENT = [
    {"choice": "no", "reason": "Ziele unklar.", "person_id": "p3", "name": "Cem C."},
    {"choice": "no", "reason": None, "person_id": "p4", "name": "Dana D."},
]
SECRET_DISSENT = [{"choice": "no", "reason": "Ziele unklar."}, {"choice": "no", "reason": None}]
CONSENSUS_NAMED = [{"choice": "object", "reason": "Zu teuer.", "person_id": "p3", "name": "Cem C."}]
CONSENSUS_SECRET = [{"choice": "object", "reason": None}]
MAJORITY_TALLY = {"yes": 2, "no": 1, "abstain": 0, "voted": 3, "electorate": 3, "quorum_needed": 0}
CONSENSUS_TALLY = {
    "agree": 2,
    "stand_aside": 1,
    "object": 1,
    "voted": 4,
    "electorate": 4,
    "quorum_needed": 0,
}


def _ballot_results() -> dict[str, dict]:
    base = SAMPLES["ballot_result"]
    shapes = {}
    for rule, tally, named, secret in (
        ("simple_majority", MAJORITY_TALLY, NAMED_DISSENT, SECRET_DISSENT),
        ("consensus", CONSENSUS_TALLY, CONSENSUS_NAMED, CONSENSUS_SECRET),
    ):
        for label, dissent, is_secret in (
            ("named", named, False),
            ("secret", secret, True),
            ("named-no-dissent", [], False),
            ("secret-no-dissent", [], True),
        ):
            shapes[f"{rule}-{label}"] = {
                **base,
                "decision_rule": rule,
                "tally": tally,
                "dissent": dissent,
                "secret": is_secret,
            }
    shapes["recommendation"] = {
        **base,
        "kind": "recommendation",
        "binding": False,
        "outcome_to": "Stadtrat",
        "outcome_text": "Empfehlung an Stadtrat: angenommen",
    }
    shapes["no-quorum"] = {
        **base,
        "outcome": "no_quorum",
        "outcome_text": "Beschluss: nicht beschlussfähig",
        "tally": {**MAJORITY_TALLY, "voted": 0, "yes": 0, "no": 0, "quorum_needed": 2},
        "dissent": [],
    }
    return shapes


def _decisions(template: str) -> dict[str, dict]:
    base = SAMPLES[template]
    return {
        "majority": base,
        "consensus": {**base, "decision": {"tally": CONSENSUS_TALLY, "dissent": CONSENSUS_SECRET}},
        "named-dissent": {**base, "decision": {**base["decision"], "dissent": NAMED_DISSENT}},
        "without-decision": {**base, "decision": None},
    }


SHAPES: dict[str, dict[str, dict]] = {
    "ballot_result": _ballot_results(),
    "minutes_published": {
        "named": SAMPLES["minutes_published"],
        "secret": {
            **SAMPLES["minutes_published"],
            "decisions": [
                {**SAMPLES["ballot_result"], "dissent": SECRET_DISSENT},
                {**SAMPLES["ballot_result"], "dissent": CONSENSUS_SECRET, "outcome_text": None},
            ],
        },
        "no-dissent": {
            **SAMPLES["minutes_published"],
            "decisions": [{**SAMPLES["ballot_result"], "dissent": []}],
        },
        "no-decisions": {**SAMPLES["minutes_published"], "decisions": []},
    },
    "ballot_opened": {
        "with-reasons": SAMPLES["ballot_opened"],
        "without-reasons": {**SAMPLES["ballot_opened"], "reasons_required_for": []},
        "consensus-with-text": {
            **SAMPLES["ballot_opened"],
            "decision_rule": "consensus",
            "reasons_required_for": ["object", "stand_aside"],
            "text": "Die Gruppe beschließt über …",
            "secret": True,
        },
    },
    "application_admitted": _decisions("application_admitted"),
    "application_rejected": _decisions("application_rejected"),
    "invitation": {
        "with-agenda": SAMPLES["invitation"],
        "online-without-agenda": {
            **SAMPLES["invitation"],
            "place": None,
            "online_url": "https://meet.example/x",
            "agenda": [],
        },
        "agenda-without-presenter": {
            **SAMPLES["invitation"],
            "agenda": [{"title": "Berichte", "presenter": None, "minutes": None}],
        },
    },
    "agenda_published": {
        "with-minutes": SAMPLES["agenda_published"],
        "plain": {
            **SAMPLES["agenda_published"],
            "agenda": [{"title": "Berichte", "presenter": "AG Wohnen", "minutes": None}],
        },
        "empty": {**SAMPLES["agenda_published"], "agenda": []},
    },
    "event_changed": {
        "in-place": SAMPLES["event_changed"],
        "online": {**SAMPLES["event_changed"], "place": None, "online_url": "https://meet.example"},
    },
    "introduction_slot": {
        "with-place": SAMPLES["introduction_slot"],
        "without-place": {
            **SAMPLES["introduction_slot"],
            "event": {**SAMPLES["introduction_slot"]["event"], "place": None},
        },
    },
    "federation_peer_stale": {
        "synced-before": SAMPLES["federation_peer_stale"],
        "never-synced": {**SAMPLES["federation_peer_stale"], "last_sync_at": None},
    },
    "cadence_due": {
        "overdue": SAMPLES["cadence_due"],
        "due-never-met": {**SAMPLES["cadence_due"], "status": "due", "due": None, "last": None},
    },
    "topic_submitted": {
        "plain": SAMPLES["topic_submitted"],
        "described": {**SAMPLES["topic_submitted"], "description": "Für Auszubildende"},
    },
    "consultation_closed": {
        "with-ideas": SAMPLES["consultation_closed"],
        "without-ideas": {**SAMPLES["consultation_closed"], "ideas": 0, "topics": []},
    },
    "working_group_proposal": {
        "body": SAMPLES["working_group_proposal"],
        "coordinator": {**SAMPLES["working_group_proposal"], "decided_by": "coordinator"},
    },
}
for _template, _data in SAMPLES.items():
    SHAPES.setdefault(_template, {"sample": _data})
CASES = [
    (template, label, language)
    for template, shapes in sorted(SHAPES.items())
    for label in shapes
    for language in ("de", "en")
]


def _render(template: str, data: dict, language: str) -> tuple[str, str]:
    rules = REG.get("chemnitz").rules
    return R.render(
        "chemnitz", template, language, render.context(rules, data, "Anna A.", "http://x/unsub")
    )


@pytest.mark.parametrize(("template", "shape", "language"), CASES)
def test_every_template_renders_every_shape_of_its_event(template, shape, language):
    subject, body = _render(template, SHAPES[template][shape], language)
    assert subject and "\n" not in subject and "{{" not in body
    assert "integrationsnetzwerk@stadt-chemnitz.de" in body


@pytest.mark.parametrize("language", ["de", "en"])
def test_secret_dissent_shows_reasons_without_names(language):
    _, body = _render("ballot_result", SHAPES["ballot_result"]["simple_majority-secret"], language)
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert lines == (
        ["- Ziele unklar.", "- ohne Begründung"]
        if language == "de"
        else ["- Ziele unklar.", "- no reason given"]
    )


def test_named_consensus_result_counts_agreement_and_objections():
    _, body = _render("ballot_result", SHAPES["ballot_result"]["consensus-named"], "de")
    assert "Zustimmung: 2, Enthaltung (Beiseitestehen): 1, Einwände: 1" in body
    assert "- Cem C.: Zu teuer." in body


@pytest.mark.parametrize("template", ["application_admitted", "application_rejected"])
def test_a_consensus_decision_is_told_in_its_own_words(template):
    _, body = _render(template, SHAPES[template]["consensus"], "de")
    assert "2 Zustimmungen, 1 Enthaltung (Beiseitestehen), 1 Einwand" in body
    assert "None" not in body


def test_secret_minutes_dissent_shows_the_reason_only():
    _, body = _render("minutes_published", SHAPES["minutes_published"]["secret"], "de")
    assert "  Abweichende Meinung: Ziele unklar." in body
    assert "  Abweichende Meinung: ohne Begründung" in body


FORM_TEXT = ("Kaufen Sie jetzt: http://evil.example", "Herr Gewinnspiel <b>")


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_receipt_says_only_what_the_platform_wrote(language):
    data = {
        "application_id": "6f1c2a3b-0000-4000-8000-000000000001",
        "status": "submitted",
        "organisation": FORM_TEXT[0],
        "contact": {"name": FORM_TEXT[1], "email": "l@x.example", "language": language},
    }
    subject, body = _render("application_received", data, language)
    assert all(text not in subject + body for text in FORM_TEXT)
    assert "6f1c2a3b-0000-4000-8000-000000000001" in body


def test_the_receipt_is_not_addressed_by_the_name_in_the_form():
    rules = REG.get("chemnitz").rules
    now = datetime(2026, 11, 22, tzinfo=UTC)
    planned = domain.plan(
        "membership.application.submitted",
        {"application_id": "a1", "contact": {"email": "l@x.example", "name": FORM_TEXT[1]}},
        rules,
        [],
        now,
    )
    assert [(p.recipient, p.name) for p in planned] == [("l@x.example", None)]


# --- The confirmation of the applicant's address (issue 10, point 5) ---------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_confirmation_mail_has_the_link_and_no_text_from_the_form(language):
    data = {
        **SAMPLES["application_confirm"],
        "contact": {"email": "l@x.example", "language": language},
    }
    subject, body = _render("application_confirm", data, language)
    assert data["confirm_url"] in body
    assert ("nach 7 Tagen" if language == "de" else "after 7 days") in body  # unconfirmed_days
    assert all(text not in subject + body for text in FORM_TEXT)


def test_the_confirmation_goes_to_the_address_only_unnamed_and_mandatory():
    rules = REG.get("chemnitz").rules
    planned = domain.plan(
        "membership.application.confirmation_requested",
        {
            "application_id": "a1",
            "contact": {"email": "l@x.example", "name": FORM_TEXT[1], "language": "en"},
        },
        rules,
        [],
        datetime(2026, 11, 22, tzinfo=UTC),
    )
    assert [(p.recipient, p.name, p.template, p.mandatory, p.language) for p in planned] == [
        ("l@x.example", None, "application_confirm", True, "en")
    ]


def test_the_four_networks_do_not_confirm_addresses_unless_they_say_so():
    for tenant in REG:
        assert tenant.membership["confirm_applicant_email"] is False
        assert tenant.membership["unconfirmed_days"] == 7


def test_accessibility_feedback_reaches_the_office_and_the_sender_gets_a_receipt_only():
    """BITV 2.0 § 7: the Koordinierungsstelle gets the message; the sender a receipt in the
    page's language that carries none of the form's text (anyone may name any address)."""
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    data = {**SAMPLES["accessibility_feedback"], "language": "en", "name": "Rita R."}
    name = "membership.accessibility_feedback.submitted"
    chemnitz = REG.get("chemnitz").rules
    office, receipt = domain.plan(name, data, chemnitz, [], now)
    assert (office.recipient, office.template, office.mandatory) == (
        "integrationsnetzwerk@stadt-chemnitz.de",
        "accessibility_feedback",
        True,
    )
    assert (receipt.recipient, receipt.template, receipt.language, receipt.name) == (
        "leser@x.example",
        "accessibility_feedback_receipt",
        "en",
        None,
    )
    for language in ("de", "en"):
        _, body = R.render(
            "chemnitz",
            "accessibility_feedback_receipt",
            language,
            render.context(chemnitz, data, None, None),
        )
        assert data["message"] not in body and "Rita" not in body
        assert chemnitz["accessibility"]["enforcement"]["url"] in body
    # a network without an address at its contact point: the Impressum's address
    magdeburg = REG.get("magdeburg").rules
    assert magdeburg["contact_point"].get("email") is None
    (office, _receipt) = domain.plan(name, data, magdeburg, [], now)
    assert office.recipient == magdeburg["imprint"]["email"]
