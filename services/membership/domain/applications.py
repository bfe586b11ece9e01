"""Applications (Beitrittserklärung): who may apply, the check, corrections, withdrawal, the result."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from html import escape

from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import Conflict, RuleViolation, Unauthorized

APPLICATION_STATES = (
    "unconfirmed",
    "submitted",
    "returned",
    "in_vote",
    "admitted",
    "rejected",
    "withdrawn",
)
WITHDRAWABLE = ("submitted", "returned", "in_vote")
DECIDED = ("admitted", "rejected")
ADMISSION_ORIGIN = "application.checked"  # voting's origin of a ballot opened from the check


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


def first_status(rules: dict) -> str:
    """An anonymous application's first status: unconfirmed where the network confirms the
    applicant's address first (membership.confirm_applicant_email), else submitted."""
    return "unconfirmed" if rules["membership"].get("confirm_applicant_email") else "submitted"


def unconfirmed_before(rules: dict, now: datetime) -> datetime:
    """Unconfirmed applications created before this moment are deleted (unconfirmed_days)."""
    return now - timedelta(days=rules["membership"].get("unconfirmed_days") or 7)


def ensure_confirmable(rules: dict, row: dict, now: datetime) -> bool:
    """True when the application waits for its confirmation, False when it is confirmed
    already (a second confirmation changes nothing). Raises Conflict when the link has
    expired (older than unconfirmed_days, not yet deleted)."""
    if row["status"] != "unconfirmed":
        return False
    if row["created_at"] < unconfirmed_before(rules, now):
        raise Conflict(
            "Der Bestätigungslink ist abgelaufen; bitte reichen Sie die Beitrittserklärung erneut ein."
        )
    return True


def confirmation_page(tenant_name: str, title: str, detail: str, action: str | None) -> str:
    """The confirmation link's HTML page (escaped, no script or style: the strict CSP holds);
    with `action`, a form that POSTs the confirmation there."""
    form = ""
    if action:
        form = (
            f'<form method="post" action="{escape(action)}">\n'
            '<button type="submit">Ja, Adresse bestätigen</button>\n</form>\n'
            "<p>Wenn Sie nichts tun, wird der Antrag nach einigen Tagen gelöscht.</p>\n"
        )
    return (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{escape(title)} – {escape(tenant_name)}</title>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(title)}</h1>\n<p>{escape(detail)}</p>\n{form}"
        f"<p>{escape(tenant_name)}</p>\n</main>\n</body>\n</html>\n"
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


VOTE_RUNNING = (
    "Der Antrag liegt dem Gremium zur Abstimmung vor; während der Abstimmungsfrist lässt er"
    " sich nicht zurückziehen. Das Ergebnis erfahren Sie nach Ablauf der Frist."
)


def tells_after_deadline(rules: dict) -> bool:
    """Does the network tell the outcome only after the voting period (Chemnitz, Leitlinie 3)?"""
    return rules["membership"].get("inform_applicant") == "after_deadline"


def ensure_withdrawable(status: str, *, shown: str | None = None, embargo: bool = False) -> None:
    """Raises Conflict once the application has been decided or withdrawn.

    `shown` is the status the applicant sees: a decision not yet announced is not named.
    `embargo`: the network tells the outcome only after the voting period; while the
    applicant sees the vote running, a withdrawal is refused with one sentence whether the
    ballot still runs or closed early, so the answer does not tell that the vote has ended
    (issue 27 point 1). The Koordinierungsstelle (shown None) withdraws a running one.
    """
    if embargo and shown == "in_vote":
        raise Conflict(VOTE_RUNNING)
    if status in WITHDRAWABLE:
        return
    if status in DECIDED and shown == "in_vote":
        raise Conflict(VOTE_RUNNING)
    raise Conflict(f"Der Antrag ist im Status „{status}“ und kann nicht mehr zurückgezogen werden.")


def admission_result(outcome: str) -> str:
    """A closed admission ballot's outcome as the application's new status."""
    return "admitted" if outcome == "adopted" else "rejected"


def foreign_ballot(application: dict, rules: dict, ballot: dict) -> str | None:
    """Why a closed ballot is not the application's own (None when it is).

    Only the ballot that voting opened from this application's check, in the
    network's admitting body, decides: not one of another body, not one opened
    by hand, not one opened from an earlier check, not a second one.
    `ballot` holds ballot.closed's ballot_id, body, opened_by and origin.
    """
    admitting = rules["membership"].get("admitting_body")
    if ballot.get("body") != admitting:
        return f"die Abstimmung lief im Gremium „{ballot.get('body')}“, nicht in „{admitting}“"
    if ballot.get("origin") != ADMISSION_ORIGIN:
        return "die Abstimmung wurde von Hand eröffnet, nicht aus der Prüfung des Antrags"
    checked = application.get("checked_event")
    if checked and ballot.get("opened_by") != f"event:{checked}":
        return "die Abstimmung wurde aus einer anderen Prüfung eröffnet"
    known = application.get("ballot_id")
    if known and str(known) != str(ballot.get("ballot_id")):
        return f"über den Antrag entscheidet die Abstimmung {known}"
    return None


def announce_at(rules: dict, deadline: str | datetime | None, now: datetime) -> datetime:
    """When the outcome may be told: after the voting period where the network says so
    (Chemnitz, Leitlinie 3: "Nach Ablauf der Frist …"), even when the ballot closed early."""
    if rules["membership"].get("inform_applicant") != "after_deadline" or not deadline:
        return now
    end = datetime.fromisoformat(deadline) if isinstance(deadline, str) else deadline
    return max(end, now)


def informed_after(rules: dict, row: dict) -> datetime | None:
    """The moment after which the applicant is told the outcome, while they see the
    vote running, where the network tells it after the voting period (Chemnitz): the ballot's
    deadline once decided, else the check's day plus membership.decision_days; else None."""
    if not tells_after_deadline(rules) or shown_status(row) != "in_vote":
        return None
    deadline = (row.get("decision") or {}).get("deadline")
    if deadline:
        end = datetime.fromisoformat(deadline) if isinstance(deadline, str) else deadline
    elif row.get("checked_at"):
        checked = row["checked_at"]
        checked = datetime.fromisoformat(checked) if isinstance(checked, str) else checked
        end = checked + timedelta(days=rules["membership"]["decision_days"])
    else:
        return None
    return end


def disclosed(row: dict) -> bool:
    """Has the outcome been told? (Undecided applications have nothing to hide.)"""
    return row["status"] not in DECIDED or row.get("announced_at") is not None


def shown_status(row: dict) -> str:
    """The status the applicant may see: a decision not yet announced is still the vote."""
    return row["status"] if disclosed(row) else "in_vote"


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
    """What the applicant sees: no voter names, no internal check details, and no outcome
    before it is announced (the vote is shown as running)."""
    out = dict(row)
    history = row["history"]
    if not disclosed(row):
        out.update(status="in_vote", decision=None, partner_id=None)
        out["updated_at"] = row.get("checked_at") or row.get("updated_at")
        history = [h for h in history if h.get("status") not in DECIDED]
    decision = out.get("decision")
    if decision:
        out["decision"] = {k: decision.get(k) for k in ("outcome", "tally", "decided_at")}
    out["history"] = [{k: h.get(k) for k in ("status", "at", "note")} for h in history]
    return out


def viewer_is_staff(
    caller: Principal, token: str | None, token_hash: str, *, linked: bool = False
) -> bool:
    """True for the Koordinierungsstelle, False for the applicant with the right token
    (`linked`: the token is the receipt mail's signed status link).

    Raises Unauthorized for anyone else.
    """
    if may(caller, "manage"):
        return True
    if linked or token_matches(token, token_hash):
        return False
    raise Unauthorized(
        "Nur mit dem Status-Token des Antrags oder als Koordinierungsstelle (token required)."
    )


def view_for(row: dict, staff: bool) -> dict:
    """The application as the Koordinierungsstelle or as the applicant sees it."""
    return row if staff else applicant_view(row)
