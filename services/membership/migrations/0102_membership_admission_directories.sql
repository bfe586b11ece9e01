-- Membership: contact persons, applications (Beitrittserklärung), working groups
-- with proposals and working papers, monitoring measures, and the published
-- directories (partner overviews, doctors, offers, responsibility matrix).


create table contacts (
    tenant           text not null,
    id               uuid primary key default gen_random_uuid(),
    partner_id       uuid references partners (id) on delete set null,
    name             text not null,
    role             text,
    email            text,
    phone            text,
    languages        text[] not null default '{}',
    responsibilities text[] not null default '{}',
    legal_basis      text not null,
    consent_at       timestamptz,
    public           boolean not null default false,
    shared           boolean not null default false,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

create table applications (
    tenant         text not null,
    id             uuid primary key default gen_random_uuid(),
    token_hash     text not null,
    status         text not null check (status in
                     ('submitted', 'returned', 'in_vote', 'admitted', 'rejected', 'withdrawn')),
    organisation   jsonb not null,
    contact        jsonb not null,
    statements     jsonb not null,
    motivation     text,
    check_note     text,
    checked_by     text,
    checked_at     timestamptz,
    ballot_id      text,
    decision       jsonb,
    partner_id     uuid,
    history        jsonb not null default '[]',
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);

create table working_group_proposals (
    tenant         text not null,
    id             uuid primary key default gen_random_uuid(),
    topic          text not null,
    aims           text not null,
    planned_months integer,
    proposed_by    text not null,
    partner_id     uuid,
    status         text not null check (status in ('submitted', 'in_vote', 'approved', 'declined')),
    decided_by     text,
    decision_note  text,
    working_group_id uuid,
    created_at     timestamptz not null default now(),
    decided_at     timestamptz
);

create table working_groups (
    tenant      text not null,
    id          uuid primary key default gen_random_uuid(),
    name        text not null,
    topic       text,
    goals       jsonb not null default '[]',
    ends_on     date,
    status      text not null default 'active' check (status in ('active', 'closed')),
    proposal_id uuid,
    created_at  timestamptz not null default now()
);

create table working_group_members (
    tenant           text not null,
    working_group_id uuid not null references working_groups (id) on delete cascade,
    person_id        text not null,
    name             text not null,
    partner_id       uuid,
    role             text not null default 'member' check (role in ('leader', 'member')),
    joined_at        timestamptz not null default now(),
    primary key (tenant, working_group_id, person_id)
);

create table working_papers (
    tenant           text not null,
    working_group_id uuid not null references working_groups (id) on delete cascade,
    version          integer not null,
    content          jsonb not null,
    changed_by       text not null,
    changed_at       timestamptz not null default now(),
    primary key (tenant, working_group_id, version)
);

create table measures (
    tenant        text not null,
    id            uuid primary key default gen_random_uuid(),
    policy_field  text not null,
    title         text not null,
    responsible   text,
    indicator     text not null,
    unit          text,
    baseline      numeric,
    target        numeric,
    current_value numeric,
    status        text not null default 'planned' check (status in ('planned', 'running', 'done', 'stopped')),
    updated_at    timestamptz not null default now()
);

create table directory_publications (
    tenant       text not null,
    id           uuid primary key default gen_random_uuid(),
    published_at timestamptz not null default now(),
    previous_at  timestamptz,
    trigger      text not null check (trigger in ('schedule', 'manual')),
    entries      jsonb not null
);
create index directory_publications_latest on directory_publications (tenant, published_at desc);

create table doctors (
    tenant        text not null,
    id            uuid primary key default gen_random_uuid(),
    name          text not null,
    specialty     text not null,
    street        text,
    postcode      text,
    city          text,
    phone         text,
    languages     text[] not null default '{}',
    last_verified date not null,
    created_at    timestamptz not null default now()
);

create table offers (
    tenant        text not null,
    id            uuid primary key default gen_random_uuid(),
    title         text not null,
    kind          text not null,
    provider      text not null,
    target_groups text[] not null default '{}',
    languages     text[] not null default '{}',
    place         text,
    contact       text,
    description   text,
    created_at    timestamptz not null default now()
);

create table responsibilities (
    tenant         text not null,
    id             uuid primary key default gen_random_uuid(),
    actor          text not null,
    topic          text not null,
    responsibility text not null,
    contact_name   text,
    contact_email  text,
    contact_phone  text,
    unique (tenant, actor, topic)
);

select isolate_tenant('contacts');
select isolate_tenant('applications');
select isolate_tenant('working_group_proposals');
select isolate_tenant('working_groups');
select isolate_tenant('working_group_members');
select isolate_tenant('working_papers');
select isolate_tenant('measures');
select isolate_tenant('directory_publications');
select isolate_tenant('doctors');
select isolate_tenant('offers');
select isolate_tenant('responsibilities');
