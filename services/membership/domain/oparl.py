"""OParl 1.1 (https://schema.oparl.org/1.1/): the network as System and Body, its bodies and
working groups as Organizations, the public members of its bodies as Persons and Memberships,
its legislative terms (the tenant file's, else one open term) as LegislativeTerms.

Pure functions: ids are full URLs below ``<root>`` = ``<base>/oparl/v1/<tenant>``; the lists the
Body names lie on the same host, whichever service serves them (meetings and papers: events).
What leaves is public by construction: a Person only for a body member the handler found
public, with the name alone (never an e-mail address or a phone number). A public member
removed from a body stays as a deleted Membership, and as a deleted Person once no seat is left
(OParl 1.1: deleted objects remain, with id, type, deleted and modified).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from knotenpunkt.shared.oparl import stamp

OPARL = "https://schema.oparl.org/1.1/"
ROLE_NAMES = {"chair": "Vorsitz", "member": "Mitglied", "guest": "Gast"}
# What a filter compares: the object's created or modified moment.
# The Body's lists, by which service serves them (all on one host behind the gateway).
BODY_LISTS = {
    "organization": "organization",
    "person": "person",
    "membership": "membership",
    "meeting": "meeting",
    "paper": "paper",
    "agendaItem": "agendaitem",
    "consultation": "consultation",
    "file": "file",
    "locationList": "location",
    "legislativeTermList": "legislativeterm",
}
OPEN_TERM = {"key": "laufend", "name": "Laufende Arbeitsperiode"}


def opaque(*parts: str) -> str:
    """A stable id that tells nothing (a person id may be an e-mail address)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _clean(obj: dict) -> dict:
    """The object without empty values (OParl leaves unknown fields out; the Body's
    legislativeTerm is required, an empty list where the network has none)."""
    return {k: v for k, v in obj.items() if k == "legislativeTerm" or v not in (None, "", [])}


def system(root: str, tenant: dict, oparl: dict) -> dict:
    """The System of one network: its OParl version, licence and the list of its bodies."""
    cp = tenant["contact_point"]
    return _clean(
        {
            "id": f"{root}/system",
            "type": OPARL + "System",
            "oparlVersion": OPARL,
            "name": f"Knotenpunkt – {tenant['name']}",
            "body": f"{root}/body",
            "license": oparl.get("license"),
            "contactEmail": cp.get("email"),
            "contactName": cp.get("name"),
            "website": cp.get("website"),
        }
    )


def legislative_terms(root: str, tenant_key: str, oparl: dict) -> list[dict]:
    """The network's legislative terms: those of the tenant file (oparl.legislative_terms),
    else one open term without dates."""
    return [
        _clean(
            {
                "id": f"{root}/legislativeterm/{term['key']}",
                "type": OPARL + "LegislativeTerm",
                "body": body_url(root, tenant_key),
                "name": term["name"],
                "startDate": term.get("start_date") and str(term["start_date"]),
                "endDate": term.get("end_date") and str(term["end_date"]),
            }
        )
        for term in (oparl.get("legislative_terms") or [OPEN_TERM])
    ]


def body(root: str, tenant: dict, oparl: dict) -> dict:
    """The Body: the network itself, with the URLs of its lists and its legislative terms."""
    cp = tenant["contact_point"]
    return _clean(
        {
            "id": f"{root}/body/{tenant['key']}",
            "type": OPARL + "Body",
            "system": f"{root}/system",
            "name": tenant["name"],
            "shortName": tenant.get("short_name"),
            "website": cp.get("website"),
            "license": oparl.get("license"),
            "ags": oparl.get("ags"),
            "contactEmail": cp.get("email"),
            "contactName": cp.get("name"),
            "classification": "Integrationsnetzwerk",
            **{name: f"{root}/{path}" for name, path in BODY_LISTS.items()},
            "legislativeTerm": legislative_terms(root, tenant["key"], oparl),
        }
    )


def body_url(root: str, tenant_key: str) -> str:
    return f"{root}/body/{tenant_key}"


def gremium_url(root: str, key: str) -> str:
    return f"{root}/organization/gremium/{key}"


def working_group_url(root: str, group_id) -> str:
    return f"{root}/organization/arbeitsgruppe/{group_id}"


def person_key(person_id: str) -> str:
    return opaque("person", person_id)


def membership_key(body_key: str, person_id: str) -> str:
    return opaque("membership", body_key, person_id)


def gremium(root: str, tenant_key: str, spec: dict, count: int, memberships: list[str]) -> dict:
    """A body (Gremium) of the tenant file as an Organization; its public memberships as URLs."""
    return _clean(
        {
            "id": gremium_url(root, spec["key"]),
            "type": OPARL + "Organization",
            "body": body_url(root, tenant_key),
            "name": spec["name"],
            "organizationType": "Gremium",
            "classification": "Gremium",
            "post": sorted(ROLE_NAMES.values()),
            "membership": memberships,
            "memberCount": count,
            "keyword": list(spec.get("composition") or []),
        }
    )


def working_group(root: str, tenant_key: str, group: dict, count: int) -> dict:
    """A working group as an Organization (its members are not public: only their number)."""
    ended = group["status"] == "closed" or group.get("ends_on") is not None
    return _clean(
        {
            "id": working_group_url(root, group["id"]),
            "type": OPARL + "Organization",
            "body": body_url(root, tenant_key),
            "name": group["name"],
            "organizationType": "Arbeitsgruppe",
            "classification": group.get("topic") or "Arbeitsgruppe",
            "startDate": group["created_at"].date().isoformat(),
            "endDate": group["ends_on"].isoformat() if ended and group.get("ends_on") else None,
            "memberCount": count,
            "created": stamp(group["created_at"]),
            "modified": stamp(group["created_at"]),
        }
    )


def membership(root: str, row: dict, *, embedded: bool = False) -> dict:
    """A public person's seat in a body (role, voting right, since when)."""
    return _clean(
        {
            "id": f"{root}/membership/{membership_key(row['body'], row['person_id'])}",
            "type": OPARL + "Membership",
            "person": None if embedded else f"{root}/person/{person_key(row['person_id'])}",
            "organization": gremium_url(root, row["body"]),
            "role": ROLE_NAMES.get(row["role"], row["role"]),
            "votingRight": row["role"] != "guest",
            "startDate": row["added_at"].date().isoformat(),
            "created": stamp(row["added_at"]),
            "modified": stamp(row["added_at"]),
        }
    )


def person(root: str, tenant_key: str, seats: list[dict], removed: datetime | None = None) -> dict:
    """A public person (name only) with their memberships embedded; seats: their body member
    rows; removed: when they last lost a seat (their list of memberships changed then)."""
    first = seats[0]
    modified = max(max(s["added_at"], s.get("contact_updated_at") or s["added_at"]) for s in seats)
    modified = max(modified, removed or modified)
    return _clean(
        {
            "id": f"{root}/person/{person_key(first['person_id'])}",
            "type": OPARL + "Person",
            "body": body_url(root, tenant_key),
            "name": first["name"],
            "membership": [membership(root, s, embedded=True) for s in seats],
            "created": stamp(min(s["added_at"] for s in seats)),
            "modified": stamp(modified),
        }
    )


def tombstone(root: str, kind: str, key: str, removed: datetime) -> dict:
    """A deleted Membership or Person: only its id, type, that it is deleted, and when (the
    registry keeps when it was created)."""
    return {
        "id": f"{root}/{kind}/{key}",
        "type": OPARL + kind.title(),
        "deleted": True,
        "modified": stamp(removed),
    }


def tombstones(root: str, kind: str, removals: list[dict], live: set[str]) -> list[dict]:
    """The deleted Memberships or Persons (kind) of the removals whose object is not there
    any more (live: the ids there are), each with its latest removal, oldest first."""
    field = "membership_key" if kind == "membership" else "person_key"
    latest: dict[str, datetime] = {}
    for r in removals:
        latest[r[field]] = max(latest.get(r[field], r["removed_at"]), r["removed_at"])
    gone = [tombstone(root, kind, key, at) for key, at in latest.items()]
    return sorted((t for t in gone if t["id"] not in live), key=lambda t: (t["modified"], t["id"]))
