"""Federation between networks of different deployments: what a network shares with its peers
(entries, tombstones, pages and their tokens, ETags), which peers it accepts, when a peer is
due, and what it accepts from them. The search across networks is ``directory_search``.

Pure functions; the HTTP and the SQL live in shared.federation and the store.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from knotenpunkt.services.membership.domain.directories import SHARED_CONTACT_FIELDS
from knotenpunkt.services.membership.domain.partners import CONTACT_SHARING_BASES as _SHARING_BASES
from knotenpunkt.services.membership.domain.partners import PUBLIC_PARTNER_FIELDS
from knotenpunkt.shared.errors import RuleViolation
from knotenpunkt.shared.net import PEER_NOT_CHECKED, internal_host

KINDS = ("partner", "contact")
# A contact leaves the network only with a legal basis that covers sharing (domain.partners).
CONTACT_SHARING_BASES = _SHARING_BASES
# What a peer gets: the directory fields of the shared directory of one deployment (a
# partner's public fields and its e-mail, a contact's fields and its partner), never notes,
# flags, status or a person's address.
PARTNER_FIELDS = tuple(f for f in PUBLIC_PARTNER_FIELDS if f != "id") + ("email",)
CONTACT_FIELDS = tuple(f for f in SHARED_CONTACT_FIELDS if f != "id") + ("partner_id",)
# An incremental sync asks again for what changed shortly before the newest change it saw:
# a change committed late (its transaction began earlier) is not missed; upserts make the
# overlap harmless.
SYNC_OVERLAP = timedelta(minutes=5)
FULL_LISTING_EVERY = timedelta(days=1)
# A tombstone matters only to a peer that asks for changes, which it does only within
# FULL_LISTING_EVERY of its last complete listing (older ones it learns from the next complete
# listing): kept that long and a day more (clocks, a slow or late sync), then purged daily.
TOMBSTONE_MARGIN = timedelta(days=1)
MAX_PAGES = 1000
DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 500
PEER_STATUSES = ("active", "disabled")

# Caps on what a peer may send (its entries are shown here, so they are checked like input).
_TEXT_LIMITS = {
    "name": 200,
    "kind": 50,
    "street": 200,
    "postcode": 10,
    "city": 100,
    "website": 500,
    "email": 254,
    "since": 10,
    "role": 200,
    "phone": 50,
    "partner_id": 100,
}
_LIST_LIMITS = {"topics": (50, 100), "languages": (50, 35), "responsibilities": (50, 200)}
_REMOTE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_WEB = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_MAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


# --- What this network shares --------------------------------------------------------


def partner_federated(partner: dict | None) -> bool:
    """A partner other deployments see: marked shared, active, its admission announced."""
    return bool(
        partner
        and partner.get("shared")
        and partner.get("status") == "active"
        and not partner.get("embargoed_until")
    )


def contact_federated(contact: dict | None) -> bool:
    """A contact other deployments see: marked shared, with consent (and its date) or a legal
    basis that allows passing it on."""
    if not contact or not contact.get("shared"):
        return False
    basis = contact.get("legal_basis")
    if basis not in CONTACT_SHARING_BASES:
        return False
    return basis != "consent" or bool(contact.get("consent_at"))


def federated(kind: str, row: dict | None) -> bool:
    return partner_federated(row) if kind == "partner" else contact_federated(row)


def departure(kind: str, before: dict | None, after: dict | None) -> str | None:
    """The tombstone reason when a change takes an entry out of the shared directory
    (erased, left the network, unshared), else None."""
    if not federated(kind, before) or federated(kind, after):
        return None
    if after is None:
        return "erased"
    if kind == "partner" and after.get("status") == "left":
        return "left"
    return "unshared"


def _text(value):
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def directory_item(kind: str, row: dict, shared_partner_ids: set[str] | None = None) -> dict:
    """An entry as peers get it: its type, id, change time and the directory fields only.
    A contact names its partner only when that partner is shared too."""
    names = PARTNER_FIELDS if kind == "partner" else CONTACT_FIELDS
    data = {k: _text(row.get(k)) for k in names}
    if kind == "contact" and data.get("partner_id") not in (shared_partner_ids or set()):
        data["partner_id"] = None
    return {
        "type": kind,
        "id": str(row["id"]),
        "modified_at": _text(row["updated_at"]),
        "data": data,
    }


def tombstone_item(row: dict) -> dict:
    return {
        "type": row["kind"],
        "id": str(row["entry_id"]),
        "removed_at": _text(row["removed_at"]),
        "reason": row["reason"],
    }


def page_token(changed_at: datetime, kind: str, entry_id) -> str:
    """The position after an entry of the change stream (opaque to peers)."""
    raw = json.dumps([changed_at.isoformat(), kind, str(entry_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_page_token(token: str | None) -> tuple[datetime, str, str] | None:
    """(changed_at, kind, id) of a page token; raises RuleViolation (page_token) when broken."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        at, kind, entry_id = json.loads(raw)
        moment = datetime.fromisoformat(at)
        uuid.UUID(entry_id)
        if kind not in KINDS or moment.tzinfo is None:
            raise ValueError(kind)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise RuleViolation("Das Seiten-Token ist ungültig.", field="page_token") from exc
    return moment, kind, entry_id


def directory_body(
    network: dict,
    changes: list[dict],
    *,
    modified_since: datetime | None,
    page_size: int,
    total: int,
    latest: datetime | None,
    next_token: str | None,
) -> dict:
    """One page of the shared directory: entries and tombstones in the order of their changes.

    Without modified_since the page lists what is shared now (no tombstones): a peer that
    reads every page knows the whole directory and drops what it no longer finds.
    """
    return {
        "network": network,
        "modified_since": modified_since.isoformat() if modified_since else None,
        "complete_listing": modified_since is None,
        "total": total,
        "latest": latest.isoformat() if latest else None,
        "page_size": page_size,
        "items": [c for c in changes if "removed_at" not in c],
        "tombstones": [c for c in changes if "removed_at" in c],
        "next_page_token": next_token,
    }


def etag_of(body: dict) -> str:
    """A strong ETag of a page (its content, which includes the whole result's count and
    newest change: any change anywhere in the result changes every page's ETag)."""
    digest = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()
    return f'"{digest[:40]}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (or *); weak comparison (RFC 9110)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


# --- Peers ----------------------------------------------------------------------------

ERASURE_CONFIRMED = "an Partnernetzwerke weitergegeben"
ERASURE_PENDING = "noch nicht bestätigt"


def erasure_peer(row: dict) -> dict:
    """A peer in an erasure request's answer: confirmed once its sync fetched past the erasure."""
    confirmed = row.get("confirmed_at")
    return {
        "peer_id": str(row["id"]),
        "name": row["name"],
        "network": row["remote_tenant"],
        "peer_status": row["status"],
        "confirmed": confirmed is not None,
        "confirmed_at": _text(confirmed),
        "state": ERASURE_CONFIRMED if confirmed is not None else ERASURE_PENDING,
    }


def peer_url(url: str, field: str, *, allow_internal: bool) -> str:
    """A peer's URL as stored (no trailing slash); raises RuleViolation (field) for another
    scheme than https (http only where internal peers are allowed), credentials, a query,
    or — unless allowed — a loopback, private or link-local address (shared.net's rule, the
    webhooks' too; a name is resolved and checked when the peer is checked)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # noqa: F841 (a bad port raises here)
    except ValueError as exc:
        raise RuleViolation("Die URL ist ungültig.", field=field) from exc
    schemes = ("https", "http") if allow_internal else ("https",)
    if parts.scheme not in schemes:
        raise RuleViolation("Andere Instanzen werden nur über https angesprochen.", field=field)
    if parts.username or parts.password or parts.query or parts.fragment:
        raise RuleViolation(
            "Die URL darf weder Zugangsdaten noch Query oder Fragment enthalten.", field=field
        )
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise RuleViolation("Die URL nennt keinen Host.", field=field)
    if not allow_internal and internal_host(host):
        # the same words as any peer that cannot be checked (no oracle of internal addresses)
        raise RuleViolation(PEER_NOT_CHECKED, field=field)
    return url.strip().rstrip("/")


def default_jwks_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/.well-known/jwks.json"


def peer_values(data: dict, *, allow_internal: bool) -> dict:
    """The columns of a peer registration or change: URLs checked, issuer and key set by
    default derived from base_url (on registration)."""
    out = dict(data)
    if "base_url" in out:
        out["base_url"] = peer_url(out["base_url"], "base_url", allow_internal=allow_internal)
    for name in ("jwks_url", "issuer"):
        if out.get(name):
            out[name] = peer_url(out[name], name, allow_internal=allow_internal)
    return out


def sync_due(peer: dict, now: datetime, every_seconds: float) -> bool:
    """Is an active peer due for its scheduled pull? (unreachable ones are tried as often)"""
    if peer["status"] != "active":
        return False
    last = peer.get("last_attempt_at")
    return last is None or last + timedelta(seconds=every_seconds) <= now


def peer_stale(unreachable_since: datetime | None, now: datetime, hours: float) -> bool:
    """Has a peer been unreachable for longer than FEDERATION_STALE_HOURS?"""
    return unreachable_since is not None and now - unreachable_since > timedelta(hours=hours)


def request_since(
    cursor: datetime | None, last_full: datetime | None = None, now: datetime | None = None
) -> datetime | None:
    """What to ask the peer for: everything (None) the first time and once a day (a complete
    listing, after which whatever the peer no longer lists is dropped), else what changed
    since shortly before the newest change seen."""
    if cursor is None:
        return None
    if now is not None and (last_full is None or last_full + FULL_LISTING_EVERY <= now):
        return None
    return cursor - SYNC_OVERLAP


def tombstones_expire_before(now: datetime) -> datetime:
    """Tombstones removed before this moment no peer can still need (see TOMBSTONE_MARGIN)."""
    return now - FULL_LISTING_EVERY - TOMBSTONE_MARGIN


# --- What this network accepts from a peer -------------------------------------------------


def _clean_text(value, limit: int):
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("text")
    value = value.strip()
    if len(value) > limit or any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("text")
    return value or None


def _moment(value) -> datetime:
    if not isinstance(value, str):
        raise ValueError("moment")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("moment")
    return moment


def foreign_entry(raw) -> dict | None:
    """A peer's entry as stored here (only the known directory fields, checked like input),
    or None when it is malformed."""
    try:
        kind, remote_id = raw["type"], raw["id"]
        if kind not in KINDS or not isinstance(remote_id, str) or not _REMOTE_ID.match(remote_id):
            return None
        given = raw.get("data")
        if not isinstance(given, dict):
            return None
        data = {}
        for name in PARTNER_FIELDS if kind == "partner" else CONTACT_FIELDS:
            if name in _LIST_LIMITS:
                items, length = _LIST_LIMITS[name]
                value = given.get(name) or []
                if not isinstance(value, list) or len(value) > items:
                    return None
                data[name] = [_clean_text(v, length) for v in value if v is not None]
            else:
                data[name] = _clean_text(given.get(name), _TEXT_LIMITS[name])
        if not data["name"]:
            return None
        # shown and linked here: only web addresses and mail addresses that are what they say
        if data.get("website") and not _WEB.match(data["website"]):
            data["website"] = None
        if data.get("email") and not _MAIL.match(data["email"]):
            data["email"] = None
        modified = raw.get("modified_at")
        return {
            "kind": kind,
            "remote_id": remote_id,
            "name": data["name"],
            "data": data,
            "modified_at": _moment(modified) if modified else None,
        }
    except (KeyError, TypeError, ValueError):
        return None


def foreign_tombstone(raw) -> dict | None:
    """A peer's tombstone (type, id, removed_at), or None when it is malformed."""
    try:
        kind, remote_id = raw["type"], raw["id"]
        if kind not in KINDS or not isinstance(remote_id, str) or not _REMOTE_ID.match(remote_id):
            return None
        return {"kind": kind, "remote_id": remote_id, "removed_at": _moment(raw["removed_at"])}
    except (KeyError, TypeError, ValueError):
        return None


def read_page(body: dict) -> dict:
    """A peer's page as the sync applies it: entries, tombstones, next token, newest change,
    how many items were refused as malformed. Raises ValueError when the page is no
    directory at all."""
    items, tombstones = body.get("items"), body.get("tombstones") or []
    if not isinstance(items, list) or not isinstance(tombstones, list):
        raise ValueError("no directory page")
    entries = [foreign_entry(i) for i in items]
    stones = [foreign_tombstone(t) for t in tombstones]
    token = body.get("next_page_token")
    if token is not None and (not isinstance(token, str) or len(token) > 500):
        raise ValueError("page token")
    latest = body.get("latest")
    times = [e["modified_at"] for e in entries if e and e["modified_at"]]
    times += [t["removed_at"] for t in stones if t]
    if latest:
        times.append(_moment(latest))
    return {
        "entries": [e for e in entries if e],
        "tombstones": [t for t in stones if t],
        "refused": sum(1 for e in entries if e is None) + sum(1 for t in stones if t is None),
        "next_page_token": token,
        "latest": max(times) if times else None,
        "complete_listing": body.get("complete_listing") is True,
    }


def newer(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)
