"""The publisher's bookkeeping of broker confirms: a batch counts as held only when every
message of it is acked, singly or by a multiple ack."""

from __future__ import annotations

from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.outbox import Publisher


def publisher_with(unacked: range) -> Publisher:
    p = Publisher(Settings(broker_url="amqp://guest:guest@127.0.0.1:1//"))
    p._unacked = set(unacked)
    return p


def test_single_and_multiple_acks_confirm_exactly_their_tags():
    p = publisher_with(range(1, 11))
    p._on_ack(3, False)
    p._on_ack(5, True)
    assert p._unacked == {6, 7, 8, 9, 10}
    p._on_ack(8, False)
    assert p._unacked == {6, 7, 9, 10}
    p._on_ack(9, True)
    assert p._unacked == {10} and not p._nacked
    p._on_ack(10, True)
    assert p._unacked == set()


def test_a_nack_marks_the_batch_failed():
    p = publisher_with(range(1, 5))
    p._on_nack(2, True)
    assert p._nacked and p._unacked == {3, 4}
