"""Rules of events (meetings): a body's meeting rules, what an event's messages carry, visibility."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from knotenpunkt.shared.errors import NotFound, RuleViolation

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


SUMMARY_FIELDS = (
    "id",
    "kind",
    "body",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "public",
    "status",
    "sequence",
)


def check_meeting(meeting: dict, starts: datetime, ends: datetime, tz: ZoneInfo) -> list[str]:
    """Check an event against a body's meeting rules, in the network's time zone `tz`.

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
    local_start, local_end = starts.astimezone(tz), ends.astimezone(tz)
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


def meeting_warnings(meeting: dict, starts: datetime, ends: datetime, tz: ZoneInfo) -> list[str]:
    """What `check_meeting` says about an event already planned: its warnings, and a hard rule
    it breaks (the rules changed since) as one more warning; raises nothing."""
    try:
        return check_meeting(meeting, starts, ends, tz)
    except RuleViolation as exc:
        return [exc.detail]


def summary(event: dict) -> dict:
    """The fields of an event that travel in its events (planned, changed, invited …)."""
    return {k: event[k] for k in SUMMARY_FIELDS}


def change_kind(old_status: str, changes: dict) -> str:
    """'cancelled' when a change cancels a not yet cancelled event, else 'changed'."""
    if changes.get("status") == "cancelled" and old_status != "cancelled":
        return "cancelled"
    return "changed"


def ensure_visible(event: dict, internal: bool) -> None:
    """Raises NotFound for a private event asked for by a caller who may not read internal data."""
    if not event["public"] and not internal:
        raise NotFound(f"Einen Termin {event['id']} gibt es nicht.")
