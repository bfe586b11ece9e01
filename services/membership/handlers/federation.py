"""Use cases of federation between deployments: peers, the shared directory other instances
pull, the sync that pulls theirs, tombstones, and the search across networks.

Events: ``membership.federation.synced`` (a sync changed entries, was the first, or the
peer is back) and ``membership.federation.peer_unreachable`` (a peer that answered before
does not any more). The HTTP client is the dependency ``federation``
(:class:`knotenpunkt.shared.federation.FederationClient`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from knotenpunkt.services.membership.domain import federation as domain
from knotenpunkt.services.membership.handlers.common import emit, plain
from knotenpunkt.services.membership.store import federation as store
from knotenpunkt.shared.auth import PeerTrust
from knotenpunkt.shared.errors import Conflict, NotFound, RuleViolation
from knotenpunkt.shared.federation import FederationKeyMissing, PeerUnreachable, normal_url
from knotenpunkt.shared.usecase import Context

SEARCH_LIMIT = 1000  # entries per source a search looks at (groups are paged after merging)
PEER_FIELDS = (
    "id",
    "name",
    "base_url",
    "issuer",
    "jwks_url",
    "status",
    "last_sync_at",
    "last_attempt_at",
    "last_error",
    "unreachable_since",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class RegisterPeer:
    name: str
    base_url: str
    tenant: str
    jwks_url: str | None = None
    issuer: str | None = None
    status: str = "active"


@dataclass(frozen=True)
class UpdatePeer:
    peer_id: UUID
    changes: dict


@dataclass(frozen=True)
class RemovePeer:
    peer_id: UUID


@dataclass(frozen=True)
class SyncPeer:
    peer_id: UUID


@dataclass(frozen=True)
class PurgeTombstones:
    pass


# --- Peers ------------------------------------------------------------------------------


def _peer_view(row: dict, entries: int | None = None) -> dict:
    out = {k: row.get(k) for k in PEER_FIELDS}
    out["tenant"] = row["remote_tenant"]
    out["entries"] = row.get("entries", 0) if entries is None else entries
    return out


def list_peers(conn, ctx: Context) -> list[dict]:
    """The registered peers with their sync state and the number of entries held."""
    return [_peer_view(p) for p in store.list_peers(conn)]


def get_peer(conn, ctx: Context, *, peer_id) -> dict:
    """One peer; raises NotFound."""
    return _peer_view(store.get_peer(conn, peer_id), store.count_entries(conn, peer_id))


def _not_self(ctx: Context, values: dict) -> None:
    if normal_url(values["issuer"]) == normal_url(ctx.settings.federation_url) and (
        values["remote_tenant"] == ctx.tenant.key
    ):
        raise RuleViolation(
            "Ein Netzwerk kann sich nicht selbst als Partner-Knoten registrieren.",
            field="tenant",
        )


def register_peer(cmd: RegisterPeer, conn, ctx: Context) -> dict:
    """Register another instance's network as a peer: its tokens are trusted (checked against
    its key set) and its shared directory is pulled. Raises RuleViolation (URLs), Conflict."""
    values = domain.peer_values(
        {"base_url": cmd.base_url, "jwks_url": cmd.jwks_url, "issuer": cmd.issuer},
        allow_internal=ctx.settings.federation_allow_internal,
    )
    values = {
        "name": cmd.name,
        "base_url": values["base_url"],
        "remote_tenant": cmd.tenant,
        "issuer": values.get("issuer") or values["base_url"],
        "jwks_url": values.get("jwks_url") or domain.default_jwks_url(values["base_url"]),
        "status": cmd.status,
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }
    _not_self(ctx, values)
    return _peer_view(store.insert_peer(conn, ctx.tenant.key, values), 0)


def update_peer(cmd: UpdatePeer, conn, ctx: Context) -> dict:
    """Change a peer (name, URLs, network, status). Another issuer or network starts over
    with a complete listing. Raises NotFound, RuleViolation, Conflict."""
    current = store.get_peer(conn, cmd.peer_id, lock="update")
    if not cmd.changes:
        return get_peer(conn, ctx, peer_id=cmd.peer_id)
    changes = dict(cmd.changes)
    if "tenant" in changes:
        changes["remote_tenant"] = changes.pop("tenant")
    changes = domain.peer_values(changes, allow_internal=ctx.settings.federation_allow_internal)
    merged = {**current, **changes}
    _not_self(ctx, merged)
    if (merged["issuer"], merged["remote_tenant"]) != (
        current["issuer"],
        current["remote_tenant"],
    ) or merged["base_url"] != current["base_url"]:
        changes.update(cursor=None, etag=None, etag_since=None)
    store.update_peer(conn, cmd.peer_id, {**changes, "updated_at": ctx.now})
    return get_peer(conn, ctx, peer_id=cmd.peer_id)


def remove_peer(cmd: RemovePeer, conn, ctx: Context) -> None:
    """Forget a peer and every entry held from it; raises NotFound."""
    store.delete_peer(conn, cmd.peer_id)


def trusted_peer(conn, *, issuer: str, remote_tenant: str) -> PeerTrust | None:
    """The peer this network registered for a token's issuer and network (for the token
    check, before there is a caller), or None."""
    row = store.peer_by_identity(conn, normal_url(issuer), remote_tenant)
    if row is None:
        return None
    return PeerTrust(
        peer_id=str(row["id"]),
        issuer=row["issuer"],
        jwks_url=row["jwks_url"],
        active=row["status"] == "active",
    )


# --- What this network shares -------------------------------------------------------------


def note_change(conn, ctx: Context, kind: str, before: dict | None, after: dict | None) -> None:
    """Called by the handlers that change partners and contacts: an entry that leaves the
    shared directory (unshared, left, erased) gets a tombstone; one shared again loses it."""
    row = before or after
    if row is None:
        return
    reason = domain.departure(kind, before, after)
    if reason:
        store.put_tombstone(conn, ctx.tenant.key, kind, row["id"], reason, ctx.now)
    elif domain.federated(kind, after) and not domain.federated(kind, before):
        store.drop_tombstone(conn, kind, row["id"])


def shared_directory_page(
    conn,
    ctx: Context,
    *,
    modified_since: datetime | None = None,
    page_token: str | None = None,
    page_size: int = domain.DEFAULT_PAGE_SIZE,
    if_none_match: str | None = None,
) -> dict:
    """One page of what this network shares with its peers: {body, etag, not_modified}.

    Entries and tombstones in the order of their changes; without modified_since a
    complete listing (no tombstones). Raises NotFound (the network shares nothing),
    RuleViolation (page_token).
    """
    if not ctx.rules["sharing"]:
        raise NotFound("Dieses Netzwerk teilt sein Verzeichnis nicht.")
    after = domain.read_page_token(page_token)
    query = {
        "since": modified_since,
        "legal_bases": domain.CONTACT_SHARING_BASES,
        "tombstones": modified_since is not None,
    }
    rows = store.directory_changes(conn, after=after, limit=page_size + 1, **query)
    more, rows = len(rows) > page_size, rows[:page_size]
    summary = store.directory_summary(conn, **query)
    entry_ids = {
        kind: [r["id"] for r in rows if r["kind"] == kind and r["reason"] is None]
        for kind in domain.KINDS
    }
    partners = {str(p["id"]): p for p in store.partners_by_ids(conn, entry_ids["partner"])}
    contacts = {str(c["id"]): c for c in store.contacts_by_ids(conn, entry_ids["contact"])}
    named = store.shared_partner_ids(
        conn, [c["partner_id"] for c in contacts.values() if c["partner_id"]]
    )
    changes = []
    for r in rows:
        if r["reason"] is not None:
            changes.append(
                domain.tombstone_item(
                    {
                        "kind": r["kind"],
                        "entry_id": r["id"],
                        "removed_at": r["changed_at"],
                        "reason": r["reason"],
                    }
                )
            )
        else:
            found = (partners if r["kind"] == "partner" else contacts)[str(r["id"])]
            changes.append(domain.directory_item(r["kind"], found, named))
    last = rows[-1] if rows else None
    body = domain.directory_body(
        {"key": ctx.tenant.key, "name": ctx.tenant.name},
        changes,
        modified_since=modified_since,
        page_size=page_size,
        total=summary["n"],
        latest=summary["latest"],
        next_token=domain.page_token(last["changed_at"], last["kind"], last["id"])
        if more
        else None,
    )
    etag = domain.etag_of(body)
    return {"body": body, "etag": etag, "not_modified": domain.etag_matches(if_none_match, etag)}


def purge_tombstones(cmd: PurgeTombstones, conn, ctx: Context) -> int:
    """Drop the tombstones no peer can still need (older than a complete listing's interval
    and a margin: a peer that synced before then gets a complete listing next); how many;
    raises nothing."""
    return store.purge_tombstones(conn, domain.tombstones_expire_before(ctx.now))


# --- The sync -------------------------------------------------------------------------------


def due_peers(conn, ctx: Context) -> list[str]:
    """The ids of the active peers whose scheduled pull is due (FEDERATION_SYNC_SECONDS)."""
    every = ctx.settings.federation_sync_seconds
    return [str(p["id"]) for p in store.list_peers(conn) if domain.sync_due(p, ctx.now, every)]


def _fetch(ctx: Context, peer: dict, since: datetime | None, etag: str | None):
    """Every page of the peer's answer: (pages, etag of the first) or (None, None) for 304."""
    client = ctx.dep("federation")
    pages, first_etag, token = [], None, None
    for _ in range(domain.MAX_PAGES):
        params = {"page_size": domain.DEFAULT_PAGE_SIZE}
        if since is not None:
            params["modified_since"] = since.isoformat()
        if token:
            params["page_token"] = token
        page = client.fetch_directory(
            base_url=peer["base_url"],
            remote_tenant=peer["remote_tenant"],
            caller_tenant=ctx.tenant.key,
            params=params,
            etag=etag if not pages else None,
        )
        if page is None:
            if pages:
                raise PeerUnreachable("Der Partner-Knoten antwortete mitten im Abruf mit 304.")
            return None, None
        try:
            parsed = domain.read_page(page.body)
        except ValueError as exc:
            raise PeerUnreachable("Der Partner-Knoten lieferte kein gültiges Verzeichnis.") from exc
        if not pages:
            first_etag = page.etag
        pages.append(parsed)
        token = parsed["next_page_token"]
        if not token:
            return pages, first_etag
    raise PeerUnreachable(
        f"Das Verzeichnis des Partner-Knotens hat mehr als {domain.MAX_PAGES} Seiten."
    )


def _report(peer: dict, outcome: str, entries: int, **counts) -> dict:
    return {
        "peer": _peer_view(peer, entries),
        "outcome": outcome,
        "added": counts.get("added", 0),
        "updated": counts.get("updated", 0),
        "removed": counts.get("removed", 0),
        "refused": counts.get("refused", 0),
        "error": counts.get("error"),
    }


def _event_data(peer: dict) -> dict:
    return {
        "peer_id": str(peer["id"]),
        "peer": peer["name"],
        "network": peer["remote_tenant"],
        "base_url": peer["base_url"],
    }


def sync_peer(cmd: SyncPeer, conn, ctx: Context) -> dict:
    """Pull a peer's shared directory: new and changed entries upserted (by peer, kind and
    remote id), tombstoned ones removed, on a complete listing whatever it no longer lists.
    A peer that cannot be reached keeps its entries (and their last sync); the attempt is
    recorded and announced once. Raises NotFound, Conflict (disabled peer, no signing key)."""
    peer = store.get_peer(conn, cmd.peer_id, lock="update")
    if peer["status"] != "active":
        raise Conflict(
            "Der Partner-Knoten ist deaktiviert; erst aktivieren, dann abgleichen.",
            field="status",
        )
    since = domain.request_since(peer["cursor"], peer["last_full_sync_at"], ctx.now)
    since_text = since.isoformat() if since else ""
    etag = peer["etag"] if peer["etag_since"] == since_text else None
    try:
        pages, new_etag = _fetch(ctx, peer, since, etag)
    except FederationKeyMissing as exc:
        raise Conflict(str(exc)) from exc
    except PeerUnreachable as exc:
        return _unreachable(conn, ctx, peer, exc)
    recovered, first = peer["unreachable_since"] is not None, peer["last_sync_at"] is None
    synced = {
        "last_attempt_at": ctx.now,
        "last_sync_at": ctx.now,
        "last_error": None,
        "unreachable_since": None,
    }
    if pages is None:
        row = store.update_peer(conn, peer["id"], synced)
        counts = {}
        outcome = "not_modified"
    else:
        counts = _apply(conn, ctx, peer, pages, complete=since is None)
        latest = None
        for page in pages:
            latest = domain.newer(latest, page["latest"])
        row = store.update_peer(
            conn,
            peer["id"],
            {
                **synced,
                "cursor": domain.newer(peer["cursor"], latest),
                "etag": new_etag,
                "etag_since": since_text,
                **({"last_full_sync_at": ctx.now} if since is None else {}),
            },
        )
        outcome = "synced"
    held = store.count_entries(conn, peer["id"])
    changed = any(counts.get(k) for k in ("added", "updated", "removed"))
    if changed or recovered or first:
        emit(
            conn,
            ctx,
            "federation",
            "synced",
            {
                **_event_data(row),
                "added": counts.get("added", 0),
                "updated": counts.get("updated", 0),
                "removed": counts.get("removed", 0),
                "entries": held,
                "recovered": recovered,
                "synced_at": ctx.now.isoformat(),
            },
            str(peer["id"]),
        )
    return _report(row, outcome, held, **counts)


def _apply(conn, ctx: Context, peer: dict, pages: list[dict], *, complete: bool) -> dict:
    final: dict[tuple[str, str], tuple[str, dict]] = {}
    refused = 0
    for page in pages:
        refused += page["refused"]
        changes = [("entry", e["modified_at"], e) for e in page["entries"]]
        changes += [("tombstone", t["removed_at"], t) for t in page["tombstones"]]
        # in the order of the changes: the later of an entry and its tombstone wins
        changes.sort(key=lambda c: c[1].timestamp() if c[1] else float("-inf"))
        for what, _, change in changes:
            final[(change["kind"], change["remote_id"])] = (what, change)
    counts = {"added": 0, "updated": 0, "removed": 0, "refused": refused}
    for (kind, remote_id), (what, change) in final.items():
        if what == "entry":
            outcome = store.upsert_entry(conn, ctx.tenant.key, peer["id"], change, ctx.now)
            if outcome != "unchanged":
                counts[outcome] += 1
        elif store.delete_entry(conn, peer["id"], kind, remote_id):
            counts["removed"] += 1
    if complete:
        keep = [f"{k}:{r}" for (k, r), (what, _) in final.items() if what == "entry"]
        counts["removed"] += store.delete_entries_except(conn, peer["id"], keep)
    return counts


def _unreachable(conn, ctx: Context, peer: dict, exc: PeerUnreachable) -> dict:
    row = store.update_peer(
        conn,
        peer["id"],
        {
            "last_attempt_at": ctx.now,
            "last_error": exc.reason,
            "unreachable_since": peer["unreachable_since"] or ctx.now,
        },
    )
    if peer["unreachable_since"] is None:
        emit(
            conn,
            ctx,
            "federation",
            "peer_unreachable",
            {
                **_event_data(row),
                "error": exc.reason,
                "status": exc.status,
                "since": ctx.now.isoformat(),
                "last_sync_at": peer["last_sync_at"].isoformat() if peer["last_sync_at"] else None,
            },
            str(peer["id"]),
        )
    held = store.count_entries(conn, peer["id"])
    return _report(row, "unreachable", held, error=exc.reason)


# --- One search across networks ---------------------------------------------------------------


def _own_entry(ctx: Context, kind: str, row: dict) -> dict:
    names = domain.PARTNER_FIELDS if kind == "partner" else domain.CONTACT_FIELDS
    return plain(
        {
            "source": "own",
            "network": ctx.tenant.key,
            "network_name": ctx.tenant.name,
            **{k: row.get(k) for k in names},
            "type": kind,
            "id": str(row["id"]),
            "origin": None,
        }
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _foreign_entry(row: dict) -> dict:
    return plain(
        {
            **row["data"],
            "source": str(row["peer_id"]),
            "network": row["remote_tenant"],
            "network_name": row["peer_name"],
            "type": row["kind"],
            "id": row["remote_id"],
            "name": row["name"],
            "origin": {
                "peer_id": str(row["peer_id"]),
                "peer": row["peer_name"],
                "base_url": row["base_url"],
                "last_sync_at": _iso(row["peer_last_sync_at"]),
                "received_at": _iso(row["synced_at"]),
                "modified_at": _iso(row["modified_at"]),
            },
        }
    )


def search_directory(
    conn, ctx: Context, *, q: str | None = None, networks: str = "all", page=1, page_size=20
) -> dict:
    """Own and foreign entries matching q, one group per organisation (or person) with all
    the networks listing it; foreign entries only of active peers. Raises RuleViolation
    (networks)."""
    peers = store.list_peers(conn)
    own, peer_ids = domain.wanted_sources(networks, ctx.tenant.key, peers)
    q = (q or "").strip() or None
    entries = []
    if own:
        entries += [
            _own_entry(ctx, "partner", p) for p in store.search_partners(conn, q, SEARCH_LIMIT)
        ]
        entries += [
            _own_entry(ctx, "contact", c) for c in store.search_contacts(conn, q, SEARCH_LIMIT)
        ]
    entries += [_foreign_entry(e) for e in store.search_foreign(conn, q, peer_ids, SEARCH_LIMIT)]
    groups = domain.group_entries(entries)
    listed = [{"key": ctx.tenant.key, "name": ctx.tenant.name, "own": True}] if own else []
    listed += [
        {"key": p["remote_tenant"], "name": p["name"], "own": False, "peer_id": str(p["id"])}
        for p in peers
        if str(p["id"]) in peer_ids
    ]
    start = (page - 1) * page_size
    return {
        "items": groups[start : start + page_size],
        "total": len(groups),
        "page": page,
        "page_size": page_size,
        "networks": listed,
    }
