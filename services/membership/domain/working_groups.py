"""Working groups: who proposes and joins, how a founding is decided, who edits the paper."""

from __future__ import annotations

from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import Conflict, Forbidden, RuleViolation

PROPOSAL_STATUS = {"body": "in_vote", "coordinator": "submitted", "anyone": "submitted"}


def proposal_route(rules: dict) -> str:
    """How a founding proposal is decided: 'body' (ballot), 'coordinator' or 'anyone' (at once)."""
    return rules["working_groups"]["founding"]


def ensure_may_propose(rules: dict, caller) -> None:
    """Raises Forbidden when the network's rules do not let the caller propose a group."""
    who = rules["working_groups"]["proposals_by"]
    if who == "anyone" and may(caller, "participate"):
        return
    if who == "partners" and may(caller, "participate"):
        return
    if who == "coordinator" and may(caller, "manage"):
        return
    raise Forbidden(_who_text("Arbeitsgruppen vorschlagen", who))


def ensure_may_join(rules: dict, caller) -> None:
    """Saalekreis: anyone registered; elsewhere partners (and coordinators). Raises Forbidden."""
    who = rules["working_groups"]["open_to"]
    if who in ("registered", "anyone") and may(caller, "participate"):
        return
    if who == "partners" and (caller.has("partner") or may(caller, "manage")):
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


def ensure_coordinator_decides(rules: dict) -> None:
    """Raises Conflict where a body decides foundings by ballot, not the Koordinierungsstelle."""
    if proposal_route(rules) != "coordinator":
        raise Conflict(
            "In diesem Netzwerk entscheidet darüber ein Gremium per Abstimmung, nicht die Koordinierungsstelle."
        )


def ensure_undecided(proposal: dict) -> None:
    """Raises Conflict when the proposal has been decided already."""
    if proposal["status"] != "submitted":
        raise Conflict(f"Der Vorschlag ist im Status „{proposal['status']}“ und schon entschieden.")


def joining_member(caller: Principal, person: dict, rules: dict) -> dict:
    """Who joins: staff may add anyone named; everyone else joins as themself (if the rules allow).

    Raises Forbidden (rules) or RuleViolation (no name).
    """
    if may(caller, "manage") and person.get("person_id"):
        joining = dict(person)
    else:
        ensure_may_join(rules, caller)
        joining = {
            "person_id": caller.person,
            "name": person.get("name") or caller.person,
            "partner_id": caller.partner_id,
            "role": "member",
        }
    if not joining.get("name"):
        raise RuleViolation("Der Name der Person fehlt.", field="name")
    return joining


def ensure_may_remove(caller: Principal, person_id: str) -> None:
    """Members leave themselves; others are removed by the Koordinierungsstelle. Raises Forbidden."""
    if person_id != caller.person and not may(caller, "manage"):
        raise Forbidden("Andere Mitglieder entfernt nur die Koordinierungsstelle.")


def ensure_may_edit_paper(caller: Principal, members: list[dict]) -> None:
    """The group's leaders or the Koordinierungsstelle edit the paper. Raises Forbidden."""
    leaders = {m["person_id"] for m in members if m["role"] == "leader"}
    if caller.person not in leaders and not may(caller, "manage"):
        raise Forbidden(
            "Das Arbeitspapier ändern die Leitung der Arbeitsgruppe oder die Koordinierungsstelle."
        )


def paper_for(caller: Principal, paper: dict) -> dict:
    """A working-paper version as the caller may see it: who changed it only for the network's own."""
    if may(caller, "internal"):
        return paper
    return {k: v for k, v in paper.items() if k != "changed_by"}
