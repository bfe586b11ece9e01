-- OParl read API: when an event last changed, and when a public event left the public.
--
-- events.modified_at: set on every change of the row (title, times, place, status, agenda
--   published …), so that OParl clients can ask for what changed since their last visit
--   (modified_since). Like created_at, the database's time of the transaction.
-- events.withdrawn_at: when a public event was made non-public; OParl keeps it as a
--   tombstone ({"deleted": true}, nothing else) so that clients delete their copy. Made
--   public again, the event is back and withdrawn_at empty.
-- The store's statements stay as they are: a trigger keeps both columns.

alter table events add column modified_at timestamptz;
alter table events add column withdrawn_at timestamptz;
update events set modified_at = created_at;
alter table events alter column modified_at set default now();
alter table events alter column modified_at set not null;

create function events_oparl_stamps() returns trigger language plpgsql as $$
begin
    new.modified_at := greatest(now(), old.modified_at);
    if old.public and not new.public then
        new.withdrawn_at := now();
    elsif new.public then
        new.withdrawn_at := null;
    end if;
    return new;
end $$;

create trigger events_oparl_stamps before update on events
    for each row execute function events_oparl_stamps();
