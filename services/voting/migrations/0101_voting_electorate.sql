-- Voting keeps its own copy of each body's members (the electorate), from
-- membership.body.member_added / member_removed events.

create table electorate (
    tenant     text not null,
    body       text not null,
    person_id  text not null,
    name       text not null,
    email      text,
    role       text not null,
    updated_at timestamptz not null default now(),
    primary key (tenant, body, person_id)
);

select isolate_tenant('electorate');
