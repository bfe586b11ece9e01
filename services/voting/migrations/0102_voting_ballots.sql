-- Voting: ballots of a body, the electorate frozen at opening, votes (named or
-- secret), and a hash-chained record per ballot.

create table ballots (
    tenant               text not null,
    id                   uuid primary key default gen_random_uuid(),
    body                 text not null,
    title                text not null,
    text                 text,
    subject_kind         text not null check (subject_kind in
                           ('admission', 'resolution', 'recommendation', 'working_group_founding', 'general')),
    subject_id           text,
    decision_rule        text not null,
    quorum               numeric not null default 0,
    reasons_required_for text[] not null default '{}',
    secret               boolean not null default false,
    binding              boolean not null default true,
    outcome_to           text,
    close_when_all_voted boolean not null default true,
    status               text not null default 'open' check (status in ('open', 'closed', 'cancelled')),
    opened_at            timestamptz not null default now(),
    deadline             timestamptz not null,
    opened_by            text not null,
    closed_at            timestamptz,
    closed_by            text,
    electorate_size      integer not null,
    tally                jsonb,
    outcome              text check (outcome in ('adopted', 'rejected', 'no_quorum')),
    dissent              jsonb,
    reminder_sent_at     timestamptz
);
create unique index ballots_one_open_per_subject on ballots (tenant, subject_kind, subject_id)
    where status = 'open' and subject_id is not null;
create index ballots_due on ballots (tenant, deadline) where status = 'open';

create table ballot_electorate (
    tenant    text not null,
    ballot_id uuid not null references ballots (id),
    person_id text not null,
    name      text not null,
    email     text,
    primary key (tenant, ballot_id, person_id)
);

-- Named ballots: one row per member, changed in place until closing.
create table votes (
    tenant     text not null,
    ballot_id  uuid not null references ballots (id),
    person_id  text not null,
    choice     text not null,
    reason     text,
    cast_at    timestamptz not null default now(),
    changes    integer not null default 0,
    primary key (tenant, ballot_id, person_id)
);

-- Secret ballots: who took part and what was voted are kept apart, unlinked.
create table participation (
    tenant    text not null,
    ballot_id uuid not null references ballots (id),
    person_id text not null,
    primary key (tenant, ballot_id, person_id)
);
create table secret_votes (
    tenant    text not null,
    ballot_id uuid not null references ballots (id),
    id        uuid not null default gen_random_uuid(),
    choice    text not null,
    reason    text,
    primary key (tenant, ballot_id, id)
);

-- The record: entries appended unsealed (fast casts); the sealer gives each a
-- sequence number and the hash of the previous entry, in order of sealing.
create table ballot_record (
    tenant    text not null,
    ballot_id uuid not null references ballots (id),
    id        bigserial,
    seq       integer,
    entry     jsonb not null,
    prev_hash text,
    hash      text,
    primary key (tenant, ballot_id, id)
);
create index ballot_record_unsealed on ballot_record (tenant, ballot_id, id) where seq is null;

select isolate_tenant('ballots');
select isolate_tenant('ballot_electorate');
select isolate_tenant('votes');
select isolate_tenant('participation');
select isolate_tenant('secret_votes');
select isolate_tenant('ballot_record');
