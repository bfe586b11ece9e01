"""SQL of a person's requests (DSGVO) in voting. Runs inside the caller's unit of work."""

from __future__ import annotations

from knotenpunkt.services.voting.store.common import as_json


def electorate_of(conn, person_ids: list[str]) -> list[dict]:
    """The person's entries in the bodies' electorates."""
    return conn.execute(
        "select * from electorate where person_id = any(%s) order by body", (person_ids,)
    ).fetchall()


def ballot_entries_of(conn, person_ids: list[str]) -> list[dict]:
    """The person's places in the electorates frozen at the ballots' opening, with the ballot."""
    return conn.execute(
        "select e.*, b.title, b.body, b.status, b.secret from ballot_electorate e"
        " join ballots b on b.id = e.ballot_id where e.person_id = any(%s) order by b.opened_at",
        (person_ids,),
    ).fetchall()


def votes_of(conn, person_ids: list[str]) -> list[dict]:
    """The person's named votes."""
    return conn.execute(
        "select * from votes where person_id = any(%s) order by cast_at", (person_ids,)
    ).fetchall()


def participation_of(conn, person_ids: list[str]) -> list[dict]:
    """The secret ballots the person took part in (never how)."""
    return conn.execute(
        "select * from participation where person_id = any(%s)", (person_ids,)
    ).fetchall()


def ballots_naming(conn, person_ids: list[str]) -> list:
    """The ids of the ballots that name one of the person ids."""
    rows = conn.execute(
        "select ballot_id from ballot_electorate where person_id = any(%(p)s)"
        " union select ballot_id from votes where person_id = any(%(p)s)"
        " union select ballot_id from participation where person_id = any(%(p)s)",
        {"p": person_ids},
    ).fetchall()
    return sorted(r["ballot_id"] for r in rows)


def sealed_entries(conn, ballot_id) -> list[dict]:
    """The ballot's sealed record with the rows' ids, in order."""
    return conn.execute(
        "select id, seq, entry, prev_hash, hash from ballot_record"
        " where ballot_id = %s and seq is not null order by seq",
        (ballot_id,),
    ).fetchall()


def set_entry(conn, entry_id, entry: dict) -> None:
    """Replace a record entry's content (its seq and hashes stay)."""
    conn.execute(
        "update ballot_record set entry = %s where id = %s",
        (as_json(entry), entry_id),
    )


def pseudonymise(conn, ballot_id, person_ids: list[str], pseudonym: str, name: str) -> dict:
    """Replace the person in the ballot's electorate, votes, participation and dissent; returns
    how many rows per table."""
    args = {"b": ballot_id, "p": person_ids, "x": pseudonym, "n": name}
    counts = {
        "ballot_electorate": conn.execute(
            "update ballot_electorate set person_id = %(x)s, name = %(n)s, email = null"
            " where ballot_id = %(b)s and person_id = any(%(p)s)",
            args,
        ).rowcount,
        "votes": conn.execute(
            "update votes set person_id = %(x)s where ballot_id = %(b)s and person_id = any(%(p)s)",
            args,
        ).rowcount,
        "participation": conn.execute(
            "update participation set person_id = %(x)s"
            " where ballot_id = %(b)s and person_id = any(%(p)s)",
            args,
        ).rowcount,
    }
    counts["ballots"] = conn.execute(
        """
        update ballots set dissent = (
            select jsonb_agg(case when d->>'person_id' = any(%(p)s)
                                  then d || jsonb_build_object('person_id', %(x)s::text, 'name', %(n)s::text)
                                  else d end)
              from jsonb_array_elements(dissent) d)
         where id = %(b)s and jsonb_typeof(dissent) = 'array'
           and exists (select 1 from jsonb_array_elements(dissent) d
                        where d->>'person_id' = any(%(p)s))
        """,
        args,
    ).rowcount
    return counts


def delete_electorate(conn, person_ids: list[str]) -> int:
    """Delete the person from the bodies' electorates; returns how many."""
    return conn.execute("delete from electorate where person_id = any(%s)", (person_ids,)).rowcount
