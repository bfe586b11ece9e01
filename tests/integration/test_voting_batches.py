"""Group commit of casts against real PostgreSQL (shared.groupcommit, handlers.votes.cast_votes):
concurrent casts of one process are written in one transaction, each answered only after the
commit that holds it; a batch that fails is run again cast by cast, so that only the bad cast
fails, with the error it has alone; a batch racing a close is counted whole or refused whole.

Each test gives the app a group commit of exactly its batch's size and a long wait, so that
the batch forms whatever the machine's load; the counters of the group commit say that the
batch was formed (and failed, where it should)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import psycopg
import pytest

from knotenpunkt.shared.groupcommit import GroupCommit
from tests.integration import test_voting as tv
from tests.integration.test_voting_race import cast_lock_held, started

voting_app, clock, clients, voting_db, context, body = (
    tv.voting_app,
    tv.clock,
    tv.clients,
    tv.voting_db,
    tv.context,
    tv.body,
)
open_ballot, vote, open_secret_ballot = tv.open_ballot, tv.vote, tv.open_secret_ballot
TENANT, BODY = "chemnitz", "vorbereitungsgremium"


@pytest.fixture
def batch_of(voting_app, monkeypatch):
    """batch_of(n) -> the app's new group commit: batches of n casts (waiting up to 30 s)."""

    def make(n: int) -> GroupCommit:
        group = GroupCommit(n, 30.0)
        monkeypatch.setitem(voting_app.extensions["knotenpunkt"].deps, "cast_batch", group)
        return group

    return make


@contextmanager
def trigger(settings, table: str, when: str, body_sql: str, *, deferred: bool = False):
    """A trigger on `table` for the rows matching `when` (a real failure or delay of the
    database, for this block only)."""
    name = f"test_{table}_{abs(hash((when, body_sql))) % 10**8}"
    kind = (
        f"create constraint trigger {name} after insert on {table} deferrable initially deferred"
        if deferred
        else f"create trigger {name} before insert on {table}"
    )
    with psycopg.connect(settings.admin_url("knotenpunkt_voting"), autocommit=True) as conn:
        conn.execute(
            f"create function {name}() returns trigger language plpgsql as $$"
            f" begin {body_sql}; return new; end $$"
        )
        conn.execute(f"{kind} for each row when ({when}) execute function {name}()")
        try:
            yield
        finally:
            conn.execute(f"drop trigger {name} on {table}")
            conn.execute(f"drop function {name}()")


def cast_all(clients, token, bid, casts) -> list:
    """The answers to casts [(person, choice, reason)] sent at once, in their order."""
    answers: list = [None] * len(casts)

    def one(i, person, choice, reason):
        answers[i] = vote(clients, token, TENANT, bid, person, choice, reason)

    threads = [started(one, i, *c) for i, c in enumerate(casts)]
    for t in threads:
        t.join()
    return answers


def rows(settings, sql: str, *args) -> list[tuple]:
    with psycopg.connect(settings.admin_url("knotenpunkt_voting")) as conn:
        return conn.execute(sql, args).fetchall()


def record_of(clients, token, bid) -> dict:
    coord = token(TENANT, "coordinator")
    return clients["voting"].get(f"/api/v1/{TENANT}/ballots/{bid}/record", headers=coord).get_json()


def test_a_batch_is_one_transaction_and_answered_only_after_its_commit(
    clients, token, body, settings, batch_of
):
    people = body(TENANT, BODY, 6)
    bid = open_ballot(clients, token, TENANT, BODY)["id"]
    group = batch_of(4)
    casts = [(p, "yes", None) for p in people[:3]] + [(people[3], "no", "Zu teuer.")]
    answers: list = []
    # the batch's commit waits (a deferred trigger runs at commit) until the test lets go
    hold = "perform pg_advisory_xact_lock_shared(4242)"
    with psycopg.connect(settings.admin_url("knotenpunkt_voting")) as gate:
        gate.execute("select pg_advisory_xact_lock(4242)")
        with trigger(settings, "votes", f"new.ballot_id = '{bid}'", hold, deferred=True):
            sender = threading.Thread(
                target=lambda: answers.extend(cast_all(clients, token, bid, casts))
            )
            sender.start()
            for _ in range(600):
                waiting = rows(
                    settings,
                    "select count(*) from pg_stat_activity where wait_event = 'advisory'"
                    " and query like 'COMMIT%%'",
                )[0][0]
                if waiting:
                    break
                sender.join(0.05)
            assert waiting == 1, "the batch's commit was to wait"
            # committing, not committed: no answer yet, and no vote visible
            assert answers == [] and sender.is_alive()
            assert rows(settings, "select count(*) from votes where ballot_id = %s", bid) == [(0,)]
            gate.commit()
            sender.join(60)
    assert [a.status_code for a in answers] == [200] * 4, [a.get_json() for a in answers]
    assert (group.batches, group.batched_items, group.failed_batches) == (1, 4, 0)
    # one transaction wrote all four votes and their record entries
    assert rows(
        settings, "select count(distinct xmin::text) from votes where ballot_id = %s", bid
    ) == [(1,)]
    stored = rows(
        settings,
        "select person_id, choice, reason, changes from votes where ballot_id = %s order by 1",
        bid,
    )
    assert stored == sorted((p, c, r, 0) for p, c, r in casts)
    record = record_of(clients, token, bid)
    assert record["valid"], record["problems"]
    assert sorted(e["entry"]["person_id"] for e in record["entries"][1:]) == sorted(people[:4])


def test_a_batch_that_fails_half_way_fails_only_the_bad_cast(
    clients, token, body, settings, batch_of
):
    """The third cast's record entry is refused by the database after the batch's votes were
    written (the same statement): nothing of the batch stays, the others are written again
    alone, the bad one gets the answer it gets alone."""
    people = body(TENANT, BODY, 6)
    bid = open_ballot(clients, token, TENANT, BODY)["id"]
    bad = people[2]
    refuse = "raise exception 'Eintrag abgelehnt'"
    with trigger(settings, "ballot_record", f"new.entry->>'person_id' = '{bad}'", refuse):
        group = batch_of(4)
        answers = cast_all(clients, token, bid, [(p, "yes", None) for p in people[:4]])
        assert (group.batches, group.failed_batches) == (0, 1)
        batch_of(0)  # the same cast alone, no group commit
        alone = vote(clients, token, TENANT, bid, bad, "yes")
    codes = [a.status_code for a in answers]
    assert codes == [200, 200, 500, 200], [a.get_json() for a in answers]
    assert alone.status_code == 500
    assert answers[2].get_json()["type"] == alone.get_json()["type"]
    assert answers[2].mimetype == alone.mimetype == "application/problem+json"
    good = sorted(people[:2] + people[3:4])
    # each good vote once, not changed (not written twice), the bad one not at all
    assert rows(
        settings, "select person_id, changes from votes where ballot_id = %s order by 1", bid
    ) == [(p, 0) for p in good]
    record = record_of(clients, token, bid)
    assert record["valid"], record["problems"]
    assert sorted(e["entry"]["person_id"] for e in record["entries"][1:]) == good
    # without the fault the member votes as any other
    assert vote(clients, token, TENANT, bid, bad, "yes").status_code == 200


def test_refused_casts_in_a_batch_leave_the_others_standing(
    clients, token, body, settings, batch_of, tenants, voting_db, context, clock
):
    """A non-member, a choice the rule does not know, a missing reason, an unknown ballot and a
    second cast of one voter: each answered as alone, in the same committed batch."""
    people = body(TENANT, BODY, 4)
    bid = open_ballot(clients, token, TENANT, BODY)["id"]
    group = batch_of(6)
    unknown = "00000000-0000-4000-8000-000000000000"
    answers: list = [None] * 6
    casts = [
        (bid, people[0], "yes", None),
        (bid, "m-nobody", "yes", None),
        (bid, people[1], "vielleicht", None),
        (bid, people[2], "no", None),
        (unknown, people[3], "yes", None),
        (bid, people[0], "no", "Doch nicht."),
    ]

    def one(i, ballot, person, choice, reason):
        answers[i] = vote(clients, token, TENANT, ballot, person, choice, reason)

    for t in [started(one, i, *c) for i, c in enumerate(casts)]:
        t.join()
    assert [a.status_code for a in answers] == [200, 403, 422, 422, 404, 200]
    assert "choice" in str(answers[2].get_json())
    assert "reason" in str(answers[3].get_json())
    assert (group.batches, group.failed_batches) == (1, 0)
    # the voter's second cast ran after the batch: it changed the vote
    assert sorted(a.get_json()["changes"] for a in (answers[0], answers[5])) == [0, 1]
    assert rows(settings, "select person_id, changes from votes where ballot_id = %s", bid) == [
        (people[0], 1)
    ]
    assert record_of(clients, token, bid)["valid"]

    secret = str(open_secret_ballot(tenants, voting_db, context, clock, "Geheim")["id"])
    group = batch_of(3)
    twice = cast_all(
        clients,
        token,
        secret,
        [(people[0], "yes", None), (people[0], "no", "x"), (people[1], "no", "y")],
    )
    assert sorted(a.status_code for a in twice[:2]) == [200, 409] and twice[2].status_code == 200
    assert group.batches == 1
    assert rows(settings, "select count(*) from participation where ballot_id = %s", secret) == [
        (2,)
    ]
    assert rows(settings, "select count(*) from secret_votes where ballot_id = %s", secret) == [
        (2,)
    ]


def test_a_batch_racing_a_close_is_counted_whole_or_refused_whole(
    clients, token, body, settings, voting_db, voting_app, batch_of
):
    people = body(TENANT, BODY, 12)
    bid = open_ballot(clients, token, TENANT, BODY)["id"]
    ahead, behind = people[:4], people[4:8]
    group = batch_of(4)
    answers: dict[str, int] = {}

    def cast_batch(persons):
        for p, a in zip(
            persons, cast_all(clients, token, bid, [(p, "yes", None) for p in persons]), strict=True
        ):
            answers[p] = a.status_code

    def close():
        resp = clients["voting"].post(
            f"/api/v1/{TENANT}/ballots/{bid}/close", headers=token(TENANT, "coordinator")
        )
        answers["close"] = resp.status_code

    with cast_lock_held(settings, bid, voting_app) as queued:
        threads = [started(cast_batch, ahead)]
        queued(4)
        threads.append(started(close))
        queued(5)
        threads.append(started(cast_batch, behind))
        queued(9)
    for t in threads:
        t.join()
    assert answers.pop("close") == 200
    assert {p: answers[p] for p in ahead} == dict.fromkeys(ahead, 200)
    assert {p: answers[p] for p in behind} == dict.fromkeys(behind, 409)
    assert group.batches == 2 and group.failed_batches == 0
    closed = (
        clients["voting"]
        .get(f"/api/v1/{TENANT}/ballots/{bid}", headers=token(TENANT, "coordinator"))
        .get_json()
    )
    assert closed["tally"]["voted"] == closed["tally"]["yes"] == 4
    assert rows(settings, "select person_id from votes where ballot_id = %s order by 1", bid) == [
        (p,) for p in sorted(ahead)
    ]
    record = record_of(clients, token, bid)
    assert record["valid"], record["problems"]
    assert record["entries"][-1]["entry"]["type"] == "closed"
