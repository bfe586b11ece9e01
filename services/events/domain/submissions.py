"""Rules of topic submissions: when topics are taken, how a decision is made, the agenda item."""

from __future__ import annotations

from datetime import datetime

from knotenpunkt.shared.errors import Conflict, RuleViolation


def ensure_topics_accepted(event: dict, now: datetime) -> None:
    """Raises Conflict once the event is cancelled or has begun."""
    if event["status"] == "cancelled" or event["starts_at"] <= now:
        raise Conflict("Für diesen Termin werden keine Themen mehr angenommen.")


def decision_status(submission: dict, accepted: bool, reason: str | None) -> str:
    """The submission's new status; raises Conflict (decided already), RuleViolation (no reason)."""
    if submission["status"] != "submitted":
        raise Conflict(f"Über diesen Vorschlag ist schon entschieden ({submission['status']}).")
    if not accepted and not (reason or "").strip():
        raise RuleViolation("Eine Ablehnung braucht eine Begründung.", field="reason")
    return "accepted" if accepted else "declined"


def submission_item(submission: dict) -> dict:
    """The agenda item an accepted topic submission becomes."""
    return {
        "title": submission["title"],
        "kind": "topic",
        "presenter": submission["submitted_by"],
        "submission_id": submission["id"],
    }
