"""iCalendar (RFC 5545) documents: calendars of the events service and invitation attachments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# The compact form (with RRULEs) of the zone every network uses today; any other zone's
# VTIMEZONE is computed from its transitions (vtimezone below).
BERLIN_VTIMEZONE = [
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


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def vtimezone(tz: ZoneInfo, years: range) -> list[str]:
    """A VTIMEZONE for any IANA zone: its offset changes in the given years (RFC 5545 3.6.5).

    Europe/Berlin keeps its compact form with RRULEs.
    """
    if tz.key == "Europe/Berlin":
        return list(BERLIN_VTIMEZONE)
    start = datetime(years.start, 1, 1, tzinfo=UTC)
    end = datetime(years.stop, 1, 1, tzinfo=UTC)
    parts = []
    prev = start.astimezone(tz).utcoffset()
    moment = start
    while moment < end:  # day by day, then the hour of the change
        nxt = moment + timedelta(days=1)
        if nxt.astimezone(tz).utcoffset() != prev:
            hour = moment
            while hour.astimezone(tz).utcoffset() == prev:
                hour += timedelta(minutes=15)
            new = hour.astimezone(tz).utcoffset()
            kind = "DAYLIGHT" if hour.astimezone(tz).dst() else "STANDARD"
            # onset in local time as it was before the change (TZOFFSETFROM)
            local = (hour.replace(tzinfo=None) + prev).strftime("%Y%m%dT%H%M%S")
            parts += [
                f"BEGIN:{kind}",
                f"TZOFFSETFROM:{_offset(prev)}",
                f"TZOFFSETTO:{_offset(new)}",
                f"TZNAME:{hour.astimezone(tz).tzname()}",
                f"DTSTART:{local}",
                f"END:{kind}",
            ]
            prev = new
        moment = nxt
    if not parts:  # a zone without changes: one standard component
        parts = [
            "BEGIN:STANDARD",
            f"TZOFFSETFROM:{_offset(prev)}",
            f"TZOFFSETTO:{_offset(prev)}",
            f"TZNAME:{start.astimezone(tz).tzname()}",
            f"DTSTART:{years.start}0101T000000",
            "END:STANDARD",
        ]
    return ["BEGIN:VTIMEZONE", f"TZID:{tz.key}", *parts, "END:VTIMEZONE"]


def _escape(text: str) -> str:
    """TEXT value (RFC 5545 3.3.11): backslash, ; and , escaped; every line break as \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or ord(ch) >= 0x20)
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


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")


def ics(
    events: list[dict],
    calendar_name: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    host: str = "knotenpunkt",
    method: str = "PUBLISH",
) -> str:
    """An iCalendar document with one VEVENT per event; cancelled ones as STATUS:CANCELLED.

    Event times may be datetimes or ISO strings (as they travel in events); they
    are written in the network's time zone `tz` with its VTIMEZONE.
    """
    events = [{**e, "starts_at": _dt(e["starts_at"]), "ends_at": _dt(e["ends_at"])} for e in events]
    if events:
        years = range(
            min(e["starts_at"].year for e in events), max(e["ends_at"].year for e in events) + 1
        )
    else:
        years = range(now.year, now.year + 1)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Knotenpunkt//Termine//DE",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        f"X-WR-CALNAME:{_escape(calendar_name)}",
        *vtimezone(tz, years),
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e['id']}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;TZID={tz.key}:{_local(e['starts_at'], tz)}",
            f"DTEND;TZID={tz.key}:{_local(e['ends_at'], tz)}",
            f"SUMMARY:{_escape(e['title'])}",
            f"SEQUENCE:{e.get('sequence', 0)}",
            f"STATUS:{'CANCELLED' if e['status'] == 'cancelled' else 'CONFIRMED'}",
        ]
        if e.get("place"):
            lines.append(f"LOCATION:{_escape(e['place'])}")
        if e.get("online_url"):
            lines.append(f"URL:{_uri(e['online_url'])}")
        if e.get("description"):
            lines.append(f"DESCRIPTION:{_escape(e['description'])}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"


def _uri(value: str) -> str:
    """A URI value without any control character (a bare CR would start a new property)."""
    return "".join(ch for ch in value if ord(ch) > 0x20 and ord(ch) != 0x7F)


def _dt(value) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
