-- isolate_tenant(table): the one way a table with a tenant column is kept per network —
-- row-level security enabled and forced (the owner too) with the policy that a session sees
-- and writes only the rows of its tenant (set_config('app.tenant', …) per transaction).
-- Every migration that creates such a table calls it; migrate() refuses a tenant table
-- without forced row-level security.
create or replace function isolate_tenant(tbl regclass) returns void
language plpgsql as $$
begin
    execute format('alter table %s enable row level security', tbl);
    execute format('alter table %s force row level security', tbl);
    execute format(
        'create policy tenant_isolation on %s'
        ' using (tenant = current_setting(''app.tenant''))'
        ' with check (tenant = current_setting(''app.tenant''))',
        tbl
    );
end $$;
