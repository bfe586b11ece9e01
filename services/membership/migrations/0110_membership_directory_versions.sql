-- The version of the partner list per network and per view (issue 28 point 2, issue 27 point 1):
-- a primary-key lookup instead of a pass over every partner row. Every statement that changes
-- partners adds one to the counters of the views that see a changed row, in the same
-- transaction (statement-level triggers over the transition tables):
--   public    anonymous callers: public partners, not under an embargo
--   internal  the network's people: every partner not under an embargo
--   everyone  the deciding body and the Koordinierungsstelle: every partner, embargoed ones too
-- A row "under an embargo" is one with embargoed_until set (a decided admission not yet
-- announced): its insert, change or delete leaves public and internal alone, so that the
-- anonymous list's ETag says nothing before the deadline. When the embargo's moment passes the
-- partner is listed although no row changed; the readers' version adds the embargo ends that
-- have passed (the index below: the few rows with embargoed_until set), so no job is needed.
create table directory_versions (
    tenant   text primary key,
    public   bigint not null default 0,
    internal bigint not null default 0,
    everyone bigint not null default 0
);

select isolate_tenant('directory_versions');

create index partners_embargo_ends on partners (tenant, embargoed_until)
    where embargoed_until is not null;

-- Before a writing statement: hold the network's version row first, so that two transactions
-- writing partners always lock in the same order (the version row, then the rows) and never
-- deadlock over the counters. Without a tenant setting (the privileged role) nothing is held.
create function directory_versions_hold() returns trigger
language plpgsql as $$
declare
    t text := nullif(current_setting('app.tenant', true), '');
begin
    if t is not null then
        insert into directory_versions (tenant) values (t) on conflict (tenant) do nothing;
        perform 1 from directory_versions where tenant = t for update;
    end if;
    return null;
end $$;

create function directory_versions_bump() returns trigger
language plpgsql as $$
begin
    if TG_OP = 'INSERT' then
        insert into directory_versions as v (tenant, public, internal, everyone)
        select tenant,
               bool_or(embargoed_until is null and public)::int,
               bool_or(embargoed_until is null)::int,
               1
          from new_rows group by tenant
        on conflict (tenant) do update
           set public = v.public + excluded.public,
               internal = v.internal + excluded.internal,
               everyone = v.everyone + 1;
    elsif TG_OP = 'DELETE' then
        insert into directory_versions as v (tenant, public, internal, everyone)
        select tenant,
               bool_or(embargoed_until is null and public)::int,
               bool_or(embargoed_until is null)::int,
               1
          from old_rows group by tenant
        on conflict (tenant) do update
           set public = v.public + excluded.public,
               internal = v.internal + excluded.internal,
               everyone = v.everyone + 1;
    else
        insert into directory_versions as v (tenant, public, internal, everyone)
        select tenant,
               bool_or(embargoed_until is null and public)::int,
               bool_or(embargoed_until is null)::int,
               1
          from (select tenant, embargoed_until, public from old_rows
                union all
                select tenant, embargoed_until, public from new_rows) as changed
         group by tenant
        on conflict (tenant) do update
           set public = v.public + excluded.public,
               internal = v.internal + excluded.internal,
               everyone = v.everyone + 1;
    end if;
    return null;
end $$;

create trigger partners_versions_hold before insert or update or delete on partners
    for each statement execute function directory_versions_hold();
create trigger partners_versions_insert after insert on partners
    referencing new table as new_rows
    for each statement execute function directory_versions_bump();
create trigger partners_versions_update after update on partners
    referencing old table as old_rows new table as new_rows
    for each statement execute function directory_versions_bump();
create trigger partners_versions_delete after delete on partners
    referencing old table as old_rows
    for each statement execute function directory_versions_bump();
