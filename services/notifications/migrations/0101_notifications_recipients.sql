-- Notifications keeps its own copy of whom it may tell: body members and
-- partners, from membership events (erased when membership erases a person).

create table recipients (
    tenant     text not null,
    kind       text not null check (kind in ('body_member', 'partner')),
    scope      text not null,
    ref        text not null,
    name       text not null,
    email      text,
    updated_at timestamptz not null default now(),
    primary key (tenant, kind, scope, ref)
);

select isolate_tenant('recipients');
