-- Counters of the rate limits on anonymous writes (fixed windows), shared by
-- every web process of a service: a limit holds across gunicorn workers.

create table rate_limits (
    tenant       text not null,
    bucket       text not null,
    window_start timestamptz not null,
    hits         integer not null,
    primary key (tenant, bucket, window_start)
);
create index rate_limits_window on rate_limits (window_start);

alter table rate_limits enable row level security;
alter table rate_limits force row level security;
create policy tenant_isolation on rate_limits
    using (tenant = current_setting('app.tenant'))
    with check (tenant = current_setting('app.tenant'));
