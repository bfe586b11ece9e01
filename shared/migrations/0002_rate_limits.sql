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

select isolate_tenant('rate_limits');
