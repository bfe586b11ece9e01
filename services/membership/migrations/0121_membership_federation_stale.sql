-- A peer unreachable for longer than FEDERATION_STALE_HOURS: when the Koordinierungsstelle was
-- told (membership.federation.peer_stale); cleared when it is back (peer_back).
alter table federation_peers add column stale_notified_at timestamptz;
