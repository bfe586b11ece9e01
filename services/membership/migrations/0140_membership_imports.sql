-- Imports of spreadsheets (issue 22): an upload is stored as a preview (its cells, the column
-- mapping, the coordinator's choices per row); applying writes the records and keeps what it
-- did (created ids, the rows before and after an update) so that it can be undone as a whole.
create table imports (
    tenant      text not null,
    id          uuid primary key,
    kind        text not null,
    filename    text not null,
    format      text not null,
    status      text not null default 'preview'
                check (status in ('preview', 'applied', 'undone')),
    header      jsonb not null,
    cells       jsonb not null,
    row_numbers jsonb not null,
    mapping     jsonb not null,
    choices     jsonb not null default '{}',
    outcome     jsonb not null default '{}',
    counts      jsonb not null default '{}',
    created_by  text not null,
    created_at  timestamptz not null,
    applied_by  text,
    applied_at  timestamptz,
    undone_by   text,
    undone_at   timestamptz
);
create index imports_created on imports (tenant, created_at desc);

select isolate_tenant('imports');
