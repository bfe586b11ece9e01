"""Membership rules as pure functions: who may apply, which bodies exist, what the public sees."""

from __future__ import annotations

import calendar
from datetime import date, datetime

from shared.errors import Conflict, Forbidden, NotFound, RuleViolation

PARTNER_KINDS = (
    "authority",
    "welfare_organisation",
    "migrant_self_organisation",
    "chamber",
    "education",
    "religious_community",
    "sports",
    "company",
    "initiative",
    "other",
)
BODY_ROLES = ("chair", "member", "guest")
PUBLIC_PARTNER_FIELDS = (
    "id",
    "name",
    "kind",
    "street",
    "postcode",
    "city",
    "website",
    "topics",
    "languages",
    "since",
)


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


def body_of(rules: dict, key: str) -> dict:
    """The configured body with this key. Raises NotFound naming the known bodies."""
    for body in rules["bodies"]:
        if body["key"] == key:
            return body
    known = ", ".join(b["key"] for b in rules["bodies"]) or "keine"
    raise NotFound(f"Ein Gremium '{key}' gibt es in diesem Netzwerk nicht (Gremien: {known}).")


def public_view(partner: dict) -> dict:
    """What anonymous callers may see of a partner."""
    return {k: partner.get(k) for k in PUBLIC_PARTNER_FIELDS}


# --- Applications (Beitrittserklärung) ---------------------------------------

APPLICATION_STATES = ("submitted", "returned", "in_vote", "admitted", "rejected", "withdrawn")
WITHDRAWABLE = ("submitted", "returned", "in_vote")


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
    if status != "returned":
        raise Conflict(
            f"Der Antrag ist im Status „{status}“; ändern lässt er sich nur, wenn er zurückgegeben wurde."
        )


def ensure_withdrawable(status: str) -> None:
    if status not in WITHDRAWABLE:
        raise Conflict(
            f"Der Antrag ist im Status „{status}“ und kann nicht mehr zurückgezogen werden."
        )


def admission_result(outcome: str) -> str:
    """A closed admission ballot's outcome as the application's new status."""
    return "admitted" if outcome == "adopted" else "rejected"


# --- Working groups -----------------------------------------------------------


def proposal_route(rules: dict) -> str:
    """How a founding proposal is decided: 'body' (ballot), 'coordinator' or 'anyone' (at once)."""
    return rules["working_groups"]["founding"]


def ensure_may_propose(rules: dict, caller) -> None:
    who = rules["working_groups"]["proposals_by"]
    if who == "anyone" and not caller.anonymous:
        return
    if who == "partners" and caller.has("partner", "member", "coordinator", "admin"):
        return
    if who == "coordinator" and caller.has("coordinator", "admin"):
        return
    raise Forbidden(_who_text("Arbeitsgruppen vorschlagen", who))


def ensure_may_join(rules: dict, caller) -> None:
    """Saalekreis: anyone registered; elsewhere partners (and coordinators)."""
    who = rules["working_groups"]["open_to"]
    if who in ("registered", "anyone") and not caller.anonymous:
        return
    if who == "partners" and caller.has("partner", "coordinator", "admin"):
        return
    raise Forbidden(_who_text("einer Arbeitsgruppe beitreten", who))


def _who_text(action: str, who: str) -> str:
    words = {
        "anyone": "alle Angemeldeten",
        "registered": "alle Angemeldeten",
        "partners": "Netzwerkpartner",
        "coordinator": "die Koordinierungsstelle",
    }
    return f"{action} dürfen in diesem Netzwerk nur {words.get(who, who)}."


# --- Directories --------------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def publication_due(rules: dict, last: datetime | None, now: datetime) -> bool:
    """Is a partner overview due? Only where the network publishes one at an interval."""
    months = rules["directory"].get("publication_months")
    if not months:
        return False
    return last is None or add_months(last, months) <= now


def overview_entries(partners: list[dict], new_since: datetime | None) -> list[dict]:
    """The frozen list: active public partners, those admitted since new_since marked new."""
    entries = []
    for p in sorted(partners, key=lambda p: p["name"].lower()):
        if p["status"] != "active" or not p["public"]:
            continue
        entry = public_view(p)
        entry["id"] = str(entry["id"])
        entry["since"] = entry["since"].isoformat() if entry.get("since") else None
        admitted = p.get("admitted_at")
        entry["new"] = bool(admitted and (new_since is None or admitted > new_since))
        entries.append(entry)
    return entries


def verification_overdue(last_verified: date, months: int, today: date) -> bool:
    """A doctor's entry not verified within `months` is flagged."""
    due = add_months(datetime.combine(last_verified, datetime.min.time()), months).date()
    return due <= today


def ensure_policy_field(rules: dict, policy_field: str) -> None:
    fields_ = rules["policy_fields"]
    if policy_field not in fields_:
        raise RuleViolation(
            f"„{policy_field}“ ist kein Handlungsfeld dieses Netzwerks.", field="policy_field"
        )


def ensure_directory(rules: dict, name: str, label: str) -> None:
    """Raises NotFound when the network does not keep this directory."""
    if not rules["directory"].get(name):
        raise NotFound(f"Dieses Netzwerk führt kein Verzeichnis „{label}“.")


def measures_report(measures: list[dict], policy_fields: list[str]) -> list[dict]:
    """Monitoring summary per policy field: counts by status and mean progress to target."""
    report = []
    for field_ in policy_fields:
        mine = [m for m in measures if m["policy_field"] == field_]
        by_status = {
            s: sum(1 for m in mine if m["status"] == s)
            for s in ("planned", "running", "done", "stopped")
        }
        progress = [progress_of(m) for m in mine]
        progress = [p for p in progress if p is not None]
        report.append(
            {
                "policy_field": field_,
                "measures": len(mine),
                "by_status": by_status,
                "mean_progress": round(sum(progress) / len(progress), 3) if progress else None,
            }
        )
    return report


def progress_of(measure: dict) -> float | None:
    """Share of the way from baseline to target (0..1, capped), None without figures."""
    target, current = measure.get("target"), measure.get("current_value")
    base = measure.get("baseline") or 0
    if target is None or current is None or float(target) == float(base):
        return None
    share = (float(current) - float(base)) / (float(target) - float(base))
    return max(0.0, min(1.0, share))
