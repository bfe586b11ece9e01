-- Admission decided by the application's own ballot only, and announced after the voting period.
--
-- applications.checked_event: the id of the application.checked event; voting opens the
--   application's ballot from it (ballot opened_by = 'event:<id>'), so that a ballot
--   closed elsewhere decides nothing.
-- applications.announce_at / announced_at: when the outcome may be told (the end of the
--   voting period where the network informs the applicant after the deadline) and when it
--   was (partner.admitted or application.rejected published). Until then the applicant's
--   status page shows the vote as running.
-- partners.embargoed_until: an admitted partner stays out of every public listing until
--   its admission is announced.

alter table applications add column checked_event uuid;
alter table applications add column announce_at timestamptz;
alter table applications add column announced_at timestamptz;
update applications set announce_at = updated_at, announced_at = updated_at
 where status in ('admitted', 'rejected');
create index applications_unannounced on applications (tenant, announce_at)
 where announced_at is null and status in ('admitted', 'rejected');

alter table partners add column embargoed_until timestamptz;
