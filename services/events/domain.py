"""Events rules as pure functions: meeting rules, schedule proposals, cadence, introduction slots, windows, iCalendar."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.errors import Conflict, RuleViolation

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
EVENT_KINDS = (
    "network_event",
    "body_meeting",
    "working_group_meeting",
    "workshop",
    "conference",
    "kickoff",
)


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, _calendar.monthrange(year, month)[1])
    )


def check_meeting(meeting: dict, starts: datetime, ends: datetime) -> list[str]:
    """Check an event against a body's meeting rules.

    Raises RuleViolation for a hard rule (end before start, longer than the
    maximum); returns warnings for preferences it misses (weekday, time
    window, dates to avoid).
    """
    if ends <= starts:
        raise RuleViolation("Das Ende muss nach dem Beginn liegen.", field="ends_at")
    minutes = (ends - starts).total_seconds() / 60
    if meeting.get("max_minutes") and minutes > meeting["max_minutes"]:
        raise RuleViolation(
            f"Eine Sitzung dieses Gremiums dauert höchstens {meeting['max_minutes']} Minuten; geplant sind {minutes:.0f}.",
            field="ends_at",
        )
    warnings = []
    local_start, local_end = starts.astimezone(BERLIN), ends.astimezone(BERLIN)
    days = meeting.get("weekdays") or []
    if days and WEEKDAYS[local_start.weekday()] not in days:
        wanted = ", ".join(WEEKDAYS_DE[WEEKDAYS.index(d)] for d in days)
        warnings.append(
            f"Vorzuziehen ist: {wanted}; geplant ist ein {WEEKDAYS_DE[local_start.weekday()]}."
        )
    window = meeting.get("window")
    if window:
        w_start, w_end = time.fromisoformat(window["start"]), time.fromisoformat(window["end"])
        if (
            local_start.time() < w_start
            or local_end.time() > w_end
            or local_end.date() != local_start.date()
        ):
            warnings.append(
                f"Vorzuziehen ist die Zeit zwischen {window['start']} und {window['end']} Uhr."
            )
    if local_start.date() in set(meeting.get("blackout_dates") or []):
        warnings.append(
            "An diesem Tag ist ein Termin, den das Gremium meidet (z. B. Stadtratssitzung)."
        )
    return warnings


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    keeps_cadence: bool


def proposals(
    meeting: dict, first: date, last: date, last_meeting: datetime | None, limit: int = 20
) -> list[Slot]:
    """Dates that satisfy the body's rules between first and last (inclusive), Europe/Berlin.

    Preferred weekdays (all days when none), start at the window's start,
    duration the maximum (or 60 minutes) capped by the window, blackout dates
    skipped. keeps_cadence: the slot lies within the cadence after the last meeting.
    """
    days = meeting.get("weekdays") or list(WEEKDAYS[:5])
    window = meeting.get("window") or {"start": "10:00", "end": "16:00"}
    w_start, w_end = time.fromisoformat(window["start"]), time.fromisoformat(window["end"])
    window_minutes = (
        datetime.combine(first, w_end) - datetime.combine(first, w_start)
    ).total_seconds() / 60
    duration = min(meeting.get("max_minutes") or 60, window_minutes)
    blackout = set(meeting.get("blackout_dates") or [])
    cadence = meeting.get("cadence")
    limit_date = (
        add_months(last_meeting, cadence["every_months"]) if cadence and last_meeting else None
    )
    out = []
    day = first
    while day <= last and len(out) < limit:
        if WEEKDAYS[day.weekday()] in days and day not in blackout:
            starts = datetime.combine(day, w_start, BERLIN)
            ends = starts + timedelta(minutes=duration)
            keeps = limit_date is None or starts <= limit_date
            out.append(Slot(starts.astimezone(UTC), ends.astimezone(UTC), keeps))
        day += timedelta(days=1)
    return out


def cadence_status(
    every_months: int,
    last: datetime | None,
    next_planned: datetime | None,
    now: datetime,
    due_within_days: int = 30,
) -> tuple[str, datetime | None]:
    """(status, due date): ok, due (within the coming days and nothing planned in time) or overdue."""
    if last is None:
        return ("ok" if next_planned else "due"), None
    due = add_months(last, every_months)
    if next_planned and next_planned <= due:
        return "ok", due
    if due < now:
        return "overdue", due
    if due - now <= timedelta(days=due_within_days):
        return "due", due
    return "ok", due


def introduction_event(events: list[dict], kind: str, lead_days: int, now: datetime) -> dict | None:
    """The next event of the kind at least lead_days ahead (not cancelled), or None."""
    earliest = now + timedelta(days=lead_days)
    candidates = [
        e
        for e in events
        if e["kind"] == kind and e["status"] != "cancelled" and e["starts_at"] >= earliest
    ]
    return min(candidates, key=lambda e: e["starts_at"], default=None)


def ensure_window(opens: date, closes: date, now: datetime) -> None:
    """Ideas only inside the window (whole days, Europe/Berlin). Raises Conflict saying when."""
    today = now.astimezone(BERLIN).date()
    if today < opens:
        raise Conflict(
            f"Die Beteiligung öffnet am {opens:%d.%m.%Y}; Ideen können ab dann eingereicht werden."
        )
    if today > closes:
        raise Conflict(
            f"Die Beteiligung ist seit dem {closes + timedelta(days=1):%d.%m.%Y} geschlossen (Zeitraum {opens:%d.%m.} bis {closes:%d.%m.%Y})."
        )


def ensure_topic(topics: list[str], topic: str) -> None:
    if topics and topic not in topics:
        raise RuleViolation(f"„{topic}“ ist kein Thema dieser Beteiligung.", field="topic")


def minutes_markdown(event: dict, minutes: dict, agenda: list[dict]) -> str:
    """The minutes as a readable document, dissenting opinions recorded with each decision."""
    start = event["starts_at"].astimezone(BERLIN)
    out = [
        f"# Protokoll: {event['title']}",
        "",
        f"{start:%d.%m.%Y, %H:%M} Uhr" + (f", {event['place']}" if event.get("place") else ""),
        "",
    ]
    attendees = minutes.get("attendees") or []
    if attendees:
        out += ["**Anwesend:** " + ", ".join(attendees), ""]
    notes = {str(n["item_id"]): n["text"] for n in minutes.get("notes") or []}
    for i, item in enumerate(agenda, start=1):
        out += [f"## {i}. {item['title']}", ""]
        if notes.get(str(item["id"])):
            out += [notes[str(item["id"])], ""]
    decisions = minutes.get("decisions") or []
    if decisions:
        out += ["## Beschlüsse und Empfehlungen", ""]
        for d in decisions:
            out.append(f"- **{d['title']}**: {d.get('outcome_text') or d.get('outcome')}")
            t = d.get("tally") or {}
            if t:
                out.append(
                    "  - Abstimmung: "
                    + ", ".join(f"{k} {v}" for k, v in t.items() if k not in ("quorum_needed",))
                )
            for dis in d.get("dissent") or []:
                who = f"{dis['name']}: " if dis.get("name") else ""
                out.append(
                    f"  - Abweichende Meinung: {who}{dis.get('reason') or 'ohne Begründung'}"
                )
        out.append("")
    return "\n".join(out)


def best_option(options: list[dict], answers: list[dict]) -> dict | None:
    """The date most can attend: fewest 'no', then most 'yes', then most 'maybe', then the earliest."""
    if not options:
        return None

    def score(o):
        mine = [a["answer"] for a in answers if a["option_id"] == o["id"]]
        return (mine.count("no"), -mine.count("yes"), -mine.count("maybe"), o["starts_at"])

    return min(options, key=score)


def current_phase(phases: list[dict], today: date) -> dict | None:
    """The phase whose dates include today, else None."""
    for p in phases:
        if p.get("starts_on") and p.get("ends_on") and p["starts_on"] <= today <= p["ends_on"]:
            return p
    return None


def cadence_rules(rules: dict) -> list[dict]:
    """Every cadence rule of the tenant: the network events and each body's meetings."""
    out = []
    ne = rules["network_events"]
    if ne.get("cadence"):
        out.append(
            {
                "rule": "network_events",
                "label": ne["name"],
                "kind": rules["membership"]["introduction"]["event_kind"],
                "body": None,
                "every_months": ne["cadence"]["every_months"],
            }
        )
    for b in rules["bodies"]:
        cad = b["meeting"].get("cadence")
        if cad:
            out.append(
                {
                    "rule": f"body:{b['key']}",
                    "label": b["name"],
                    "kind": None,
                    "body": b["key"],
                    "every_months": cad["every_months"],
                }
            )
    return out
