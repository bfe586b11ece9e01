"""Casts racing a close against real PostgreSQL: a cast holds no lock on the ballot's row,
only the shared cast lock that closing takes exclusively (migration 0104). Every vote
answered 200 is in the tally and the record; every later one is refused with 409.

The interleavings are forced: a connection of the test holds the cast lock exclusively while
the requests queue behind it (PostgreSQL grants waiting locks in their order), then lets go.
Casts arriving together are written together (group commit, shared.groupcommit): a batch
waits for the lock as one connection holding all its casts, so a request is counted as
queued when its connection waits or the batch it belongs to does."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import psycopg
import pytest

from knotenpunkt.services.voting import worker as vw
from knotenpunkt.shared.groupcommit import GroupCommit
from tests.integration import test_voting as tv

# the voting tests' fixtures (a voting app on the test's clock, bodies of fresh members)
voting_app, clock, clients, voting_db, context, body = (
    tv.voting_app,
    tv.clock,
    tv.clients,
    tv.voting_db,
    tv.context,
    tv.body,
)
open_ballot, vote = tv.open_ballot, tv.vote


def batcher(app) -> GroupCommit:
    """The app's group commit of casts (bootstrap.deps' cast_batch)."""
    return app.extensions["knotenpunkt"].deps["cast_batch"]


@contextmanager
def cast_lock_held(settings, ballot_id, app):
    """Holds the ballot's cast lock exclusively (as a close does) until the block ends;
    yields queued(n): wait until n requests wait for that lock (the casts of a waiting batch
    each counted)."""
    group = batcher(app)
    with psycopg.connect(settings.app_url("voting")) as holder:
        holder.execute(
            "select pg_advisory_xact_lock(hashtext('ballot-casts'), hashtext(%s::text))",
            (str(ballot_id),),
        )

        def queued(n: int) -> None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                holder.execute("select pg_stat_clear_snapshot()")  # else read once per transaction
                waiting = holder.execute(
                    "select count(*) from pg_stat_activity where datname = current_database()"
                    " and wait_event_type = 'Lock' and wait_event = 'advisory'"
                ).fetchone()[0]
                batches, in_batches = group.running_batches, group.running_items
                if waiting >= batches and waiting - batches + in_batches >= n:
                    return
                time.sleep(0.02)
            raise AssertionError(f"{n} requests were to wait for the cast lock, {waiting} do")

        yield queued
        holder.commit()  # lets go: the waiting requests are granted in their order


def started(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args)
    thread.start()
    return thread


def test_casts_racing_a_close_are_counted_or_refused(
    clients, token, body, voting_db, settings, voting_app
):
    people = body("chemnitz", "vorbereitungsgremium", 30)
    bid = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")["id"]
    before, after = people[:4], people[4:8]  # queued ahead of the close, and behind it
    codes: dict[str, int] = {}

    def cast(person):
        codes[person] = vote(clients, token, "chemnitz", bid, person, "yes").status_code

    def close():
        resp = clients["voting"].post(
            f"/api/v1/chemnitz/ballots/{bid}/close", headers=token("chemnitz", "coordinator")
        )
        codes["close"] = resp.status_code

    with cast_lock_held(settings, bid, voting_app) as queued:
        threads = [started(cast, p) for p in before]
        queued(len(before))
        threads.append(started(close))
        queued(len(before) + 1)
        threads += [started(cast, p) for p in after]
        queued(len(before) + 1 + len(after))
    for t in threads:
        t.join()

    assert codes.pop("close") == 200
    accepted = sorted(p for p, code in codes.items() if code == 200)
    # both outcomes happened: the casts ahead of the close are counted, those behind refused
    assert accepted == sorted(before)
    assert {codes[p] for p in after} == {409}
    coordinator = token("chemnitz", "coordinator")
    closed = (
        clients["voting"].get(f"/api/v1/chemnitz/ballots/{bid}", headers=coordinator).get_json()
    )
    assert closed["status"] == "closed"
    assert closed["tally"]["voted"] == closed["tally"]["yes"] == len(accepted)
    with voting_db.transaction("chemnitz") as conn:
        stored = conn.execute(
            "select person_id from votes where ballot_id = %s order by person_id", (bid,)
        ).fetchall()
    assert [r["person_id"] for r in stored] == accepted
    record = (
        clients["voting"]
        .get(f"/api/v1/chemnitz/ballots/{bid}/record", headers=coordinator)
        .get_json()
    )
    assert record["valid"], record["problems"]
    after_votes = [e for e in record["entries"] if e["entry"]["type"] == "vote"]
    assert sorted(e["entry"]["person_id"] for e in after_votes) == accepted
    assert record["entries"][-1]["entry"]["type"] == "closed"


@pytest.mark.parametrize("together", [False, True], ids=["alone", "one-batch"])
def test_the_last_two_voters_at_once_get_no_server_error_and_the_ballot_closes(
    clients,
    token,
    body,
    voting_db,
    settings,
    tenants,
    clock,
    context,
    voting_app,
    together,
    monkeypatch,
):
    """Two casts that both see every member voted both close: neither may wait for the other's
    shared cast lock (a deadlock, 40P01, 500). One closes, or the sweep does.

    Alone (no group commit): each cast is its own transaction. In one batch: the batch's
    transaction counts both new votes and closes the ballot itself."""
    deps = voting_app.extensions["knotenpunkt"].deps
    monkeypatch.setitem(deps, "cast_batch", GroupCommit(2 if together else 0, 30.0))
    people = body("chemnitz", "vorbereitungsgremium", 4)
    bid = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")["id"]
    for p in people[:2]:
        assert vote(clients, token, "chemnitz", bid, p, "yes").status_code == 200
    last = people[2:]
    answers: list = []

    def cast(person):
        answers.append(vote(clients, token, "chemnitz", bid, person, "yes"))

    for _ in range(1 if together else 2):
        # first the last two votes at once (each counts 3 of 4: the ballot stays open), then
        # both change their vote at once (each counts 4 of 4: both close)
        with cast_lock_held(settings, bid, voting_app) as queued:
            threads = [started(cast, p) for p in last]
            queued(len(last))
        for t in threads:
            t.join()
    assert [a.status_code for a in answers] == [200] * len(answers), [a.get_json() for a in answers]
    if together:
        assert batcher(voting_app).batches == 1
        assert [a.get_json()["ballot_status"] for a in answers] == ["closed", "closed"]
    else:
        assert [a.get_json()["ballot_status"] for a in answers[:2]] == ["open", "open"]

    coordinator = token("chemnitz", "coordinator")
    url = f"/api/v1/chemnitz/ballots/{bid}"
    if clients["voting"].get(url, headers=coordinator).get_json()["status"] == "open":
        vw.close_due(tv.worker(settings, tenants, voting_db, clock), context("chemnitz"))
    closed = clients["voting"].get(url, headers=coordinator).get_json()
    assert closed["status"] == "closed" and closed["closed_by"] == "all_voted"
    assert closed["tally"]["voted"] == closed["tally"]["yes"] == 4
    record = clients["voting"].get(f"{url}/record", headers=coordinator).get_json()
    assert record["valid"], record["problems"]
    assert [e["entry"]["type"] for e in record["entries"]].count("closed") == 1
