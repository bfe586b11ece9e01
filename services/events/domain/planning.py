"""Rules of planning: schedule proposals under a body's rules, cadence, time polls, processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from knotenpunkt.services.events.domain.meetings import WEEKDAYS
from knotenpunkt.shared.errors import Conflict, Forbidden, RuleViolation
from knotenpunkt.shared.usecase import add_months

CADENCE_ALERTS = ("due", "overdue")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    keeps_cadence: bool


def proposals(
    meeting: dict,
    first: date,
    last: date,
    last_meeting: datetime | None,
    tz: ZoneInfo,
    limit: int = 20,
) -> list[Slot]:
    """Dates that satisfy the body's rules between first and last (inclusive), in time zone `tz`.

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
            starts = datetime.combine(day, w_start, tz)
            ends = starts + timedelta(minutes=duration)
            keeps = limit_date is None or starts <= limit_date
            out.append(Slot(starts.astimezone(UTC), ends.astimezone(UTC), keeps))
        day += timedelta(days=1)
    return out


def ensure_slots(slots: list[Slot]) -> None:
    """Raises RuleViolation when no date in the range satisfies the body's rules."""
    if not slots:
        raise RuleViolation(
            "In diesem Zeitraum gibt es keinen Termin, der den Regeln des Gremiums genügt.",
            field="to",
        )


def cadence_status(
    every_months: int,
    last: datetime | None,
    next_planned: datetime | None,
    now: datetime,
    due_within_days: int,
) -> tuple[str, datetime | None]:
    """(status, due date): ok, due (within `due_within_days` and nothing planned in time) or overdue."""
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


def cadence_rules(rules: dict) -> list[dict]:
    """Every cadence rule of the tenant (the network events and each body's meetings), with its
    interval and how many days ahead it turns due."""
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
                "due_within_days": ne["cadence"]["due_within_days"],
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
                    "due_within_days": cad["due_within_days"],
                }
            )
    return out


def cadence_notice(row: dict) -> dict:
    """The data of cadence.due for a report row."""
    return {k: row[k] for k in ("rule", "label", "status", "due", "last")}


def count_answers(options: list[dict], answers: list[dict]) -> list[dict]:
    """Each option with its numbers of yes, maybe and no."""
    out = []
    for o in options:
        mine = [a["answer"] for a in answers if a["option_id"] == o["id"]]
        out.append(
            {**o, "yes": mine.count("yes"), "maybe": mine.count("maybe"), "no": mine.count("no")}
        )
    return out


def answers_by(answers: list[dict], person_id: str | None) -> dict[str, str]:
    """One person's answers: option id (as text) → answer; none for nobody."""
    if not person_id:
        return {}
    return {str(a["option_id"]): a["answer"] for a in answers if a["person_id"] == person_id}


def respondents(answers: list[dict]) -> int:
    """How many people answered the poll."""
    return len({a["person_id"] for a in answers})


def ensure_poll_answerable(poll: dict, is_member: bool, valid: set, answers: list[dict]) -> None:
    """Raises Conflict (closed), Forbidden (not a member of the body), RuleViolation (foreign option)."""
    if poll["status"] != "open":
        raise Conflict("Die Terminumfrage ist geschlossen.")
    if not is_member:
        raise Forbidden("Antworten können nur Mitglieder des Gremiums.")
    for a in answers:
        if a["option_id"] not in valid:
            raise RuleViolation(
                f"Der Termin {a['option_id']} gehört nicht zu dieser Umfrage.", field="answers"
            )


def ensure_poll_open(poll: dict) -> None:
    """Raises Conflict when the poll is closed already."""
    if poll["status"] != "open":
        raise Conflict("Die Terminumfrage ist schon geschlossen.")


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


def public_phases(phases: list[dict]) -> list[dict]:
    """The phases as the public sees them: a phase at a non-public event keeps its title and
    its own dates, but not the event, its status or the dates taken from it."""
    return [
        p
        if p.get("event_public") is not False
        else {
            **p,
            "event_id": None,
            "event_status": None,
            "starts_on": p["own_starts_on"],
            "ends_on": p["own_ends_on"],
        }
        for p in phases
    ]
