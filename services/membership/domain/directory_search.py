"""The search across networks: which sources a search looks at, and how one organisation
listed by several networks is recognised (website or e-mail domain, or normalised name plus
postcode) so that it is shown once.

Pure functions; the entries come from the store (own and foreign ones).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from knotenpunkt.shared.errors import RuleViolation

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
