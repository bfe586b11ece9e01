"""The network's time zone: the APIs' ISO times shown and read in it."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import g
from flask_babel import gettext as _

DEFAULT = "Europe/Berlin"


def zone() -> ZoneInfo:
    """The time zone of the request's network (Europe/Berlin outside a network's pages)."""
    rules = getattr(g, "rules", None)
    return ZoneInfo(rules and rules.get("timezone") or DEFAULT)


def local(value) -> datetime | None:
    """An ISO time of the API in the network's zone (None when there is none)."""
    if not value:
        return None
    return datetime.fromisoformat(str(value)).astimezone(zone())


def now() -> datetime:
    return datetime.now(zone())


def at(day: date, clock: time) -> datetime:
    """A day and a wall-clock time in the network's zone."""
    return datetime.combine(day, clock, tzinfo=zone())


def input_value(value) -> str:
    """An ISO moment as the network's local "YYYY-MM-DDTHH:MM" (a datetime-local field)."""
    moment = local(value)
    return moment.strftime("%Y-%m-%dT%H:%M") if moment else ""


def from_input(raw: str) -> str:
    """A datetime-local field's "YYYY-MM-DDTHH:MM" as an ISO moment in the network's zone
    (ValueError when it is none)."""
    return datetime.fromisoformat(raw).replace(tzinfo=zone()).isoformat()


def when(value, fmt: str = "datetime") -> str:
    """An ISO time shown in the network's time zone, German style (03.09.2026, 14:00 Uhr)."""
    if not value:
        return ""
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        try:
            return date.fromisoformat(str(value)).strftime("%d.%m.%Y")
        except ValueError:
            return str(value)
    if dt.tzinfo is not None:
        dt = dt.astimezone(zone())
    if fmt == "date":
        return dt.strftime("%d.%m.%Y")
    return _("%(date)s, %(time)s Uhr", date=dt.strftime("%d.%m.%Y"), time=dt.strftime("%H:%M"))
