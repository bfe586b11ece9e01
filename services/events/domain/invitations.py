"""Rules of invitations: an event's status once invited, who answers, who is reached."""

from __future__ import annotations

from knotenpunkt.shared.errors import Conflict


def status_after_invitation(status: str) -> str:
    """A planned event becomes invited; any other status stays."""
    return "invited" if status == "planned" else status


def invitee_of(invited: set[str], sub: str | None, partner_id: str | None) -> str | None:
    """Who answers: the caller's own invitation, else their partner's, else the caller."""
    return next((x for x in (sub, partner_id) if x and x in invited), sub)


def caller_invitees(sub: str | None, partner_id: str | None) -> list[str]:
    """The invitees a caller answers for: their own invitation, then their partner's."""
    return [x for x in (sub, partner_id) if x]


def own_answer(answers: dict, sub: str | None, partner_id: str | None) -> tuple[bool, str | None]:
    """(invited?, answer) of a caller from {invitee: answer} of one event, as `invitee_of` picks."""
    for who in caller_invitees(sub, partner_id):
        if who in answers:
            return True, answers[who]
    return False, None


def reachable(invitee: dict) -> dict:
    """The invitee with `reachable`: only an invitation with an e-mail address reaches anyone."""
    return {**invitee, "reachable": bool((invitee.get("email") or "").strip())}


def linked_answer(invitations: list[dict]) -> dict:
    """Name and answer of the invitations to one address (the first, by name, speaks for all)."""
    first = invitations[0]
    return {"name": first["name"], "answer": first["answer"], "answered_at": first["answered_at"]}


def ensure_answerable(event: dict) -> None:
    """Raises Conflict for a cancelled event: there is nothing left to answer."""
    if event["status"] == "cancelled":
        raise Conflict("Dieser Termin ist abgesagt.")
