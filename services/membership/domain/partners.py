"""Partners, bodies and contacts: kinds and roles, what the public sees, who sees internal data."""

from __future__ import annotations

from shared.auth import STAFF, Principal
from shared.errors import NotFound

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
INSIDERS = ("coordinator", "admin", "member", "partner")


def public_view(partner: dict) -> dict:
    """What anonymous callers may see of a partner."""
    return {k: partner.get(k) for k in PUBLIC_PARTNER_FIELDS}


def sees_all_partners(caller: Principal) -> bool:
    """Signed-in members of the network see every partner and every field; others the public ones."""
    return not caller.anonymous and caller.has(*INSIDERS)


def partner_for(caller: Principal, partner: dict) -> dict:
    """A partner as the caller may see it; raises NotFound for a hidden one."""
    if sees_all_partners(caller):
        return partner
    if not partner["public"]:
        raise NotFound(f"Einen Partner {partner['id']} gibt es nicht.")
    return public_view(partner)


def contact_for(caller: Principal, contact: dict) -> dict:
    """A contact as the caller may see it; raises NotFound unless public or the caller is staff."""
    if not contact["public"] and not caller.has(*STAFF):
        raise NotFound(f"Eine Kontaktperson {contact['id']} gibt es nicht.")
    return contact
