-- Erasure reaches the partner networks (DSGVO Art. 17 Abs. 2, Art. 19): an entry of the shared
-- directory erased by a privacy request is tombstoned (federation_tombstones) and recorded here
-- with its request, and each peer whose sync read the directory past the erasure is recorded as
-- having been told (federation_erasure_peers.confirmed_at). Only ids, no name or address.

create table federation_erasures (
    tenant     text not null,
    request_id uuid not null,
    kind       text not null check (kind in ('partner', 'contact')),
    entry_id   uuid not null,
    removed_at timestamptz not null,
    primary key (tenant, request_id, kind, entry_id)
);
create index federation_erasures_removed on federation_erasures (tenant, removed_at);

create table federation_erasure_peers (
    tenant       text not null,
    request_id   uuid not null,
    peer_id      uuid not null references federation_peers (id) on delete cascade,
    confirmed_at timestamptz not null,
    primary key (tenant, request_id, peer_id)
);

select isolate_tenant('federation_erasures');
select isolate_tenant('federation_erasure_peers');
