"""Group commit: the concurrent requests of one web process (gunicorn's threads) written together.

A request hands its item to :meth:`GroupCommit.run`. The first one of a key (a tenant) opens
a batch and leads it: it waits until the batch holds ``max_size`` items or ``wait`` seconds
have passed, whichever comes first, while the requests arriving meanwhile join it. The leader
then runs the whole batch in one unit of work (``batch(conn, items)``: one multi-row statement,
one commit) and only after the commit hands each member its outcome; each member waits for
exactly that. A batch arriving later opens the next one (batches of one key may run side by
side, each in its own transaction).

``batch`` returns one outcome per item: the answer, an exception (that member's own error,
e.g. a refused vote; the others are committed), or :data:`ALONE` (the member runs by itself
after the batch, e.g. a second cast of the same voter in one batch). When the batch itself
fails (its transaction raised), nothing of it was committed and each member runs again by
itself, in its own thread and unit of work (``alone(conn, item)``), so that one bad item gets
the error it would have had alone and the others are not failed by it. Only a connection lost
while committing (where the outcome of the commit is not known) fails every member with that
error, as it would have failed each of them alone: running again might write twice.

``max_size`` 0 or 1 disables grouping: every item runs alone, at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from typing import Any

import psycopg

log = logging.getLogger(__name__)
ALONE = object()  # outcome: run this member by itself after the batch


class _Batch:
    __slots__ = ("items", "full", "done", "outcomes", "failed")

    def __init__(self):
        self.items: list = []
        self.full = threading.Event()
        self.done = threading.Event()
        self.outcomes: list | None = None
        self.failed: BaseException | None = None  # the commit's outcome is not known


class GroupCommit:
    """Batches of up to ``max_size`` items or ``wait`` seconds, one transaction each."""

    def __init__(self, max_size: int = 64, wait: float = 0.002):
        self.max_size = max_size
        self.wait = wait
        self._lock = threading.Lock()
        self._open: dict[Hashable, _Batch] = {}
        # what runs now (tests wait for it): items and batches in a transaction
        self.running_items = 0
        self.running_batches = 0
        self.batches = 0  # batches of more than one item committed so far
        self.batched_items = 0
        self.failed_batches = 0  # batches whose members ran alone after the batch failed

    @property
    def enabled(self) -> bool:
        return self.max_size > 1

    def run(
        self,
        key: Hashable,
        item: Any,
        *,
        batch: Callable[[Any, list], list],
        alone: Callable[[Any, Any], Any],
        unit_of_work: Callable[[], AbstractContextManager],
    ) -> Any:
        """The item's outcome, once the transaction holding it has committed; raises the
        item's own error."""
        if not self.enabled:
            return _alone(item, alone, unit_of_work)
        with self._lock:
            current = self._open.get(key)
            leader = current is None
            if leader:
                current = self._open[key] = _Batch()
            index = len(current.items)
            current.items.append(item)
            if len(current.items) >= self.max_size:
                del self._open[key]  # closed: the next request opens a new batch
                current.full.set()
        if leader:
            current.full.wait(self.wait)
            with self._lock:
                if self._open.get(key) is current:
                    del self._open[key]
            self._execute(current, batch, unit_of_work)
        else:
            current.done.wait()
        if current.failed is not None:
            raise current.failed
        outcome = ALONE if current.outcomes is None else current.outcomes[index]
        if outcome is ALONE:
            return _alone(item, alone, unit_of_work)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def _execute(self, current: _Batch, batch, unit_of_work) -> None:
        """Run the closed batch, then wake its members (outcomes None: each runs alone)."""
        items = current.items
        if len(items) == 1:
            current.outcomes = [ALONE]
            current.done.set()
            return
        with self._lock:
            self.running_items += len(items)
            self.running_batches += 1
        committing = False
        try:
            with unit_of_work() as conn:
                outcomes = batch(conn, items)
                committing = True
            current.outcomes = outcomes
            with self._lock:
                self.batches += 1
                self.batched_items += len(items)
        except psycopg.OperationalError as exc:
            if committing:
                current.failed = exc  # committed or not: nobody can tell, so nobody retries
            else:
                log.info("a batch of %d lost its connection (%s); each runs alone", len(items), exc)
                with self._lock:
                    self.failed_batches += 1
        except Exception as exc:  # noqa: BLE001 (nothing of the batch was committed)
            log.info(
                "a batch of %d failed (%s: %s); each of them runs alone",
                len(items),
                type(exc).__name__,
                exc,
            )
            current.outcomes = None
            with self._lock:
                self.failed_batches += 1
        finally:
            with self._lock:
                self.running_items -= len(items)
                self.running_batches -= 1
            current.done.set()


def _alone(item, alone, unit_of_work):
    with unit_of_work() as conn:
        return alone(conn, item)
