-- Membership: partners (Netzwerkpartner) and the members of the bodies (Gremien).

create table partners (
    tenant      text not null,
    id          uuid primary key default gen_random_uuid(),
    name        text not null,
    kind        text not null,
    street      text,
    postcode    text,
    city        text,
    website     text,
    email       text,
    phone       text,
    topics      text[] not null default '{}',
    languages   text[] not null default '{}',
    since       date,
    status      text not null default 'active' check (status in ('active', 'left')),
    left_on     date,
    public      boolean not null default true,
    shared      boolean not null default false,
    admitted_at timestamptz,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
create unique index partners_name on partners (tenant, lower(name));

create table body_members (
    tenant     text not null,
    body       text not null,
    person_id  text not null,
    name       text not null,
    email      text,
    partner_id uuid,
    department text,
    role       text not null default 'member' check (role in ('chair', 'member', 'guest')),
    added_at   timestamptz not null default now(),
    primary key (tenant, body, person_id)
);

select isolate_tenant('partners');

select isolate_tenant('body_members');
