-- A cast takes no lock on the ballot's row any more: every voter of a live vote locking
-- the same row (FOR SHARE, and the foreign keys' FOR KEY SHARE on each insert into votes
-- and ballot_record) serialised the casts through multixacts on one tuple.
--
-- Instead a cast holds a shared advisory lock on its ballot (lock manager only: no tuple
-- written, no WAL), and whoever changes a ballot's status (close, cancel) takes the same
-- lock exclusively first: it waits for the casts in flight, and a cast arriving meanwhile
-- waits for it. ballot_for_cast takes the shared lock and then reads the status; being
-- volatile, its query runs with a snapshot of its own, taken after the lock was granted,
-- so a cast that waited for a close sees the ballot closed.
--
-- The foreign keys from the per-cast tables to ballots go: the cast statement writes a
-- vote, a participation or a record entry only for a ballot it has just read (open, the
-- voter in its frozen electorate), and ballots are never deleted.

create function ballot_for_cast(ballot uuid)
returns table (status text, deadline timestamptz)
language plpgsql volatile as $$
begin
    perform pg_advisory_xact_lock_shared(hashtext('ballot-casts'), hashtext(ballot::text));
    return query select b.status, b.deadline from ballots b where b.id = ballot;
end $$;

alter table votes drop constraint if exists votes_ballot_id_fkey;
alter table ballot_record drop constraint if exists ballot_record_ballot_id_fkey;
alter table participation drop constraint if exists participation_ballot_id_fkey;
alter table secret_votes drop constraint if exists secret_votes_ballot_id_fkey;
