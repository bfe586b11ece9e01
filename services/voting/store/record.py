"""SQL of a ballot's record: entries appended, sealed into the hash chain (under the record
lock), read back. Runs inside the caller's unit of work."""

from __future__ import annotations

from knotenpunkt.services.voting.store.common import as_json


def append(conn, tenant: str, ballot_id, entry: dict) -> None:
    """Add an unsealed entry to the ballot's record; raises nothing."""
    conn.execute(
        "insert into ballot_record (tenant, ballot_id, entry) values (%s, %s, %s)",
        (tenant, ballot_id, as_json(entry)),
    )


def lock_record(conn, ballot_id) -> None:
    """Hold the ballot's record for sealing until the transaction ends; raises nothing."""
    conn.execute(
        "select pg_advisory_xact_lock(hashtext('ballot-record:' || %s))", (str(ballot_id),)
    )


def last_sealed(conn, ballot_id) -> dict | None:
    """The last sealed entry's seq and hash, None when nothing is sealed yet; raises nothing."""
    return conn.execute(
        "select seq, hash from ballot_record where ballot_id = %s and seq is not null"
        " order by seq desc limit 1",
        (ballot_id,),
    ).fetchone()


def unsealed_entries(conn, ballot_id) -> list[dict]:
    """The entries not yet sealed (id, entry), in the order they were added; raises nothing."""
    return conn.execute(
        "select id, entry from ballot_record where ballot_id = %s and seq is null order by id",
        (ballot_id,),
    ).fetchall()


def set_seals(conn, ballot_id, sealed: list[tuple]) -> None:
    """Give entries their places in the hash chain in one statement: sealed is
    [(entry id, seq, prev_hash, hash)]; raises nothing."""
    if not sealed:
        return
    ids, seqs, prevs, hashes = (list(col) for col in zip(*sealed, strict=True))
    conn.execute(
        """
        update ballot_record r set seq = s.seq, prev_hash = s.prev, hash = s.hash
          from unnest(%s::bigint[], %s::int[], %s::text[], %s::text[]) as s(id, seq, prev, hash)
         where r.ballot_id = %s and r.id = s.id
        """,
        (ids, seqs, prevs, hashes, ballot_id),
    )


def record(conn, ballot_id) -> list[dict]:
    """The sealed entries (seq, entry, prev_hash, hash) in order; raises nothing."""
    return conn.execute(
        "select seq, entry, prev_hash, hash from ballot_record"
        " where ballot_id = %s and seq is not null order by seq",
        (ballot_id,),
    ).fetchall()
