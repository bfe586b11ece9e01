-- Messaging tables every service has: the transactional outbox and the
-- record of processed events (idempotent consumers). Both are tenant tables
-- under forced row-level security like every other.

create table outbox (
    id          bigserial primary key,
    tenant      text not null,
    event_id    uuid not null unique,
    routing_key text not null,
    envelope    jsonb not null,
    created_at  timestamptz not null default now(),
    sent_at     timestamptz
);
create index outbox_unsent on outbox (tenant, id) where sent_at is null;

create table processed_events (
    tenant       text not null,
    event_id     uuid primary key,
    event_type   text not null,
    processed_at timestamptz not null default now()
);

-- Wakes the relay when an outbox row commits (NOTIFY is sent at commit).
create function outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('outbox', new.tenant);
    return null;
end $$;
create trigger outbox_notify after insert on outbox for each row execute function outbox_notify();

select isolate_tenant('outbox');

select isolate_tenant('processed_events');
