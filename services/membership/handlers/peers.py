"""Use cases of the federation's peers: the networks of other deployments this network
registered (the instance operator's registry), whose tokens it trusts and whose shared
directories it pulls (``federation``).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from knotenpunkt.services.membership.domain import federation as domain
from knotenpunkt.shared.auth import PeerTrust
from knotenpunkt.shared.errors import RuleViolation
from knotenpunkt.shared.federation import PeerNotChecked, normal_url
from knotenpunkt.shared.usecase import Context

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
    "stale_notified_at",
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


def peer_view(row: dict, entries: int | None = None) -> dict:
    """A peer as the API shows it: its fields, its network and how many entries are held."""
    out = {k: row.get(k) for k in PEER_FIELDS}
    out["tenant"] = row["remote_tenant"]
    out["entries"] = row.get("entries", 0) if entries is None else entries
    return out


def list_peers(conn, ctx: Context) -> list[dict]:
    """The registered peers with their sync state and the number of entries held."""
    return [peer_view(p) for p in ctx.store.federation.list_peers(conn)]


def get_peer(conn, ctx: Context, *, peer_id) -> dict:
    """One peer; raises NotFound."""
    return peer_view(
        ctx.store.federation.get_peer(conn, peer_id),
        ctx.store.federation.count_entries(conn, peer_id),
    )


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
    _check_peer(ctx, values)
    return peer_view(ctx.store.federation.insert_peer(conn, ctx.tenant.key, values), 0)


CHECKED = ("base_url", "remote_tenant", "issuer", "jwks_url")


def _check_peer(ctx: Context, values: dict) -> None:
    """The peer answers as what it is registered as: its System names the issuer and network,
    its key set holds a key, both at public addresses (unless FEDERATION_ALLOW_INTERNAL).
    Raises RuleViolation (base_url) with one text, whatever failed."""
    try:
        ctx.dep("federation").check_peer(
            base_url=values["base_url"],
            tenant=values["remote_tenant"],
            issuer=values["issuer"],
            jwks_url=values["jwks_url"],
        )
    except PeerNotChecked as exc:
        raise RuleViolation(exc.reason, field="base_url") from exc


def update_peer(cmd: UpdatePeer, conn, ctx: Context) -> dict:
    """Change a peer (name, URLs, network, status). Another issuer or network starts over
    with a complete listing. Raises NotFound, RuleViolation, Conflict."""
    current = ctx.store.federation.get_peer(conn, cmd.peer_id, lock="update")
    if not cmd.changes:
        return get_peer(conn, ctx, peer_id=cmd.peer_id)
    changes = dict(cmd.changes)
    if "tenant" in changes:
        changes["remote_tenant"] = changes.pop("tenant")
    changes = domain.peer_values(changes, allow_internal=ctx.settings.federation_allow_internal)
    merged = {**current, **changes}
    _not_self(ctx, merged)
    if any(merged[k] != current[k] for k in CHECKED):
        _check_peer(ctx, merged)
    if (merged["issuer"], merged["remote_tenant"]) != (
        current["issuer"],
        current["remote_tenant"],
    ) or merged["base_url"] != current["base_url"]:
        changes.update(cursor=None, etag=None, etag_since=None)
    ctx.store.federation.update_peer(conn, cmd.peer_id, {**changes, "updated_at": ctx.now})
    return get_peer(conn, ctx, peer_id=cmd.peer_id)


def remove_peer(cmd: RemovePeer, conn, ctx: Context) -> None:
    """Forget a peer and every entry held from it; raises NotFound."""
    ctx.store.federation.delete_peer(conn, cmd.peer_id)


def trusted_peer(conn, ctx: Context, *, issuer: str, remote_tenant: str) -> PeerTrust | None:
    """The peer this network registered for a token's issuer and network (for the token
    check, before there is a caller), or None."""
    row = ctx.store.federation.peer_by_identity(conn, normal_url(issuer), remote_tenant)
    if row is None:
        return None
    return PeerTrust(
        peer_id=str(row["id"]),
        issuer=row["issuer"],
        jwks_url=row["jwks_url"],
        active=row["status"] == "active",
    )


def unsynced_seconds(conn, ctx: Context) -> dict[tuple[tuple[str, str], ...], float]:
    """Seconds since each active peer was last synced in full or in part (since it was
    registered, when never), as gauge labels → figure: the worker's
    ``knotenpunkt_federation_peer_unsynced_seconds``; raises nothing."""
    return {
        (("peer", row["name"]),): max(
            0.0, (ctx.now - (row["last_sync_at"] or row["created_at"])).total_seconds()
        )
        for row in ctx.store.federation.list_peers(conn)
        if row["status"] == "active"
    }
