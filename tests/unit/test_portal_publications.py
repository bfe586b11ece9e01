"""The portal's store of what it builds from frozen partner overviews (publications.Frozen)."""

from __future__ import annotations

import threading

from knotenpunkt.services.portal.publications import Frozen


def test_built_once_per_key():
    frozen, calls = Frozen(), []

    def build():
        calls.append(1)
        return b"table"

    assert frozen.get_or_build(("t", "chemnitz", "p1", "de"), build, len) == b"table"
    assert frozen.get_or_build(("t", "chemnitz", "p1", "de"), build, len) == b"table"
    assert len(calls) == 1
    frozen.get_or_build(("t", "chemnitz", "p1", "en"), build, len)
    frozen.get_or_build(("t", "magdeburg", "p1", "de"), build, len)
    assert len(calls) == 3  # another language, another network: built anew


def test_least_recently_used_out_by_count_and_bytes():
    frozen = Frozen(max_entries=2, max_bytes=40)
    frozen.get_or_build(("a",), lambda: b"1" * 10, len)
    frozen.get_or_build(("b",), lambda: b"2" * 10, len)
    frozen.get_or_build(("a",), lambda: b"x", len)  # a used again
    frozen.get_or_build(("c",), lambda: b"3" * 10, len)  # b out (count)
    assert frozen.get_or_build(("a",), lambda: b"new", len) == b"1" * 10
    assert frozen.get_or_build(("b",), lambda: b"new", len) == b"new"
    frozen = Frozen(max_entries=10, max_bytes=40)
    frozen.get_or_build(("a",), lambda: b"1" * 10, len)
    frozen.get_or_build(("b",), lambda: b"2" * 10, len)
    frozen.get_or_build(("c",), lambda: b"3" * 10, len)
    frozen.get_or_build(("d",), lambda: b"4" * 10, len)
    frozen.get_or_build(("e",), lambda: b"5" * 10, len)  # 50 bytes: a out
    assert frozen.get_or_build(("a",), lambda: b"new", len) == b"new"


def test_too_large_is_built_but_not_kept():
    frozen, calls = Frozen(max_entries=4, max_bytes=40), []

    def build():
        calls.append(1)
        return b"x" * 11  # over a quarter of the bound

    frozen.get_or_build(("big",), build, len)
    frozen.get_or_build(("big",), build, len)
    assert len(calls) == 2


def test_threads_get_the_same_value():
    frozen, results = Frozen(), []

    def read():
        results.append(frozen.get_or_build(("k",), lambda: "v", len))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["v"] * 8
