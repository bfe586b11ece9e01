-- Applications wait for the applicant's confirmation of the address where the tenant says so
-- (membership.confirm_applicant_email): status 'unconfirmed' until the link in the one
-- confirmation mail is followed; unconfirmed ones are deleted after membership.unconfirmed_days.

alter table applications drop constraint applications_status_check;
alter table applications add constraint applications_status_check check (status in
    ('unconfirmed', 'submitted', 'returned', 'in_vote', 'admitted', 'rejected', 'withdrawn'));
create index applications_unconfirmed on applications (tenant, created_at)
    where status = 'unconfirmed';
