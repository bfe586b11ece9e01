"""Casts racing a close against real PostgreSQL: a cast holds no lock on the ballot's row,
only the shared cast lock that closing takes exclusively (migration 0104). Every vote
answered 200 is in the tally and the record; every later one is refused with 409."""

from __future__ import annotations

import threading

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


def test_casts_racing_a_close_are_counted_or_refused(clients, token, body, voting_db):
    people = body("chemnitz", "vorbereitungsgremium", 30)
    bid = open_ballot(clients, token, "chemnitz", "vorbereitungsgremium")["id"]
    voters = people[:24]
    start = threading.Barrier(len(voters) + 1)
    codes: dict[str, int] = {}

    def cast(person):
        start.wait()
        codes[person] = vote(clients, token, "chemnitz", bid, person, "yes").status_code

    def close():
        start.wait()
        resp = clients["voting"].post(
            f"/api/v1/chemnitz/ballots/{bid}/close", headers=token("chemnitz", "coordinator")
        )
        codes["close"] = resp.status_code

    threads = [threading.Thread(target=cast, args=(p,)) for p in voters]
    threads.append(threading.Thread(target=close))
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert codes.pop("close") == 200
    accepted = sorted(p for p, code in codes.items() if code == 200)
    assert sorted(set(codes.values()) - {200}) in ([], [409])
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
    after = [e for e in record["entries"] if e["entry"]["type"] == "vote"]
    assert sorted(e["entry"]["person_id"] for e in after) == accepted
    assert record["entries"][-1]["entry"]["type"] == "closed"
