"""SQL of the votes: the named or secret votes of a batch cast in one statement, the cast lock,
the votes and who has voted. Runs inside the caller's unit of work."""

from __future__ import annotations

from knotenpunkt.services.voting.store.common import as_json

# The casts of a batch (store.votes.cast_named, cast_secret): one row per cast, the columns as
# arrays, unnested in their order (ord); the ballots are read (and their shared cast locks
# taken) in the order of their ids, so that two batches never wait for each other in a circle.
_INPUT = """
    i as (
        select * from unnest(%(ord)s::int[], %(ballot)s::uuid[], %(person)s::text[],
                             %(choice)s::text[], %(reason)s::text[], %(now)s::timestamptz[],
                             %(entry)s::jsonb[])
            as i(ord, ballot, person, choice, reason, now, entry)
    ), b as materialized (
        select d.ballot, f.status, f.deadline
          from (select distinct ballot from i order by ballot) d
         cross join lateral ballot_for_cast(d.ballot) f
    ), e as materialized (
        select i.ord from i
         where exists (select 1 from ballot_electorate e
                        where e.ballot_id = i.ballot and e.person_id = i.person)
    ), ok as materialized (
        select i.* from i join b on b.ballot = i.ballot
         where b.status = 'open' and b.deadline > i.now and i.ord in (select ord from e)
    )"""


def _cast_params(tenant: str, casts: list[dict]) -> dict:
    return {
        "tenant": tenant,
        "ord": list(range(len(casts))),
        "ballot": [str(c["ballot_id"]) for c in casts],
        "person": [c["person_id"] for c in casts],
        "choice": [c["choice"] for c in casts],
        "reason": [c["reason"] for c in casts],
        "now": [c["now"] for c in casts],
        "entry": [as_json(c["entry"]) for c in casts],
    }


def _in_order(rows: list[dict], n: int) -> list[dict | None]:
    found: list[dict | None] = [None] * n
    for row in rows:
        found[row.pop("ord")] = row if row["status"] is not None else None
    return found


def cast_named(conn, tenant: str, casts: list[dict]) -> list[dict | None]:
    """One statement for the named votes of a batch, each cast a dict of ballot_id, person_id,
    choice, reason, now and its record entry (at most one per ballot and person): per cast, in
    their order, its ballot's status and deadline (read under the shared cast lock, see
    migration 0104), whether the person is in the frozen electorate, and, only when the ballot
    is open at the cast's `now` and they are, the vote stored or changed (changes counted) with
    its record entry; `voted`: how many have voted in its ballot, this batch's votes included.
    None for a cast whose ballot does not exist; raises nothing."""
    rows = conn.execute(
        "with"
        + _INPUT
        + """, v as (
            insert into votes (tenant, ballot_id, person_id, choice, reason, cast_at)
            select %(tenant)s, ballot, person, choice, reason, now from ok order by ord
            on conflict (tenant, ballot_id, person_id) do update
               set choice = excluded.choice, reason = excluded.reason, cast_at = excluded.cast_at,
                   changes = votes.changes + 1
            returning ballot_id, person_id, choice, reason, cast_at, changes
        ), r as (
            insert into ballot_record (tenant, ballot_id, entry)
            select %(tenant)s, ok.ballot, ok.entry
              from ok join v on v.ballot_id = ok.ballot and v.person_id = ok.person
             order by ok.ord
        ), n as (
            select b.ballot,
                   (select count(*) from votes x where x.ballot_id = b.ballot)
                     + (select count(*) from v where v.ballot_id = b.ballot and v.changes = 0)
                     as voted
              from b
        )
        select i.ord, b.status, b.deadline, i.ord in (select ord from e) as member,
               v.person_id, v.choice, v.reason, v.cast_at, v.changes, n.voted
          from i left join b on b.ballot = i.ballot
          left join n on n.ballot = i.ballot
          left join v on v.ballot_id = i.ballot and v.person_id = i.person
        """,
        _cast_params(tenant, casts),
    ).fetchall()
    return _in_order(rows, len(casts))


def cast_secret(conn, tenant: str, casts: list[dict]) -> list[dict | None]:
    """One statement for the secret votes of a batch (casts as for cast_named): per cast, its
    ballot's status and deadline (under the shared cast lock), whether the person is in the
    frozen electorate, and, only when the ballot is open at the cast's `now`, they are and have
    not taken part yet, their participation, the vote unlinked from them (the batch's votes
    stored in an order of their own, at random) and the record entry; `first`: whether this
    was their first vote; `voted`: how many have taken part in its ballot, this batch
    included. None for a cast whose ballot does not exist; raises nothing."""
    rows = conn.execute(
        "with"
        + _INPUT
        + """, p as (
            insert into participation (tenant, ballot_id, person_id)
            select %(tenant)s, ballot, person from ok order by ord
            on conflict do nothing
            returning ballot_id, person_id
        ), s as (
            insert into secret_votes (tenant, ballot_id, choice, reason)
            select %(tenant)s, ok.ballot, ok.choice, ok.reason
              from ok join p on p.ballot_id = ok.ballot and p.person_id = ok.person
             order by random()
        ), r as (
            insert into ballot_record (tenant, ballot_id, entry)
            select %(tenant)s, ok.ballot, ok.entry
              from ok join p on p.ballot_id = ok.ballot and p.person_id = ok.person
             order by ok.ord
        ), n as (
            select b.ballot,
                   (select count(*) from participation x where x.ballot_id = b.ballot)
                     + (select count(*) from p where p.ballot_id = b.ballot) as voted
              from b
        )
        select i.ord, b.status, b.deadline, i.ord in (select ord from e) as member,
               p.person_id is not null as first, n.voted
          from i left join b on b.ballot = i.ballot
          left join n on n.ballot = i.ballot
          left join p on p.ballot_id = i.ballot and p.person_id = i.person
        """,
        _cast_params(tenant, casts),
    ).fetchall()
    return _in_order(rows, len(casts))


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


def rewrite_secret_votes(conn, ballot_id) -> None:
    """At closing: the ballot's secret votes written anew (new random ids) in the order of
    their content, so that their rows' places and transaction ids no longer follow the order
    of the casts (a dump of the closed ballot carries none); raises nothing."""
    conn.execute(
        """
        with d as (
            delete from secret_votes where ballot_id = %(ballot)s
            returning tenant, ballot_id, choice, reason
        )
        insert into secret_votes (tenant, ballot_id, choice, reason)
        select tenant, ballot_id, choice, reason from d order by choice, reason nulls first
        """,
        {"ballot": ballot_id},
    )


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
