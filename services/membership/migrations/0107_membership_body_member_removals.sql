-- Body members removed from a body, for the OParl API: a removed Membership (and a Person
-- without any seat left) stays there as `deleted: true` (OParl 1.1: deleted objects remain).
-- Only the seats of public persons are noted, and only by their OParl keys (digests of the
-- body and the person id): neither a name nor an e-mail address, so an erasure leaves none.
create table body_member_removals (
    tenant         text not null,
    body           text not null,
    membership_key text not null,
    person_key     text not null,
    removed_at     timestamptz not null,
    primary key (tenant, membership_key)
);
create index body_member_removals_person on body_member_removals (tenant, person_key);

select isolate_tenant('body_member_removals');
