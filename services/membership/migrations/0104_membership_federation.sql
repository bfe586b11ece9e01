-- Federation between deployments: the peers a network registered, the entries pulled from
-- them (read-only copies with their origin), and the tombstones of entries this network
-- no longer shares (unshared, left the network, erased) that its peers must remove.
--
-- federation_peers.issuer: the `iss` of the peer's tokens (its FEDERATION_URL; the
--   base_url unless registered otherwise); the peer is looked up by issuer and its network.
-- federation_peers.cursor: the newest change time seen from the peer (its own clock);
--   etag / etag_since: the ETag of the peer's answer to `modified_since = etag_since`;
--   last_full_sync_at: the last complete listing (daily: whatever a missed tombstone left goes).
-- federation_entries.synced_at: when the entry was last received; the peer's last_sync_at
--   says when its entries were last confirmed.

create table federation_peers (
    tenant            text not null,
    id                uuid primary key default gen_random_uuid(),
    name              text not null,
    base_url          text not null,
    remote_tenant     text not null,
    issuer            text not null,
    jwks_url          text not null,
    status            text not null default 'active' check (status in ('active', 'disabled')),
    cursor            timestamptz,
    etag              text,
    etag_since        text,
    last_attempt_at   timestamptz,
    last_sync_at      timestamptz,
    last_full_sync_at timestamptz,
    last_error        text,
    unreachable_since timestamptz,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);
create unique index federation_peers_identity on federation_peers (tenant, issuer, remote_tenant);
create unique index federation_peers_name on federation_peers (tenant, lower(name));

create table federation_entries (
    tenant        text not null,
    peer_id       uuid not null references federation_peers (id) on delete cascade,
    kind          text not null check (kind in ('partner', 'contact')),
    remote_id     text not null,
    name          text not null,
    data          jsonb not null,
    modified_at   timestamptz,
    first_seen_at timestamptz not null,
    synced_at     timestamptz not null,
    primary key (tenant, peer_id, kind, remote_id)
);
create index federation_entries_name on federation_entries (tenant, lower(name));

create table federation_tombstones (
    tenant     text not null,
    kind       text not null check (kind in ('partner', 'contact')),
    entry_id   uuid not null,
    reason     text not null check (reason in ('unshared', 'left', 'erased')),
    removed_at timestamptz not null,
    primary key (tenant, kind, entry_id)
);
create index federation_tombstones_removed on federation_tombstones (tenant, removed_at);

select isolate_tenant('federation_peers');
select isolate_tenant('federation_entries');
select isolate_tenant('federation_tombstones');

-- What the federation directory reads: the shared entries in the order of their changes.
create index partners_shared_changes on partners (tenant, updated_at) where shared;
create index contacts_shared_changes on contacts (tenant, updated_at) where shared;
