"""Use cases of federation between deployments: the shared directory other instances pull,
its tombstones, and the sync that pulls the peers' (``peers``: the registry of peers).

Events: ``membership.federation.synced`` (a sync changed entries, was the first, or the
peer is back) and ``membership.federation.peer_unreachable`` (a peer that answered before
does not any more), ``membership.federation.peer_stale`` (unreachable for longer than
FEDERATION_STALE_HOURS: notifications tells the Koordinierungsstelle) and
``membership.federation.peer_back`` (such a peer answers again). The HTTP client is the dependency ``federation``
(:class:`knotenpunkt.shared.federation.FederationClient`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from knotenpunkt.services.membership.domain import federation as domain
from knotenpunkt.services.membership.handlers.peers import peer_view
from knotenpunkt.shared.errors import Conflict, NotFound
from knotenpunkt.shared.federation import FederationKeyMissing, PeerUnreachable, normal_url
from knotenpunkt.shared.usecase import Context, emit


@dataclass(frozen=True)
class SyncPeer:
    peer_id: UUID


@dataclass(frozen=True)
class PurgeTombstones:
    """The daily job: drop the tombstones no peer can still need."""


# --- What this network shares -------------------------------------------------------------


def federation_system(ctx: Context) -> dict:
    """What this network is to other instances (checked by a peer before it registers it): the
    issuer of its tokens, its key, its key set and whether it shares its directory."""
    issuer = normal_url(ctx.settings.federation_url)
    return {
        "issuer": issuer,
        "tenant": ctx.tenant.key,
        "name": ctx.tenant.name,
        "jwks_url": domain.default_jwks_url(issuer),
        "shares_directory": bool(ctx.rules["sharing"]),
    }


def note_change(conn, ctx: Context, kind: str, before: dict | None, after: dict | None) -> None:
    """Called by the handlers that change partners and contacts: an entry that leaves the
    shared directory (unshared, left, erased) gets a tombstone; one shared again loses it."""
    row = before or after
    if row is None:
        return
    reason = domain.departure(kind, before, after)
    if reason:
        ctx.store.federation.put_tombstone(conn, ctx.tenant.key, kind, row["id"], reason, ctx.now)
    elif domain.federated(kind, after) and not domain.federated(kind, before):
        ctx.store.federation.drop_tombstone(conn, kind, row["id"])


def erased_by_request(conn, ctx: Context, request_id, kind: str, rows: list[dict]) -> int:
    """Entries a privacy request erased: those the peers held get a tombstone (each peer removes
    them at its next sync) and are recorded with the request, whose answer then lists the peers
    that fetched past it (Art. 17 Abs. 2, Art. 19 DSGVO); how many were shared."""
    shared = [r for r in rows if domain.federated(kind, r)]
    for row in shared:
        note_change(conn, ctx, kind, row, None)
        ctx.store.federation.record_erasure(
            conn, ctx.tenant.key, request_id, kind, row["id"], ctx.now
        )
    return len(shared)


def erasure_report(conn, ctx: Context, *, request_id) -> dict:
    """Whom an erasure request's shared entries were passed on to: every registered peer,
    confirmed once its sync fetched the directory past the erasure ("an Partnernetzwerke
    weitergegeben"), else "noch nicht bestätigt"; no peers when nothing erased was shared."""
    found = ctx.store.federation.erasure_report(conn, request_id)
    peers = [] if not found["n"] else found["peers"]
    return {
        "shared_entries": found["n"],
        "erased_at": found["removed_at"],
        "peers": [domain.erasure_peer(p) for p in peers],
        "all_confirmed": all(p["confirmed_at"] is not None for p in peers),
    }


def _calling_peer(caller) -> str | None:
    """The registered peer behind a federation token (its subject names it)."""
    if caller is None or not caller.has("federation") or not caller.sub:
        return None
    return caller.sub.removeprefix("federation:") if caller.sub.startswith("federation:") else None


def shared_directory_page(
    conn,
    ctx: Context,
    *,
    caller=None,
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
    rows = ctx.store.federation.directory_changes(conn, after=after, limit=page_size + 1, **query)
    more, rows = len(rows) > page_size, rows[:page_size]
    summary = ctx.store.federation.directory_summary(conn, **query)
    entry_ids = {
        kind: [r["id"] for r in rows if r["kind"] == kind and r["reason"] is None]
        for kind in domain.KINDS
    }
    partners = {
        str(p["id"]): p for p in ctx.store.federation.partners_by_ids(conn, entry_ids["partner"])
    }
    contacts = {
        str(c["id"]): c for c in ctx.store.federation.contacts_by_ids(conn, entry_ids["contact"])
    }
    named = ctx.store.federation.shared_partner_ids(
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
    peer_id = _calling_peer(caller)
    if peer_id and not more:
        # the peer has read to the end: what was erased in the span it asked for reached it
        ctx.store.federation.confirm_erasures(
            conn, ctx.tenant.key, peer_id, modified_since, ctx.now
        )
    return {"body": body, "etag": etag, "not_modified": domain.etag_matches(if_none_match, etag)}


def purge_tombstones(cmd: PurgeTombstones, conn, ctx: Context) -> int:
    """Drop the tombstones no peer can still need (older than a complete listing's interval
    and a margin: a peer that synced before then gets a complete listing next); how many;
    raises nothing."""
    return ctx.store.federation.purge_tombstones(conn, domain.tombstones_expire_before(ctx.now))


# --- The sync -------------------------------------------------------------------------------


def due_peers(conn, ctx: Context) -> list[str]:
    """The ids of the active peers whose scheduled pull is due (FEDERATION_SYNC_SECONDS)."""
    every = ctx.settings.federation_sync_seconds
    return [
        str(p["id"])
        for p in ctx.store.federation.list_peers(conn)
        if domain.sync_due(p, ctx.now, every)
    ]


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
        "peer": peer_view(peer, entries),
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
    peer = ctx.store.federation.get_peer(conn, cmd.peer_id, lock="update")
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
        "stale_notified_at": None,
    }
    if pages is None:
        row = ctx.store.federation.update_peer(conn, peer["id"], synced)
        counts = {}
        outcome = "not_modified"
    else:
        counts = _apply(conn, ctx, peer, pages, complete=since is None)
        latest = None
        for page in pages:
            latest = domain.newer(latest, page["latest"])
        row = ctx.store.federation.update_peer(
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
    held = ctx.store.federation.count_entries(conn, peer["id"])
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
    if peer["stale_notified_at"] is not None:
        # the Koordinierungsstelle was told it is gone: now it is told it is back
        emit(
            conn,
            ctx,
            "federation",
            "peer_back",
            {
                **_event_data(row),
                "unreachable_since": _iso(peer["unreachable_since"]),
                "back_at": ctx.now.isoformat(),
            },
            str(peer["id"]),
        )
    return _report(row, outcome, held, **counts)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


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
            outcome = ctx.store.federation.upsert_entry(
                conn, ctx.tenant.key, peer["id"], change, ctx.now
            )
            if outcome != "unchanged":
                counts[outcome] += 1
        elif ctx.store.federation.delete_entry(conn, peer["id"], kind, remote_id):
            counts["removed"] += 1
    if complete:
        keep = [f"{k}:{r}" for (k, r), (what, _) in final.items() if what == "entry"]
        counts["removed"] += ctx.store.federation.delete_entries_except(conn, peer["id"], keep)
    return counts


def _unreachable(conn, ctx: Context, peer: dict, exc: PeerUnreachable) -> dict:
    since = peer["unreachable_since"] or ctx.now
    hours = ctx.settings.federation_stale_hours
    stale = peer["stale_notified_at"] is None and domain.peer_stale(since, ctx.now, hours)
    row = ctx.store.federation.update_peer(
        conn,
        peer["id"],
        {
            "last_attempt_at": ctx.now,
            "last_error": exc.reason,
            "unreachable_since": since,
            **({"stale_notified_at": ctx.now} if stale else {}),
        },
    )
    if stale:
        # once per outage: the Koordinierungsstelle is told by mail and on the console
        emit(
            conn,
            ctx,
            "federation",
            "peer_stale",
            {
                **_event_data(row),
                "error": exc.reason,
                "unreachable_since": since.isoformat(),
                "last_sync_at": _iso(peer["last_sync_at"]),
                "hours": hours,
            },
            str(peer["id"]),
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
    held = ctx.store.federation.count_entries(conn, peer["id"])
    return _report(row, "unreachable", held, error=exc.reason)
