"""Which database errors pause the worker (the database is away) and which are the message's
own failure (retried, then dead-lettered)."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from knotenpunkt.shared.consumer import EventConsumer
from knotenpunkt.shared.worker import WorkerConsumer, _DatabaseAway, database_away


@pytest.mark.parametrize(
    "error",
    [
        errors.AdminShutdown,
        errors.CrashShutdown,
        errors.CannotConnectNow,
        errors.IdleSessionTimeout,
        errors.ConnectionFailure,
    ],
)
def test_a_server_shut_down_or_starting_up_is_away(error):
    assert database_away(error("away"))


def test_a_connection_error_without_sqlstate_is_away():
    assert database_away(psycopg.OperationalError("connection refused"))


def test_a_cancelled_query_is_not_away():
    assert not database_away(errors.QueryCanceled("canceling statement due to statement timeout"))


def test_a_cancelled_query_fails_the_message_instead_of_pausing_the_worker(monkeypatch):
    def cancelled(self, env):
        raise errors.QueryCanceled("canceling statement due to statement timeout")

    monkeypatch.setattr(EventConsumer, "handle", cancelled)
    consumer = WorkerConsumer.__new__(WorkerConsumer)  # no broker: only handle() is used
    with pytest.raises(errors.QueryCanceled):
        consumer.handle({"id": "e1"})

    def shut_down(self, env):
        raise errors.AdminShutdown("terminating connection due to administrator command")

    monkeypatch.setattr(EventConsumer, "handle", shut_down)
    with pytest.raises(_DatabaseAway):
        consumer.handle({"id": "e2"})
