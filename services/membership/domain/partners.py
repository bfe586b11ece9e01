"""Partners, bodies and contacts: kinds and roles, what the public sees, who sees internal data."""

from __future__ import annotations

from knotenpunkt.shared.access import may
from knotenpunkt.shared.auth import Principal
from knotenpunkt.shared.errors import NotFound, RuleViolation

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


def public_view(partner: dict) -> dict:
    """What anonymous callers may see of a partner."""
    return {k: partner.get(k) for k in PUBLIC_PARTNER_FIELDS}


def sees_all_partners(caller: Principal) -> bool:
    """The network's own people see every partner and every field; others the public ones."""
    return may(caller, "internal")


def sees_embargoed(caller: Principal, rules: dict) -> bool:
    """Who sees a partner whose admission is not announced yet (Chemnitz, Leitlinie 3: the
    decision is told after the voting period): those who decided it, the members of the
    network's admitting body, and the Koordinierungsstelle; neither the public, nor the
    applicant, nor the members of the network's other bodies."""
    if may(caller, "manage"):
        return True
    deciding = rules["membership"].get("admitting_body")
    return bool(deciding) and may(caller, "body") and deciding in caller.bodies


def embargoed(partner: dict, now) -> bool:
    """Is the partner's admission still under its embargo at `now` (not to be listed)?"""
    until = partner.get("embargoed_until")
    return until is not None and until > now


def list_view(caller: Principal, rules: dict) -> str:
    """Which version of the partner list the caller reads: public (anonymous callers: public
    partners, public fields), internal (the network's people: every partner not under an
    embargo) or everyone (the deciding body and the Koordinierungsstelle)."""
    if sees_embargoed(caller, rules):
        return "everyone"
    return "internal" if sees_all_partners(caller) else "public"


def sees_members(caller: Principal) -> bool:
    """Who sees the members of a body or of a working group: the network's own people."""
    return may(caller, "internal")


def sees_every_contact(caller: Principal) -> bool:
    """The Koordinierungsstelle sees every contact; everyone else the public ones."""
    return may(caller, "manage")


def partner_for(caller: Principal, partner: dict, rules: dict, now) -> dict:
    """A partner as the caller may see it at `now`; raises NotFound for a hidden one (also
    one under an embargo, outside those who see it)."""
    if embargoed(partner, now) and not sees_embargoed(caller, rules):
        raise NotFound(f"Einen Partner {partner['id']} gibt es nicht.")
    if sees_all_partners(caller):
        return partner
    if not partner["public"]:
        raise NotFound(f"Einen Partner {partner['id']} gibt es nicht.")
    return public_view(partner)


def contact_for(caller: Principal, contact: dict) -> dict:
    """A contact as the caller may see it; raises NotFound unless public or the caller is staff."""
    if not contact["public"] and not sees_every_contact(caller):
        raise NotFound(f"Eine Kontaktperson {contact['id']} gibt es nicht.")
    return contact


def check_legal_basis(contact: dict) -> None:
    """A contact held by consent names when it was given. Raises RuleViolation (consent_at)."""
    if contact.get("legal_basis") == "consent" and not contact.get("consent_at"):
        raise RuleViolation(
            "Bei der Rechtsgrundlage Einwilligung ist anzugeben, wann sie erteilt wurde.",
            field="consent_at",
        )


# A contact leaves the network (to the federation's peers) only with a legal basis that covers
# passing it on: consent (given, with its date) or the public task of an authority's staff;
# legitimate interest and contract cover the network's own work with the person only.
CONTACT_SHARING_BASES = ("consent", "public_task")
_BASIS_WORDS = {
    "consent": "Einwilligung",
    "public_task": "öffentliche Aufgabe",
    "legitimate_interest": "berechtigtes Interesse",
    "contract": "Vertrag",
}


def check_sharing(contact: dict) -> None:
    """A contact marked shared has a legal basis that allows passing it on to the partner
    networks. Raises RuleViolation (shared)."""
    basis = contact.get("legal_basis")
    if contact.get("shared") and basis not in CONTACT_SHARING_BASES:
        raise RuleViolation(
            f"Eine Ansprechperson mit der Rechtsgrundlage „{_BASIS_WORDS.get(basis, basis)}“ darf "
            "nicht an Partnernetzwerke weitergegeben werden; geteilt werden nur Ansprechpersonen "
            "mit Einwilligung oder öffentlicher Aufgabe.",
            field="shared",
        )


def sharing_warnings(partner: dict) -> list[str]:
    """What the coordinator should know about a partner's sharing: a partner that is not
    public but shared is seen by every partner network's coordinators."""
    if partner.get("shared") and not partner.get("public"):
        return [
            "Dieser Partner ist nicht öffentlich, wird aber mit den Partnernetzwerken geteilt: "
            "deren Koordinierungsstellen sehen seinen Namen, seine Anschrift, Website, E-Mail, "
            "Themen und Sprachen."
        ]
    return []


ERASED_NAME = "Gelöschte Person"


def person_ids(email: str, memberships: list[dict]) -> list[str]:
    """The ids under which the person of this e-mail address acts: its body memberships' ids and
    the address itself (an id may be an e-mail address)."""
    return sorted({m["person_id"] for m in memberships} | {email, email.lower()})


def erased_applicant(contact: dict, at) -> dict:
    """An application's contact after the person's erasure: a pseudonym, no way to reach them."""
    return {
        "name": ERASED_NAME,
        "email": None,
        "phone": None,
        "role": None,
        "language": contact.get("language", "de"),
        "erased_at": at.isoformat(),
    }
