"""Scheduling, cadence, introduction slots, consultation windows and iCalendar, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from knotenpunkt.services.events.domain import (
    consultations,
    introductions,
    meetings,
    minutes,
    planning,
)
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.errors import Conflict, RuleViolation
from knotenpunkt.shared.ical import ics
from knotenpunkt.shared.tenants import TenantRegistry

REG = TenantRegistry.load(Settings().tenants_dir)
MDG = REG.get("magdeburg").body("projektgruppe")["meeting"]
TZ = REG.get("magdeburg").tz
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def berlin(y, m, d, hh, mm):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_magdeburg_hard_and_soft_rules():
    assert (
        meetings.check_meeting(MDG, berlin(2026, 12, 2, 13, 0), berlin(2026, 12, 2, 14, 0), TZ)
        == []
    )
    with pytest.raises(RuleViolation, match="höchstens 60 Minuten"):
        meetings.check_meeting(MDG, berlin(2026, 12, 2, 13, 0), berlin(2026, 12, 2, 14, 30), TZ)
    warnings = meetings.check_meeting(
        MDG, berlin(2026, 12, 3, 9, 0), berlin(2026, 12, 3, 10, 0), TZ
    )
    assert warnings == [
        "Vorzuziehen ist: Mittwoch; geplant ist ein Donnerstag.",
        "Vorzuziehen ist die Zeit zwischen 13:00 und 15:30 Uhr.",
    ]
    with pytest.raises(RuleViolation, match="Das Ende muss nach dem Beginn liegen."):
        meetings.check_meeting(MDG, berlin(2026, 12, 2, 14, 0), berlin(2026, 12, 2, 13, 0), TZ)


def test_meeting_rules_are_read_in_the_tenants_time_zone():
    from zoneinfo import ZoneInfo

    # Wednesday 13:00 in Magdeburg is Wednesday 07:00 in New York: outside the window there.
    starts, ends = berlin(2026, 12, 2, 13, 0), berlin(2026, 12, 2, 14, 0)
    assert meetings.check_meeting(MDG, starts, ends, ZoneInfo("America/New_York")) == [
        "Vorzuziehen ist die Zeit zwischen 13:00 und 15:30 Uhr."
    ]
    (slot,) = planning.proposals(
        MDG, date(2026, 12, 2), date(2026, 12, 2), None, ZoneInfo("America/New_York")
    )
    assert slot.starts_at == datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def test_blackout_dates_warn_and_are_skipped():
    meeting = {**MDG, "blackout_dates": [date(2026, 12, 9)]}
    assert meetings.check_meeting(
        meeting, berlin(2026, 12, 9, 13, 0), berlin(2026, 12, 9, 14, 0), TZ
    ) == ["An diesem Tag ist ein Termin, den das Gremium meidet (z. B. Stadtratssitzung)."]
    slots = planning.proposals(meeting, date(2026, 12, 1), date(2026, 12, 31), None, TZ)
    assert [s.starts_at.astimezone(TZ).date() for s in slots] == [
        date(2026, 12, 2),
        date(2026, 12, 16),
        date(2026, 12, 23),
        date(2026, 12, 30),
    ]


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 120))
def test_proposals_fall_on_wednesday_1300_to_1530_and_last_60_minutes(first, span):
    for s in planning.proposals(MDG, first, first + timedelta(days=span), None, TZ):
        start, end = s.starts_at.astimezone(TZ), s.ends_at.astimezone(TZ)
        assert start.weekday() == 2 and start.hour == 13 and start.minute == 0
        assert (end - start) == timedelta(minutes=60) and end.time() <= datetime.strptime(
            "15:30", "%H:%M"
        ).time()
        assert meetings.check_meeting(MDG, s.starts_at, s.ends_at, TZ) == []


def test_proposals_mark_the_quarterly_rhythm():
    last = berlin(2026, 9, 2, 13, 0)
    slots = planning.proposals(MDG, date(2026, 11, 25), date(2027, 1, 31), last, TZ)
    keeps = {s.starts_at.astimezone(TZ).date(): s.keeps_cadence for s in slots}
    assert keeps[date(2026, 12, 2)] is True and keeps[date(2026, 12, 9)] is False


def test_cadence_status():
    assert planning.cadence_status(3, None, None, NOW, 30) == ("due", None)
    assert planning.cadence_status(3, NOW - timedelta(days=30), None, NOW, 30)[0] == "ok"
    assert planning.cadence_status(3, NOW - timedelta(days=80), None, NOW, 30)[0] == "due"
    assert planning.cadence_status(3, NOW - timedelta(days=100), None, NOW, 30)[0] == "overdue"
    assert (
        planning.cadence_status(3, NOW - timedelta(days=100), NOW + timedelta(days=3), NOW, 30)[0]
        == "overdue"
    )
    assert (
        planning.cadence_status(12, NOW - timedelta(days=300), NOW + timedelta(days=20), NOW, 30)[0]
        == "ok"
    )


def test_cadence_turns_due_within_the_rules_days():
    """80 days after a quarterly meeting, the next is due in about 12 days: due under the
    default 30 days' notice, still ok under 10."""
    last = NOW - timedelta(days=80)
    due = planning.cadence_status(3, last, None, NOW, 30)[1]
    assert 10 < (due - NOW).days < 30
    assert planning.cadence_status(3, last, None, NOW, 30) == ("due", due)
    assert planning.cadence_status(3, last, None, NOW, 10) == ("ok", due)


def test_cadence_rules_carry_their_days_of_notice():
    rules = {
        "network_events": {"name": "Netzwerktreffen", "cadence": None},
        "membership": {"introduction": {"event_kind": "network_event"}},
        "bodies": [
            {
                "key": "a",
                "name": "A",
                "meeting": {"cadence": {"every_months": 3, "due_within_days": 10}},
            },
            {"key": "b", "name": "B", "meeting": {"cadence": None}},
        ],
    }
    assert planning.cadence_rules(rules) == [
        {
            "rule": "body:a",
            "label": "A",
            "kind": None,
            "body": "a",
            "every_months": 3,
            "due_within_days": 10,
        }
    ]


def test_introduction_slot_needs_lead_time():
    events = [
        {
            "id": 1,
            "kind": "network_event",
            "status": "planned",
            "starts_at": NOW + timedelta(days=10),
        },
        {
            "id": 2,
            "kind": "network_event",
            "status": "cancelled",
            "starts_at": NOW + timedelta(days=30),
        },
        {
            "id": 3,
            "kind": "network_event",
            "status": "planned",
            "starts_at": NOW + timedelta(days=60),
        },
        {
            "id": 4,
            "kind": "body_meeting",
            "status": "planned",
            "starts_at": NOW + timedelta(days=25),
        },
    ]
    assert introductions.introduction_event(events, "network_event", 21, NOW)["id"] == 3
    assert introductions.introduction_event(events[:2], "network_event", 21, NOW) is None


def test_consultation_window_5_to_25_september():
    opens, closes = date(2016, 9, 5), date(2016, 9, 25)
    tz = REG.get("chemnitz").tz
    # 23:00 on the 25th in Chemnitz: still open
    consultations.ensure_window(opens, closes, datetime(2016, 9, 25, 21, 0, tzinfo=UTC), tz)
    with pytest.raises(Conflict, match="öffnet am 05.09.2016"):
        consultations.ensure_window(opens, closes, datetime(2016, 9, 4, 12, 0, tzinfo=UTC), tz)
    with pytest.raises(
        Conflict,
        match=r"^Die Beteiligung ist seit dem 26\.09\.2016 geschlossen \(Zeitraum 05\.09\. bis 25\.09\.2016\)\.$",
    ):  # 00:30 on the 26th in Chemnitz
        consultations.ensure_window(opens, closes, datetime(2016, 9, 25, 22, 30, tzinfo=UTC), tz)


def test_ics_parses_with_an_independent_library():
    events = [
        {
            "id": "a1",
            "title": "Netzwerkveranstaltung, Frühjahr; mit Vorstellung",
            "starts_at": berlin(2027, 3, 31, 13, 0),
            "ends_at": berlin(2027, 3, 31, 16, 0),
            "status": "planned",
            "place": "Rathaus Chemnitz",
            "sequence": 2,
        },
        {
            "id": "b2",
            "title": "Abgesagt",
            "starts_at": berlin(2027, 1, 13, 13, 0),
            "ends_at": berlin(2027, 1, 13, 14, 0),
            "status": "cancelled",
            "description": "x" * 200,
        },
    ]
    text = ics(events, "Integrationsnetzwerk Chemnitz", now=NOW, tz=TZ)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = Calendar.from_ical(text)
    tz = [c for c in cal.walk("VTIMEZONE")]
    assert tz and str(tz[0]["TZID"]) == "Europe/Berlin"
    vevents = cal.walk("VEVENT")
    assert [str(v["UID"]) for v in vevents] == ["a1@knotenpunkt", "b2@knotenpunkt"]
    assert all("DTSTAMP" in v for v in vevents)
    assert str(vevents[0]["SUMMARY"]) == "Netzwerkveranstaltung, Frühjahr; mit Vorstellung"
    assert vevents[0]["DTSTART"].dt == berlin(2027, 3, 31, 13, 0)
    assert str(vevents[1]["STATUS"]) == "CANCELLED" and str(vevents[1]["DESCRIPTION"]) == "x" * 200


def test_minutes_record_dissent():
    event = {
        "title": "Vorbereitungsgremium",
        "starts_at": berlin(2026, 12, 2, 13, 0),
        "place": "Sozialamt",
    }
    md = minutes.minutes_markdown(
        event,
        {
            "attendees": ["A", "B"],
            "notes": [],
            "decisions": [
                {
                    "title": "Aufnahme X",
                    "outcome_text": "Beschluss: angenommen",
                    "tally": {
                        "no": 1,
                        "yes": 2,
                        "voted": 3,
                        "abstain": 0,
                        "electorate": 5,
                        "quorum_needed": 3,
                    },
                    "dissent": [{"name": "C", "reason": "Ziele unklar."}],
                }
            ],
        },
        [],
        TZ,
    )
    assert md.splitlines() == [
        "# Protokoll: Vorbereitungsgremium",
        "",
        "02.12.2026, 13:00 Uhr, Sozialamt",
        "",
        "**Anwesend:** A, B",
        "",
        "## Beschlüsse und Empfehlungen",
        "",
        "- **Aufnahme X**: Beschluss: angenommen",
        "  - Abstimmung: Ja 2, Nein 1, Enthaltung 0; abgestimmt 3 von 5",
        "  - Abweichende Meinung: C: Ziele unklar\\.",
    ]


def test_minutes_show_what_people_wrote_as_text():
    event = {
        "title": "<script>alert(1)</script>",
        "starts_at": berlin(2026, 12, 2, 13, 0),
        "place": "<img src=x onerror=alert(2)>",
    }
    md = minutes.minutes_markdown(
        event,
        {
            "attendees": ["[A](javascript:alert(3))", "<b>B</b>"],
            "notes": [{"item_id": "i1", "text": "<iframe src=//evil.example>"}],
            "decisions": [
                {
                    "title": "[Klick](javascript:alert(4))",
                    "outcome_text": "Beschluss: angenommen",
                    "tally": {"yes": 1},
                    "dissent": [
                        {"name": "<u>C</u>", "reason": "<a href='javascript:alert(5)'>x</a>"}
                    ],
                }
            ],
        },
        [{"id": "i1", "title": "![bild](http://tracker.example/p.png)"}],
        TZ,
    )
    assert "<" not in md and ">" not in md.replace("&gt;", "")
    assert "](" not in md
    assert "# Protokoll: &lt;script&gt;alert\\(1\\)&lt;/script&gt;" in md.splitlines()


def test_ics_in_the_tenants_time_zone():
    from zoneinfo import ZoneInfo

    import icalendar

    from knotenpunkt.shared.ical import ics

    doc = ics(
        [
            {
                "id": "e1",
                "title": "Treffen",
                "starts_at": datetime(2026, 7, 1, 10, tzinfo=UTC),
                "ends_at": datetime(2026, 7, 1, 11, tzinfo=UTC),
                "status": "planned",
            }
        ],
        "Kalender",
        now=NOW,
        tz=ZoneInfo("America/New_York"),
    )
    cal = icalendar.Calendar.from_ical(doc)
    (event,) = cal.walk("VEVENT")
    assert "DTSTART;TZID=America/New_York:20260701T060000" in doc
    assert event["DTSTART"].dt == datetime(2026, 7, 1, 10, tzinfo=UTC)
    assert "DTSTART:20260308T020000" in doc  # onset of EDT in local standard time


def test_a_decision_by_show_of_hands_adds_up_with_those_present():
    import pytest as _pytest

    from knotenpunkt.services.events.domain import minutes as minutes_rules
    from knotenpunkt.shared.errors import RuleViolation as _RuleViolation

    present = ["A", "B", "C"]
    given = {
        "title": "Positionspapier",
        "outcome": "adopted",
        "count": {"yes": 2, "no": 1, "abstain": 0},
        "dissent": [{"name": "C", "choice": "no", "reason": "Zu früh"}],
    }
    kept = minutes_rules.decision_by_hand(given, 0, present, binding=True)
    assert kept["outcome_text"] == "Beschluss: angenommen (per Handzeichen)"
    assert kept["tally"] == {"yes": 2, "no": 1, "abstain": 0, "voted": 3, "electorate": 3}
    recommended = minutes_rules.decision_by_hand(given, 0, present, binding=False)
    assert recommended["outcome_text"].startswith("Empfehlung: angenommen")
    too_many = {**given, "count": {"yes": 3, "no": 1, "abstain": 0}}
    with _pytest.raises(_RuleViolation) as refused:
        minutes_rules.decision_by_hand(too_many, 2, present, binding=True)
    assert refused.value.field == "decisions_by_hand.2.count"
    two_named = {**given, "dissent": [{"name": "B", "choice": "no"}, {"name": "C", "choice": "no"}]}
    with _pytest.raises(_RuleViolation):
        minutes_rules.decision_by_hand(two_named, 0, present, binding=True)
    stranger = {**given, "dissent": [{"name": "Z", "choice": "no", "reason": None}]}
    with _pytest.raises(_RuleViolation) as refused:
        minutes_rules.decision_by_hand(stranger, 0, present, binding=True)
    assert "Z" in str(refused.value)
    # without counts the dissent is kept as given
    uncounted = minutes_rules.decision_by_hand({**given, "count": None}, 0, [], binding=True)
    assert uncounted["tally"] is None and uncounted["dissent"][0]["reason"] == "Zu früh"
