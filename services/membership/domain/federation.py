"""Federation between networks of different deployments: what a network shares with its peers,
what it accepts from them, when a peer is due, and how one organisation listed by several
networks is recognised (website or e-mail domain, or normalised name plus postcode).

Pure functions; the HTTP and the SQL live in shared.federation and the store.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from knotenpunkt.services.membership.domain.directories import SHARED_CONTACT_FIELDS
from knotenpunkt.services.membership.domain.partners import PUBLIC_PARTNER_FIELDS
from knotenpunkt.shared.errors import RuleViolation

KINDS = ("partner", "contact")
# A contact leaves the network only with a legal basis that covers sharing: consent (given,
# with its date) or the public task of an authority's staff.
CONTACT_SHARING_BASES = ("consent", "public_task")
# What a peer gets: the directory fields of the shared directory of one deployment (a
# partner's public fields and its e-mail, a contact's fields and its partner), never notes,
# flags, status or a person's address.
PARTNER_FIELDS = tuple(f for f in PUBLIC_PARTNER_FIELDS if f != "id") + ("email",)
CONTACT_FIELDS = tuple(f for f in SHARED_CONTACT_FIELDS if f != "id") + ("partner_id",)
TOMBSTONE_REASONS = ("unshared", "left", "erased")
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


def peer_url(url: str, field: str, *, allow_internal: bool) -> str:
    """A peer's URL as stored (no trailing slash); raises RuleViolation (field) for another
    scheme than https (http only where internal peers are allowed), credentials, a query,
    or — unless allowed — a loopback, private or link-local address."""
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
    if not allow_internal and _internal_host(host):
        raise RuleViolation(
            "Die URL zeigt auf eine interne Adresse; erlaubt sind nur öffentliche Instanzen "
            "(FEDERATION_ALLOW_INTERNAL für Tests und Instanzen auf einem Rechner).",
            field=field,
        )
    return url.strip().rstrip("/")


def _internal_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        addr = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name: resolved and checked at every call (shared.net)
    return not addr.is_global


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


# --- One organisation in several networks -------------------------------------------------

# Mail and web addresses many unrelated organisations share: never a sign of the same one.
GENERIC_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "web.de",
        "gmx.de",
        "gmx.net",
        "gmx.com",
        "t-online.de",
        "outlook.com",
        "outlook.de",
        "hotmail.com",
        "hotmail.de",
        "live.com",
        "live.de",
        "yahoo.com",
        "yahoo.de",
        "icloud.com",
        "me.com",
        "aol.com",
        "freenet.de",
        "arcor.de",
        "posteo.de",
        "mailbox.org",
        "online.de",
        "email.de",
        "mail.de",
        "vodafone.de",
        "protonmail.com",
        "proton.me",
        "facebook.com",
        "instagram.com",
        "linkedin.com",
        "xing.com",
        "youtube.com",
        "twitter.com",
        "x.com",
        "linktr.ee",
        "sites.google.com",
        "t.me",
    }
)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_LEGAL_FORM = re.compile(r"\b(e\.\s*v\.?|g?gmbh|mbh|kdoer|ug|eg|gbr|e\.\s*k\.)(?=\W|$)")
_STOP_WORDS = frozenset(
    {"der", "die", "das", "des", "dem", "den", "fuer", "und", "im", "in", "am", "an", "zu", "zum"}
    | {"zur", "von", "vom", "e", "v", "ev", "the", "of", "and"}
)


def normal_name(name: str | None) -> str:
    """A name as two networks might both write it: lower case, umlauts spelt out, no accents,
    punctuation, legal form or filler words ("Caritasverband Chemnitz e.V." and "Caritas-
    verband für Chemnitz" give the same)."""
    if not name:
        return ""
    text = name.lower().translate(_UMLAUTS)
    text = _LEGAL_FORM.sub(" ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("&", " und ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(w for w in words if w not in _STOP_WORDS)


def website_domain(url: str | None) -> str | None:
    """The host of a website without www. (None for generic hosts and non-addresses)."""
    if not url or not isinstance(url, str):
        return None
    text = url.strip().lower()
    if "://" not in text:
        text = "http://" + text
    try:
        host = (urlsplit(text).hostname or "").rstrip(".")
    except ValueError:
        return None
    host = host.removeprefix("www.")
    if "." not in host or host in GENERIC_DOMAINS:
        return None
    return host


def email_domain(email: str | None) -> str | None:
    """The domain of an organisation's e-mail address (None for free-mail providers)."""
    if not email or not isinstance(email, str) or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    if "." not in domain or domain in GENERIC_DOMAINS:
        return None
    return domain


def postcode_of(value) -> str | None:
    text = str(value or "").strip()
    return text if re.fullmatch(r"\d{5}", text) else None


def match_keys(entry: dict) -> list[tuple[str, str]]:
    """(kind of key, key) by which an entry is recognised in another network.

    Partners: their website's and e-mail's domain ("domain"), their normalised name with
    the postcode ("name"). Contacts (persons): their e-mail address only.
    """
    if entry["type"] == "contact":
        email = (entry.get("email") or "").strip().lower()
        return [("email", email)] if "@" in email else []
    keys = []
    for domain in (website_domain(entry.get("website")), email_domain(entry.get("email"))):
        if domain and ("domain", domain) not in keys:
            keys.append(("domain", domain))
    name, postcode = normal_name(entry.get("name")), postcode_of(entry.get("postcode"))
    if name and postcode:
        keys.append(("name", f"{name}|{postcode}"))
    return keys


def _identity(entry: dict) -> tuple[str, str, str]:
    return (str(entry["source"]), entry["type"], str(entry["id"]))


def linked(a: dict, b: dict, key_kind: str) -> bool:
    """Whether two entries sharing a key of this kind are the same organisation: entries of
    one network never are (it lists each once); a shared domain counts unless both give
    different postcodes (the Jobcenters of two districts share jobcenter-ge.de)."""
    if a["type"] != b["type"] or a["source"] == b["source"]:
        return False
    if key_kind == "domain":
        pa, pb = postcode_of(a.get("postcode")), postcode_of(b.get("postcode"))
        return pa is None or pb is None or pa == pb
    return True


def group_entries(entries: Iterable[dict]) -> list[dict]:
    """The entries of several networks, one group per organisation (or person).

    Each entry has type (partner or contact), source ("own" or the peer's id), network,
    id, name and the
    directory fields. Two entries are the same when :func:`linked` by a shared
    :func:`match_keys` key; groups are the connected sets (so the result does not depend on
    the order). A group: its name (the own network's entry's, else the first's), the
    networks, the keys that joined it (matched_by) and its entries.
    """
    items = sorted(entries, key=_identity)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[tuple[str, str], list[int]] = {}
    for i, entry in enumerate(items):
        for key in match_keys(entry):
            buckets.setdefault(key, []).append(i)
    joined_by: dict[int, set[str]] = {}
    for (key_kind, key), members in buckets.items():
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                if linked(items[i], items[j], key_kind):
                    for k in (i, j):
                        joined_by.setdefault(k, set()).add(f"{key_kind}:{key}")
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        ordered = sorted(
            (items[i] for i in members),
            key=lambda e: (
                e["source"] != "own",
                str(e["network"]),
                e["name"].lower(),
                str(e["id"]),
            ),
        )
        networks = []
        for e in ordered:
            if e["network"] not in networks:
                networks.append(e["network"])
        out.append(
            {
                "name": ordered[0]["name"],
                "type": ordered[0]["type"],
                "networks": networks,
                "matched_by": sorted(set().union(*(joined_by.get(i, set()) for i in members))),
                "entries": ordered,
            }
        )
    out.sort(key=lambda g: (g["name"].lower(), g["type"], _identity(g["entries"][0])))
    return out


def wanted_sources(networks: str, own_key: str, peers: list[dict]) -> tuple[bool, list[str]]:
    """(own network included, ids of the peers included) for networks = all, own or a
    comma-separated list of network keys; raises RuleViolation (networks) for an unknown key."""
    active = [p for p in peers if p["status"] == "active"]
    if networks == "all":
        return True, [str(p["id"]) for p in active]
    keys = {k.strip() for k in networks.split(",") if k.strip()}
    if "own" in keys:
        keys = (keys - {"own"}) | {own_key}
    known = {own_key} | {p["remote_tenant"] for p in active}
    unknown = sorted(keys - known)
    if unknown or not keys:
        raise RuleViolation(
            f"Unbekannte Netzwerke: {', '.join(unknown) or '(keins)'}; bekannt sind "
            f"{', '.join(sorted(known))} (oder all).",
            field="networks",
        )
    return own_key in keys, [str(p["id"]) for p in active if p["remote_tenant"] in keys]
