"""shared.groupcommit without a database: batches form up to their size or their wait, each
member gets its own outcome after the batch's unit of work has ended, a failed batch runs its
members alone, a commit of unknown outcome fails them all."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import psycopg
import pytest

from knotenpunkt.shared.groupcommit import ALONE, GroupCommit


class Units:
    """unit_of_work(): a 'connection' (a list of what ran in it), committed when the block
    ends without error; commit_error: raised at the end of the block (the commit)."""

    def __init__(self, commit_error: Exception | None = None):
        self.committed: list[list] = []
        self.commit_error = commit_error
        self.lock = threading.Lock()

    @contextmanager
    def __call__(self):
        conn: list = []
        yield conn
        if self.commit_error is not None:
            raise self.commit_error
        with self.lock:
            self.committed.append(conn)


def run_all(group: GroupCommit, items, units: Units, batch, alone=None) -> list:
    """Run the items at once, each in its own thread; their outcomes (or errors) in order."""
    answers: list = [None] * len(items)

    def one(i, item):
        try:
            answers[i] = group.run(
                "tenant",
                item,
                batch=batch,
                alone=alone or (lambda conn, it: conn.append(("alone", it)) or ("alone", it)),
                unit_of_work=units,
            )
        except Exception as exc:  # the member's own error: kept as its answer
            answers[i] = exc

    threads = [threading.Thread(target=one, args=(i, it)) for i, it in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return answers


def doubled(conn, items):
    conn.append(("batch", list(items)))
    return [it * 2 for it in items]


def test_a_full_batch_is_one_unit_of_work_and_every_member_gets_its_own_outcome():
    units, group = Units(), GroupCommit(4, 30.0)
    assert run_all(group, [1, 2, 3, 4], units, doubled) == [2, 4, 6, 8]
    assert len(units.committed) == 1 and sorted(units.committed[0][0][1]) == [1, 2, 3, 4]
    assert (group.batches, group.batched_items, group.failed_batches) == (1, 4, 0)
    assert (group.running_items, group.running_batches) == (0, 0)


def test_the_wait_ends_a_batch_that_does_not_fill_and_one_alone_runs_alone():
    units, group = Units(), GroupCommit(64, 0.001)
    assert run_all(group, [7], units, doubled) == [("alone", 7)]
    assert units.committed == [[("alone", 7)]] and group.batches == 0


def test_disabled_runs_each_alone_at_once():
    for size in (0, 1):
        units, group = Units(), GroupCommit(size, 30.0)
        assert not group.enabled
        assert run_all(group, [1, 2], units, doubled) == [("alone", 1), ("alone", 2)]
        assert len(units.committed) == 2


def test_an_error_outcome_fails_only_its_member_and_alone_runs_after_the_batch():
    units, group = Units(), GroupCommit(3, 30.0)
    refused = ValueError("refused")

    def batch(conn, items):
        return [refused if it == 2 else ALONE if it == 3 else it for it in items]

    answers = dict(zip([1, 2, 3], run_all(group, [1, 2, 3], units, batch), strict=True))
    assert answers == {1: 1, 2: refused, 3: ("alone", 3)}
    assert len(units.committed) == 2 and group.failed_batches == 0


def test_a_failed_batch_runs_each_member_alone_so_only_the_bad_one_fails():
    units, group = Units(), GroupCommit(3, 30.0)

    def batch(conn, items):
        raise RuntimeError("the statement failed")

    def alone(conn, item):
        if item == 2:
            raise KeyError(item)
        conn.append(item)
        return item

    answers = run_all(group, [1, 2, 3], units, batch, alone)
    assert answers[0] == 1 and answers[2] == 3 and isinstance(answers[1], KeyError)
    assert sorted(c[0] for c in units.committed) == [1, 3]
    assert (group.batches, group.failed_batches) == (0, 1)


@pytest.mark.parametrize("lost_at_commit", [True, False])
def test_a_connection_lost_at_commit_fails_every_member_without_running_again(lost_at_commit):
    lost = psycopg.OperationalError("server closed the connection unexpectedly")
    units = Units(commit_error=lost if lost_at_commit else None)
    group = GroupCommit(2, 30.0)

    def batch(conn, items):
        if not lost_at_commit:
            raise lost  # before the commit: nothing written, each runs alone
        return list(items)

    answers = run_all(group, [1, 2], units, batch, lambda conn, it: ("alone", it))
    if lost_at_commit:
        assert answers == [lost, lost] and units.committed == []
    else:
        assert answers == [("alone", 1), ("alone", 2)] and group.failed_batches == 1
