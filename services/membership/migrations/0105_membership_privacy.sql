-- A person's request under the DSGVO (access, erasure) or the record of processing, answered by
-- every service over the broker. An erasure keeps only a digest of the e-mail address / person id.
create table privacy_requests (
    tenant         text not null,
    id             uuid primary key,
    kind           text not null check (kind in ('access', 'erasure', 'record')),
    subject        jsonb,
    subject_digest text,
    requested_by   text,
    answers        jsonb not null default '{}',
    created_at     timestamptz not null,
    completed_at   timestamptz
);
create index privacy_requests_digest on privacy_requests (tenant, subject_digest);

select isolate_tenant('privacy_requests');
