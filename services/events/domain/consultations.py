"""Rules of consultations: the window for ideas, topics, who may submit, moderation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from knotenpunkt.shared.errors import Conflict, RuleViolation


def ensure_window(opens: date, closes: date, now: datetime, tz: ZoneInfo) -> None:
    """Ideas only inside the window (whole days in the network's time zone). Raises Conflict saying when."""
    today = now.astimezone(tz).date()
    if today < opens:
        raise Conflict(
            f"Die Beteiligung öffnet am {opens:%d.%m.%Y}; Ideen können ab dann eingereicht werden."
        )
    if today > closes:
        raise Conflict(
            f"Die Beteiligung ist seit dem {closes + timedelta(days=1):%d.%m.%Y} geschlossen (Zeitraum {opens:%d.%m.} bis {closes:%d.%m.%Y})."
        )


def ensure_topic(topics: list[str], topic: str) -> None:
    """Raises RuleViolation for a topic the consultation does not ask about."""
    if topics and topic not in topics:
        raise RuleViolation(f"„{topic}“ ist kein Thema dieser Beteiligung.", field="topic")


def ensure_may_submit(consultation: dict, anonymous: bool) -> None:
    """Raises RuleViolation for an anonymous idea where signing in is required."""
    if anonymous and not consultation["anonymous"]:
        raise RuleViolation("Für diese Beteiligung ist eine Anmeldung nötig.")


def ensure_moderation(status: str, reason: str | None) -> None:
    """Raises RuleViolation for hiding an idea without a reason."""
    if status == "hidden" and not (reason or "").strip():
        raise RuleViolation("Wer eine Idee ausblendet, nennt den Grund.", field="reason")


def window_state(opens: date, closes: date, today: date) -> str | None:
    """'opened' inside the window, 'closed' after it, None before it."""
    if opens <= today <= closes:
        return "opened"
    if today > closes:
        return "closed"
    return None
