"""SQL of the votes: a named or secret vote cast in one statement, the cast lock, the votes and
who has voted. Runs inside the caller's unit of work."""

from __future__ import annotations

from knotenpunkt.services.voting.store.common import as_json


def _cast_params(tenant, ballot_id, person_id, choice, reason, now, entry: dict) -> dict:
    return {
        "tenant": tenant,
        "ballot": ballot_id,
        "person": person_id,
        "choice": choice,
        "reason": reason,
        "now": now,
        "entry": as_json(entry),
    }


def cast_named(
    conn, tenant: str, ballot_id, person_id: str, choice: str, reason, now, entry: dict
) -> dict | None:
    """One statement for a named vote: the ballot's status and deadline (read under the
    shared cast lock, see migration 0104), whether the person is in its frozen electorate,
    and, only when it is open at `now` and they are, the vote stored or changed (changes
    counted) with its record entry; `voted`: how many have voted, this vote included.
    None when there is no such ballot; raises nothing."""
    return conn.execute(
        """
        with b as (
            select status, deadline from ballot_for_cast(%(ballot)s)
        ), e as (
            select 1 from ballot_electorate where ballot_id = %(ballot)s and person_id = %(person)s
        ), v as (
            insert into votes (tenant, ballot_id, person_id, choice, reason, cast_at)
            select %(tenant)s, %(ballot)s, %(person)s, %(choice)s, %(reason)s, %(now)s
             where exists (select 1 from b where b.status = 'open' and b.deadline > %(now)s)
               and exists (select 1 from e)
            on conflict (tenant, ballot_id, person_id) do update
               set choice = excluded.choice, reason = excluded.reason, cast_at = excluded.cast_at,
                   changes = votes.changes + 1
            returning person_id, choice, reason, cast_at, changes
        ), r as (
            insert into ballot_record (tenant, ballot_id, entry)
            select %(tenant)s, %(ballot)s, %(entry)s::jsonb from v
        )
        select b.status, b.deadline, exists (select 1 from e) as member,
               v.person_id, v.choice, v.reason, v.cast_at, v.changes,
               (select count(*) from votes where ballot_id = %(ballot)s)
                 + (case when v.changes = 0 then 1 else 0 end) as voted
          from b left join v on true
        """,
        _cast_params(tenant, ballot_id, person_id, choice, reason, now, entry),
    ).fetchone()


def cast_secret(
    conn, tenant: str, ballot_id, person_id: str, choice: str, reason, now, entry: dict
) -> dict | None:
    """One statement for a secret vote: the ballot's status and deadline (under the shared
    cast lock), whether the person is in its frozen electorate, and, only when it is open at
    `now`, they are and have not taken part yet, their participation, the vote unlinked from
    them and the record entry; `first`: whether this was their first vote; `voted`: how many
    have taken part, this one included. None when there is no such ballot; raises nothing."""
    return conn.execute(
        """
        with b as (
            select status, deadline from ballot_for_cast(%(ballot)s)
        ), e as (
            select 1 from ballot_electorate where ballot_id = %(ballot)s and person_id = %(person)s
        ), p as (
            insert into participation (tenant, ballot_id, person_id)
            select %(tenant)s, %(ballot)s, %(person)s
             where exists (select 1 from b where b.status = 'open' and b.deadline > %(now)s)
               and exists (select 1 from e)
            on conflict do nothing
            returning person_id
        ), s as (
            insert into secret_votes (tenant, ballot_id, choice, reason)
            select %(tenant)s, %(ballot)s, %(choice)s, %(reason)s from p
        ), r as (
            insert into ballot_record (tenant, ballot_id, entry)
            select %(tenant)s, %(ballot)s, %(entry)s::jsonb from p
        )
        select b.status, b.deadline, exists (select 1 from e) as member,
               exists (select 1 from p) as first,
               (select count(*) from participation where ballot_id = %(ballot)s)
                 + (select count(*) from p) as voted
          from b
        """,
        _cast_params(tenant, ballot_id, person_id, choice, reason, now, entry),
    ).fetchone()


def try_lock_casts(conn, ballot_id) -> bool:
    """lock_casts without waiting: False when a cast in flight (other than this transaction's
    own) holds the shared lock; raises nothing."""
    return conn.execute(
        "select pg_try_advisory_xact_lock(hashtext('ballot-casts'), hashtext(%s::text)) as got",
        (str(ballot_id),),
    ).fetchone()["got"]


def lock_casts(conn, ballot_id) -> None:
    """Wait for the casts in flight on the ballot and hold new ones until the transaction ends
    (before its status changes: close, cancel; migration 0104); raises nothing."""
    conn.execute(
        "select pg_advisory_xact_lock(hashtext('ballot-casts'), hashtext(%s::text))",
        (str(ballot_id),),
    )


def named_votes(conn, ballot_id) -> list[dict]:
    """The named votes (person_id, name, choice, reason) by person id; raises nothing."""
    return conn.execute(
        """
        select * from (
            select v.person_id, v.choice, v.reason,
                   (select e.name from ballot_electorate e
                     where e.ballot_id = v.ballot_id and e.person_id = v.person_id) as name
              from votes v where v.ballot_id = %s
        ) v where v.name is not null order by v.person_id
        """,
        (ballot_id,),
    ).fetchall()


def secret_votes(conn, ballot_id) -> list[dict]:
    """The secret votes (choice, reason) in a fixed order; raises nothing."""
    return conn.execute(
        "select choice, reason from secret_votes where ballot_id = %s order by choice, reason, id",
        (ballot_id,),
    ).fetchall()


def voters_status(conn, ballot_id, secret: bool) -> list[dict]:
    """Who may vote and whether they have (never what they chose), by name; raises nothing."""
    table = "participation" if secret else "votes"
    # exists per member (a lookup by the primary key), not a join: right after opening the
    # planner's figures say "one row" and it would nest two scans of the whole ballot
    return conn.execute(
        f"""
        select e.person_id, e.name,
               exists (select 1 from {table} x
                        where x.ballot_id = e.ballot_id and x.person_id = e.person_id) as voted
          from ballot_electorate e
         where e.ballot_id = %s order by e.name
        """,
        (ballot_id,),
    ).fetchall()
