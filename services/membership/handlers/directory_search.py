"""Use case of the search across networks: own and foreign entries, one group per organisation
(or person) with every network listing it (``domain.directory_search``).
"""

from __future__ import annotations

from datetime import datetime

from knotenpunkt.services.membership.domain import directory_search as domain
from knotenpunkt.services.membership.domain.federation import CONTACT_FIELDS, PARTNER_FIELDS
from knotenpunkt.shared.usecase import Context, plain

SEARCH_LIMIT = 1000  # entries per source a search looks at (groups are paged after merging)


def _own_entry(ctx: Context, kind: str, row: dict) -> dict:
    names = PARTNER_FIELDS if kind == "partner" else CONTACT_FIELDS
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
    peers = ctx.store.federation.list_peers(conn)
    own, peer_ids = domain.wanted_sources(networks, ctx.tenant.key, peers)
    q = (q or "").strip() or None
    entries = []
    if own:
        entries += [
            _own_entry(ctx, "partner", p)
            for p in ctx.store.federation.search_partners(conn, q, SEARCH_LIMIT)
        ]
        entries += [
            _own_entry(ctx, "contact", c)
            for c in ctx.store.federation.search_contacts(conn, q, SEARCH_LIMIT)
        ]
    entries += [
        _foreign_entry(e)
        for e in ctx.store.federation.search_foreign(conn, q, peer_ids, SEARCH_LIMIT)
    ]
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
