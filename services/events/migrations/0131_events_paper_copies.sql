-- Copies of membership's papers for OParl (events serves every Paper of a network): founding
-- proposals of working groups (Gründungsantrag, Anlage 5; public once decided) and working
-- papers (Arbeitspapier, Anlage 6; public as in membership, without who changed them).
-- kind: 'proposal' (key: the proposal's id) or 'working_paper' (key: the working group's id);
-- data: what the membership events carried (merged, the latest wins).
create table paper_copies (
    tenant      text not null,
    kind        text not null check (kind in ('proposal', 'working_paper')),
    key         text not null,
    data        jsonb not null,
    created_at  timestamptz not null,
    modified_at timestamptz not null,
    primary key (tenant, kind, key)
);

select isolate_tenant('paper_copies');
