-- Events: time polls for a body's next meeting, participation processes with
-- ordered phases, and the members of working groups (to invite a group).

create table polls (
    tenant     text not null,
    id         uuid primary key default gen_random_uuid(),
    body       text not null,
    title      text not null,
    status     text not null default 'open' check (status in ('open', 'closed')),
    chosen     uuid,
    event_id   uuid,
    created_at timestamptz not null default now()
);

create table poll_options (
    tenant    text not null,
    poll_id   uuid not null references polls (id) on delete cascade,
    id        uuid primary key default gen_random_uuid(),
    starts_at timestamptz not null,
    ends_at   timestamptz not null
);

create table poll_answers (
    tenant    text not null,
    poll_id   uuid not null references polls (id) on delete cascade,
    option_id uuid not null references poll_options (id) on delete cascade,
    person_id text not null,
    answer    text not null check (answer in ('yes', 'maybe', 'no')),
    primary key (tenant, option_id, person_id)
);

create table processes (
    tenant      text not null,
    id          uuid primary key default gen_random_uuid(),
    title       text not null,
    description text,
    created_at  timestamptz not null default now()
);

create table process_phases (
    tenant          text not null,
    process_id      uuid not null references processes (id) on delete cascade,
    position        integer not null,
    title           text not null,
    kind            text not null check (kind in ('event', 'consultation', 'milestone')),
    event_id        uuid references events (id),
    consultation_id uuid references consultations (id),
    starts_on       date,
    ends_on         date,
    primary key (tenant, process_id, position)
);

create table group_member_copies (
    tenant           text not null,
    working_group_id text not null,
    person_id        text not null,
    name             text not null,
    partner_id       text,
    primary key (tenant, working_group_id, person_id)
);

select isolate_tenant('polls');
select isolate_tenant('poll_options');
select isolate_tenant('poll_answers');
select isolate_tenant('processes');
select isolate_tenant('process_phases');
select isolate_tenant('group_member_copies');
