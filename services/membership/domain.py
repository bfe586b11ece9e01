"""Membership rules as pure functions: who may apply, which bodies exist, what the public sees."""

from __future__ import annotations

from shared.errors import Conflict, NotFound

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
