"""iCalendar (RFC 5545) documents: calendars of the events service and invitation attachments."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are folded (RFC 5545 3.1)."""
    out, raw = [], line.encode()
    while len(raw) > 75:
        cut = 75 if not out else 74
        while (raw[cut] & 0xC0) == 0x80:  # do not split a UTF-8 sequence
            cut -= 1
        out.append(raw[:cut].decode())
        raw = raw[cut:]
    out.append(raw.decode())
    return [out[0]] + [" " + part for part in out[1:]]


def _local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%Y%m%dT%H%M%S")


def ics(
    events: list[dict],
    calendar_name: str,
    host: str = "knotenpunkt",
    now: datetime | None = None,
    method: str = "PUBLISH",
) -> str:
    """An iCalendar document with one VEVENT per event; cancelled ones as STATUS:CANCELLED.

    Event times may be datetimes or ISO strings (as they travel in events).
    """
    events = [{**e, "starts_at": _dt(e["starts_at"]), "ends_at": _dt(e["ends_at"])} for e in events]
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Knotenpunkt//Termine//DE",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        f"X-WR-CALNAME:{_escape(calendar_name)}",
        *VTIMEZONE,
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e['id']}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;TZID=Europe/Berlin:{_local(e['starts_at'])}",
            f"DTEND;TZID=Europe/Berlin:{_local(e['ends_at'])}",
            f"SUMMARY:{_escape(e['title'])}",
            f"SEQUENCE:{e.get('sequence', 0)}",
            f"STATUS:{'CANCELLED' if e['status'] == 'cancelled' else 'CONFIRMED'}",
        ]
        if e.get("place"):
            lines.append(f"LOCATION:{_escape(e['place'])}")
        if e.get("online_url"):
            lines.append(f"URL:{e['online_url']}")
        if e.get("description"):
            lines.append(f"DESCRIPTION:{_escape(e['description'])}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"


def _dt(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
