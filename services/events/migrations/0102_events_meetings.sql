-- Events: meetings and events, agendas, topic submissions, invitations and
-- replies, pending introductions, minutes, ballot results (for minutes),
-- cadence notices, consultations and ideas.

create table events (
    tenant           text not null,
    id               uuid primary key default gen_random_uuid(),
    kind             text not null,
    body             text,
    working_group_id uuid,
    title            text not null,
    description      text,
    starts_at        timestamptz not null,
    ends_at          timestamptz not null,
    place            text,
    online_url       text,
    public           boolean not null default false,
    status           text not null default 'planned' check (status in ('planned', 'invited', 'held', 'cancelled')),
    sequence         integer not null default 0,
    agenda_published_at timestamptz,
    created_at       timestamptz not null default now(),
    check (ends_at > starts_at)
);
create index events_start on events (tenant, starts_at);

create table agenda_items (
    tenant        text not null,
    id            uuid primary key default gen_random_uuid(),
    event_id      uuid not null references events (id) on delete cascade,
    position      integer not null,
    title         text not null,
    minutes       integer,
    presenter     text,
    kind          text not null check (kind in ('topic', 'report', 'introduction', 'decision')),
    ballot_id     text,
    partner_id    text,
    submission_id uuid
);

create table topic_submissions (
    tenant       text not null,
    id           uuid primary key default gen_random_uuid(),
    event_id     uuid not null references events (id) on delete cascade,
    title        text not null,
    description  text,
    submitted_by text not null,
    partner_id   text,
    status       text not null default 'submitted' check (status in ('submitted', 'accepted', 'declined')),
    reason       text,
    created_at   timestamptz not null default now()
);

create table invitations (
    tenant     text not null,
    event_id   uuid not null references events (id) on delete cascade,
    invitee    text not null,
    name       text not null,
    email      text,
    via        text not null,
    answer     text check (answer in ('yes', 'no', 'maybe')),
    answered_at timestamptz,
    primary key (tenant, event_id, invitee)
);

create table introductions (
    tenant         text not null,
    partner_id     text not null,
    name           text not null,
    email          text,
    status         text not null check (status in ('pending', 'scheduled')),
    event_id       uuid,
    agenda_item_id uuid,
    primary key (tenant, partner_id)
);

create table minutes (
    tenant       text not null,
    event_id     uuid primary key references events (id) on delete cascade,
    status       text not null default 'draft' check (status in ('draft', 'approved', 'published')),
    attendees    jsonb not null default '[]',
    notes        jsonb not null default '[]',
    decisions    jsonb not null default '[]',
    approved_by  text,
    published_at timestamptz,
    updated_at   timestamptz not null default now()
);

create table ballot_results (
    tenant    text not null,
    ballot_id text not null,
    data      jsonb not null,
    primary key (tenant, ballot_id)
);

create table cadence_notices (
    tenant   text not null,
    rule     text not null,
    due_on   date not null,
    status   text not null,
    primary key (tenant, rule, due_on, status)
);

create table consultations (
    tenant    text not null,
    id        uuid primary key default gen_random_uuid(),
    title     text not null,
    opens     date not null,
    closes    date not null,
    topics    text[] not null default '{}',
    anonymous boolean not null default true,
    created_at timestamptz not null default now(),
    check (closes >= opens)
);

create table ideas (
    tenant          text not null,
    id              uuid primary key default gen_random_uuid(),
    consultation_id uuid not null references consultations (id) on delete cascade,
    topic           text not null,
    text            text not null,
    author          text,
    status          text not null default 'submitted' check (status in ('submitted', 'published', 'hidden')),
    hidden_reason   text,
    created_at      timestamptz not null default now()
);

select isolate_tenant('events');
select isolate_tenant('agenda_items');
select isolate_tenant('topic_submissions');
select isolate_tenant('invitations');
select isolate_tenant('introductions');
select isolate_tenant('minutes');
select isolate_tenant('ballot_results');
select isolate_tenant('cadence_notices');
select isolate_tenant('consultations');
select isolate_tenant('ideas');

-- The members of each body (to invite a body), from membership events.
create table body_member_copies (
    tenant    text not null,
    body      text not null,
    person_id text not null,
    name      text not null,
    email     text,
    primary key (tenant, body, person_id)
);
select isolate_tenant('body_member_copies');
