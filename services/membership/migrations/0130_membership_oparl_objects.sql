-- OParl 1.1 registry: every object the OParl API has served, by its key below the tenant's
-- root (e.g. `body/chemnitz`, `meeting/<id>`), with a digest of its content. It gives
-- `created` and `modified` to objects whose data has no moments of their own (System, Body,
-- the bodies as Organizations, LegislativeTerms), marks an object modified when its content
-- changes, and keeps an object that vanished as deleted (id, type, created, modified,
-- deleted, and what its schema requires besides: `kept`, e.g. an AgendaItem's order), so that an
-- incremental sync (`modified_since`) loses nothing (OParl 1.1 § 3.1,
-- "Gelöschte Objekte"). Keys of persons are digests: neither a name nor an e-mail address.
create table oparl_objects (
    tenant      text not null,
    key         text not null,
    kind        text not null,
    type        text not null,
    digest      text not null,
    created_at  timestamptz not null,
    modified_at timestamptz not null,
    deleted_at  timestamptz,
    kept        text not null default '{}',
    primary key (tenant, key)
);

select isolate_tenant('oparl_objects');
