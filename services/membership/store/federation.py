"""SQL of federation: peers, the entries pulled from them, tombstones, the change stream of
what this network shares, and the search over own and foreign entries."""

from __future__ import annotations

from psycopg import sql
from psycopg.errors import UniqueViolation
from psycopg.types.json import Jsonb

from knotenpunkt.shared.db import get_by_id, insert, like_pattern, update
from knotenpunkt.shared.errors import Conflict, NotFound

# What leaves the network (the domain's partner_federated / contact_federated, as SQL).
SHARED_PARTNERS = "shared and status = 'active' and embargoed_until is null"
SHARED_CONTACTS = "shared and legal_basis = any(%(bases)s) and (legal_basis <> 'consent' or consent_at is not null)"


def _taken(exc: UniqueViolation) -> Conflict:
    if "federation_peers_name" in str(exc):
        return Conflict("Ein Partner-Knoten dieses Namens ist schon registriert.", field="name")
    return Conflict(
        "Dieses Netzwerk dieser Instanz ist schon als Partner-Knoten registriert.",
        field="tenant",
    )


# --- Peers ------------------------------------------------------------------------


def insert_peer(conn, tenant: str, values: dict) -> dict:
    """Insert a peer; raises Conflict (name, or issuer and network, taken)."""
    try:
        with conn.transaction():
            return insert(conn, "federation_peers", {"tenant": tenant, **values})
    except UniqueViolation as exc:
        raise _taken(exc) from exc


def get_peer(conn, peer_id, lock: str | None = None) -> dict:
    """The peer; raises NotFound."""
    return get_by_id(
        conn, "federation_peers", peer_id, f"Einen Partner-Knoten {peer_id} gibt es nicht.", lock
    )


def list_peers(conn) -> list[dict]:
    """Every registered peer with the number of entries held from it, by name."""
    return conn.execute(
        "select p.*, (select count(*) from federation_entries e where e.peer_id = p.id)"
        " as entries from federation_peers p order by lower(p.name)"
    ).fetchall()


def count_entries(conn, peer_id) -> int:
    return conn.execute(
        "select count(*) as n from federation_entries where peer_id = %s", (peer_id,)
    ).fetchone()["n"]


def update_peer(conn, peer_id, values: dict) -> dict:
    """Set columns of a peer; raises NotFound, Conflict."""
    get_peer(conn, peer_id)
    try:
        with conn.transaction():
            return update(conn, "federation_peers", peer_id, values)
    except UniqueViolation as exc:
        raise _taken(exc) from exc


def delete_peer(conn, peer_id) -> None:
    """Remove a peer and every entry held from it; raises NotFound."""
    row = conn.execute(
        "delete from federation_peers where id = %s returning id", (peer_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"Einen Partner-Knoten {peer_id} gibt es nicht.")


def peer_by_identity(conn, issuer: str, remote_tenant: str) -> dict | None:
    """The peer registered for this issuer and network there, or None."""
    return conn.execute(
        "select * from federation_peers where issuer = %s and remote_tenant = %s",
        (issuer, remote_tenant),
    ).fetchone()


# --- Entries pulled from peers ------------------------------------------------------


def upsert_entry(conn, tenant: str, peer_id, entry: dict, now) -> str:
    """Store a peer's entry (one row per peer, kind and remote id): "added", "updated" (its
    name or data changed) or "unchanged"."""
    row = conn.execute(
        """
        with old as (
            select name, data from federation_entries
             where peer_id = %(peer)s and kind = %(kind)s and remote_id = %(remote_id)s
        )
        insert into federation_entries
               (tenant, peer_id, kind, remote_id, name, data, modified_at, first_seen_at, synced_at)
        values (%(tenant)s, %(peer)s, %(kind)s, %(remote_id)s, %(name)s, %(data)s,
                %(modified_at)s, %(now)s, %(now)s)
        on conflict (tenant, peer_id, kind, remote_id) do update
           set name = excluded.name, data = excluded.data, modified_at = excluded.modified_at,
               synced_at = excluded.synced_at
        returning (xmax = 0) as inserted, (select o.name from old o) as old_name,
                  (select o.data from old o) as old_data
        """,
        {
            "tenant": tenant,
            "peer": peer_id,
            "kind": entry["kind"],
            "remote_id": entry["remote_id"],
            "name": entry["name"],
            "data": Jsonb(entry["data"]),
            "modified_at": entry["modified_at"],
            "now": now,
        },
    ).fetchone()
    if row["inserted"]:
        return "added"
    if row["old_name"] != entry["name"] or row["old_data"] != entry["data"]:
        return "updated"
    return "unchanged"


def delete_entry(conn, peer_id, kind: str, remote_id: str) -> bool:
    """Drop a peer's entry; True when there was one."""
    row = conn.execute(
        "delete from federation_entries where peer_id = %s and kind = %s and remote_id = %s"
        " returning remote_id",
        (peer_id, kind, remote_id),
    ).fetchone()
    return row is not None


def delete_entries_except(conn, peer_id, keep: list[str]) -> int:
    """Drop a peer's entries whose `kind:remote_id` is not in keep; the number dropped."""
    rows = conn.execute(
        "delete from federation_entries where peer_id = %s"
        " and not (kind || ':' || remote_id = any(%s)) returning remote_id",
        (peer_id, keep),
    ).fetchall()
    return len(rows)


# --- Tombstones -------------------------------------------------------------------------


def put_tombstone(conn, tenant: str, kind: str, entry_id, reason: str, at) -> None:
    """Record that an entry left the shared directory (again: the newer reason and time)."""
    conn.execute(
        """
        insert into federation_tombstones (tenant, kind, entry_id, reason, removed_at)
        values (%s, %s, %s, %s, %s)
        on conflict (tenant, kind, entry_id) do update
           set reason = excluded.reason, removed_at = excluded.removed_at
        """,
        (tenant, kind, entry_id, reason, at),
    )


def drop_tombstone(conn, kind: str, entry_id) -> None:
    """The entry is shared again: its tombstone goes."""
    conn.execute(
        "delete from federation_tombstones where kind = %s and entry_id = %s", (kind, entry_id)
    )


def purge_tombstones(conn, before) -> int:
    """Drop the tombstones of entries removed before `before`; how many."""
    rows = conn.execute(
        "delete from federation_tombstones where removed_at < %s returning entry_id", (before,)
    ).fetchall()
    return len(rows)


# --- Erasures the peers are told of ---------------------------------------------------------


def record_erasure(conn, tenant: str, request_id, kind: str, entry_id, at) -> None:
    """A shared entry erased by a privacy request (its tombstone tells the peers)."""
    conn.execute(
        "insert into federation_erasures (tenant, request_id, kind, entry_id, removed_at)"
        " values (%s, %s, %s, %s, %s) on conflict do nothing",
        (tenant, request_id, kind, entry_id, at),
    )


def confirm_erasures(conn, tenant: str, peer_id, since, now) -> int:
    """The peer read the directory to its end, from `since` (None: a complete listing, after
    which it drops what is no longer listed) up to `now`: every erasure in that span reached it;
    how many requests are newly confirmed for it."""
    rows = conn.execute(
        "insert into federation_erasure_peers (tenant, request_id, peer_id, confirmed_at)"
        " select %(tenant)s, request_id, %(peer)s, %(now)s from federation_erasures"
        " where (%(since)s::timestamptz is null or removed_at >= %(since)s::timestamptz)"
        " and removed_at <= %(now)s group by request_id"
        " on conflict do nothing returning request_id",
        {"tenant": tenant, "peer": peer_id, "since": since, "now": now},
    ).fetchall()
    return len(rows)


def erasure_report(conn, request_id) -> dict:
    """How many shared entries the request erased (n, removed_at) and every registered peer with
    the moment its sync fetched past the erasure (confirmed_at, None when not yet)."""
    erased = conn.execute(
        "select count(*) as n, max(removed_at) as removed_at from federation_erasures"
        " where request_id = %s",
        (request_id,),
    ).fetchone()
    peers = conn.execute(
        "select p.id, p.name, p.remote_tenant, p.status, p.last_sync_at, c.confirmed_at"
        " from federation_peers p left join federation_erasure_peers c"
        " on c.peer_id = p.id and c.request_id = %s order by lower(p.name), p.id",
        (request_id,),
    ).fetchall()
    return {**erased, "peers": peers}


# --- The change stream of what this network shares -----------------------------------------

_CHANGES = sql.SQL(
    "with changes as ("
    " select 'partner'::text as kind, id, updated_at as changed_at, null::text as reason"
    "   from partners where " + SHARED_PARTNERS + " union all"
    " select 'contact'::text, id, updated_at, null::text"
    "   from contacts where " + SHARED_CONTACTS + " union all"
    " select kind, entry_id, removed_at, reason from federation_tombstones where %(tombstones)s"
    ") "
)
_SINCE = "(%(since)s::timestamptz is null or changed_at >= %(since)s::timestamptz)"


def directory_changes(
    conn, *, since, after, limit: int, legal_bases, tombstones: bool
) -> list[dict]:
    """Shared entries and (with tombstones) tombstones changed at or after `since`, in the
    order (changed_at, kind, id), after the position `after` = (changed_at, kind, id)."""
    after_at, after_kind, after_id = after or (None, None, None)
    return conn.execute(
        _CHANGES
        + sql.SQL(
            "select * from changes where " + _SINCE + " and (%(after_at)s::timestamptz is null"
            " or (changed_at, kind, id) > (%(after_at)s::timestamptz, %(after_kind)s::text,"
            " %(after_id)s::uuid)) order by changed_at, kind, id limit %(limit)s"
        ),
        {
            "bases": list(legal_bases),
            "tombstones": tombstones,
            "since": since,
            "after_at": after_at,
            "after_kind": after_kind,
            "after_id": after_id,
            "limit": limit,
        },
    ).fetchall()


def directory_summary(conn, *, since, legal_bases, tombstones: bool) -> dict:
    """How many changes the whole result holds and the newest one (n, latest)."""
    return conn.execute(
        _CHANGES
        + sql.SQL("select count(*) as n, max(changed_at) as latest from changes where " + _SINCE),
        {"bases": list(legal_bases), "tombstones": tombstones, "since": since},
    ).fetchone()


def partners_by_ids(conn, ids: list) -> list[dict]:
    if not ids:
        return []
    return conn.execute("select * from partners where id = any(%s)", (ids,)).fetchall()


def contacts_by_ids(conn, ids: list) -> list[dict]:
    if not ids:
        return []
    return conn.execute("select * from contacts where id = any(%s)", (ids,)).fetchall()


def shared_partner_ids(conn, ids: list) -> set[str]:
    """Which of these partners are shared (a shared contact names only a shared partner)."""
    if not ids:
        return set()
    rows = conn.execute(
        "select id from partners where id = any(%s) and " + SHARED_PARTNERS, (ids,)
    ).fetchall()
    return {str(r["id"]) for r in rows}


# --- Search over own and foreign entries ---------------------------------------------------


def search_partners(conn, q: str | None, limit: int) -> list[dict]:
    """Active listed partners whose name, city, website, e-mail or a topic contains q."""
    return conn.execute(
        "select * from partners where status = 'active' and embargoed_until is null"
        " and (%(q)s::text is null or name ilike %(p)s or city ilike %(p)s"
        " or website ilike %(p)s or email ilike %(p)s"
        " or exists (select 1 from unnest(topics) t where t ilike %(p)s))"
        " order by lower(name), id limit %(limit)s",
        {"q": q, "p": like_pattern(q or ""), "limit": limit},
    ).fetchall()


def search_contacts(conn, q: str | None, limit: int) -> list[dict]:
    """Contacts whose name, role or e-mail contains q."""
    return conn.execute(
        "select * from contacts where (%(q)s::text is null or name ilike %(p)s"
        " or role ilike %(p)s or email ilike %(p)s) order by lower(name), id limit %(limit)s",
        {"q": q, "p": like_pattern(q or ""), "limit": limit},
    ).fetchall()


def search_foreign(conn, q: str | None, peer_ids: list, limit: int) -> list[dict]:
    """Entries of these peers matching q (name, city, website, e-mail, role, a topic), with
    their peer's name, network and last sync."""
    if not peer_ids:
        return []
    return conn.execute(
        "select e.*, p.name as peer_name, p.remote_tenant, p.base_url,"
        " p.last_sync_at as peer_last_sync_at"
        " from federation_entries e join federation_peers p on p.id = e.peer_id"
        " where e.peer_id = any(%(peers)s::uuid[]) and (%(q)s::text is null or e.name ilike %(p)s"
        " or e.data->>'city' ilike %(p)s or e.data->>'website' ilike %(p)s"
        " or e.data->>'email' ilike %(p)s or e.data->>'role' ilike %(p)s"
        " or exists (select 1 from jsonb_array_elements_text(coalesce(e.data->'topics', '[]'))"
        " t where t ilike %(p)s))"
        " order by lower(e.name), e.remote_id limit %(limit)s",
        {"peers": peer_ids, "q": q, "p": like_pattern(q or ""), "limit": limit},
    ).fetchall()
