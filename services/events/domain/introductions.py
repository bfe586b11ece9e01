"""Rules of introductions: the network event at which an admitted partner introduces itself."""

from __future__ import annotations

from datetime import datetime, timedelta


def introduction_event(events: list[dict], kind: str, lead_days: int, now: datetime) -> dict | None:
    """The next event of the kind at least lead_days ahead (not cancelled), or None."""
    earliest = now + timedelta(days=lead_days)
    candidates = [
        e
        for e in events
        if e["kind"] == kind and e["status"] != "cancelled" and e["starts_at"] >= earliest
    ]
    return min(candidates, key=lambda e: e["starts_at"], default=None)


def introduction_item(introduction: dict, minutes: int) -> dict:
    """The agenda item in which a new partner introduces itself."""
    return {
        "title": f"Vorstellung: {introduction['name']}",
        "kind": "introduction",
        "minutes": minutes,
        "presenter": introduction["name"],
        "partner_id": introduction["partner_id"],
    }
