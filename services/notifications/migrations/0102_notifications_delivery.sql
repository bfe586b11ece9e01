-- Notifications: the delivery log (one row per recipient, channel and event),
-- webhook subscriptions and preferences (opt-outs per category).

create table notifications (
    tenant          text not null,
    id              uuid primary key default gen_random_uuid(),
    event_id        uuid not null,
    event_type      text not null,
    channel         text not null check (channel in ('email', 'webhook')),
    recipient       text not null,
    recipient_name  text,
    template        text not null,
    language        text not null default 'de',
    category        text not null,
    mandatory       boolean not null default false,
    subject         text,
    body            text not null,
    attachments     jsonb not null default '[]',
    status          text not null default 'queued' check (status in ('queued', 'sent', 'retrying', 'failed', 'suppressed')),
    attempts        integer not null default 0,
    last_error      text,
    next_attempt_at timestamptz not null default now(),
    created_at      timestamptz not null default now(),
    sent_at         timestamptz,
    unique (tenant, event_id, recipient, channel)
);
create index notifications_due on notifications (tenant, next_attempt_at) where status in ('queued', 'retrying');

create table webhooks (
    tenant      text not null,
    id          uuid primary key default gen_random_uuid(),
    url         text not null,
    secret      text not null,
    event_types text[] not null,
    active      boolean not null default true,
    created_at  timestamptz not null default now()
);

create table preferences (
    tenant     text not null,
    email      text not null,
    category   text not null,
    opted_out  boolean not null,
    language   text,
    updated_at timestamptz not null default now(),
    primary key (tenant, email, category)
);

select isolate_tenant('notifications');
select isolate_tenant('webhooks');
select isolate_tenant('preferences');
