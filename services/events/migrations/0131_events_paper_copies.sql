-- Copies of membership's papers for OParl (events serves every Paper of a network): founding
-- proposals of working groups (Gründungsantrag, Anlage 5; public once decided) and working
-- papers (Arbeitspapier, Anlage 6; public as in membership, without who changed them).
-- kind: 'proposal' (key: the proposal's id), 'working_paper' (key: the working group's id) or
-- 'announcement' (key: the ballot of an admission whose outcome membership announced, Leitlinie
-- 3: only then is the admission public);
-- data: what the membership events carried (merged, the latest wins).
create table paper_copies (
    tenant      text not null,
    kind        text not null check (kind in ('proposal', 'working_paper', 'announcement')),
    key         text not null,
    data        jsonb not null,
    created_at  timestamptz not null,
    modified_at timestamptz not null,
    primary key (tenant, kind, key)
);

select isolate_tenant('paper_copies');
