"""Applications (Beitrittserklärung): who may apply, the check, corrections, withdrawal, the result."""

from __future__ import annotations

import hashlib

from shared.access import may
from shared.auth import Principal
from shared.errors import Conflict, RuleViolation, Unauthorized

APPLICATION_STATES = ("submitted", "returned", "in_vote", "admitted", "rejected", "withdrawn")
WITHDRAWABLE = ("submitted", "returned", "in_vote")


def ensure_applications_accepted(rules: dict) -> None:
    """Raises Conflict with the network's own sentence when it takes no applications."""
    membership = rules["membership"]
    mode = membership["mode"]
    if mode == "application":
        return
    if membership.get("refusal"):
        raise Conflict(membership["refusal"].strip(), membership_mode=mode)
    if mode == "open":
        raise Conflict(
            "Dieses Netzwerk hat keine Mitgliedschaft; seine Arbeitsgruppen stehen allen offen.",
            membership_mode=mode,
        )
    raise Conflict(
        "Die Mitglieder dieses Netzwerks werden benannt; eine Beitrittserklärung ist nicht vorgesehen.",
        membership_mode=mode,
    )


def check_statements(rules: dict, statements: dict) -> None:
    """Every criterion of the network must be affirmed. Raises RuleViolation naming it."""
    for criterion in rules["membership"]["criteria"]:
        if statements.get(criterion["key"]) is not True:
            raise RuleViolation(
                f"Aufnahmekriterium nicht bestätigt: {criterion['text']}",
                field=f"statements.{criterion['key']}",
            )
    unknown = set(statements) - {c["key"] for c in rules["membership"]["criteria"]}
    if unknown:
        raise RuleViolation(
            f"Unbekannte Erklärung(en): {', '.join(sorted(unknown))}.", field="statements"
        )


def check_outcome(status: str, complete: bool, plausible: bool, note: str | None) -> str:
    """The Koordinierungsstelle's check: in_vote when complete and plausible, else returned.

    Raises Conflict when the application is not waiting for a check and
    RuleViolation when it is returned without a note for the applicant.
    """
    if status != "submitted":
        raise Conflict(f"Der Antrag ist im Status „{status}“ und wartet nicht auf eine Prüfung.")
    if complete and plausible:
        return "in_vote"
    if not (note or "").strip():
        raise RuleViolation(
            "Ein zurückgegebener Antrag braucht einen Hinweis für den Antragsteller.", field="note"
        )
    return "returned"


def ensure_correctable(status: str) -> None:
    """Raises Conflict unless the application was returned to the applicant."""
    if status != "returned":
        raise Conflict(
            f"Der Antrag ist im Status „{status}“; ändern lässt er sich nur, wenn er zurückgegeben wurde."
        )


def ensure_withdrawable(status: str) -> None:
    """Raises Conflict once the application has been decided or withdrawn."""
    if status not in WITHDRAWABLE:
        raise Conflict(
            f"Der Antrag ist im Status „{status}“ und kann nicht mehr zurückgezogen werden."
        )


def admission_result(outcome: str) -> str:
    """A closed admission ballot's outcome as the application's new status."""
    return "admitted" if outcome == "adopted" else "rejected"


def hash_token(token: str) -> str:
    """The stored form of an applicant's status token."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, token_hash: str) -> bool:
    """Does the applicant's token belong to the application?"""
    return bool(token) and hash_token(token) == token_hash


def history_entry(status: str, at, note: str | None = None, by: str | None = None) -> dict:
    """One step of an application's history."""
    return {"status": status, "at": at.isoformat(), "note": note, "by": by}


def applicant_view(row: dict) -> dict:
    """What the applicant sees: no voter names, no internal check details."""
    out = dict(row)
    decision = out.get("decision")
    if decision:
        out["decision"] = {k: decision.get(k) for k in ("outcome", "tally", "decided_at")}
    out["history"] = [{k: h.get(k) for k in ("status", "at", "note")} for h in row["history"]]
    return out


def viewer_is_staff(caller: Principal, token: str | None, token_hash: str) -> bool:
    """True for the Koordinierungsstelle, False for the applicant with the right token.

    Raises Unauthorized for anyone else.
    """
    if may(caller, "manage"):
        return True
    if token_matches(token, token_hash):
        return False
    raise Unauthorized(
        "Nur mit dem Status-Token des Antrags oder als Koordinierungsstelle (token required)."
    )


def view_for(row: dict, staff: bool) -> dict:
    """The application as the Koordinierungsstelle or as the applicant sees it."""
    return row if staff else applicant_view(row)
