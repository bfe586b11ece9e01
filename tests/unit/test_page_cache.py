"""The page cache of hot reads: bounded by entries and bytes, least recently used out."""

from __future__ import annotations

from knotenpunkt.shared.pagecache import PageCache


def test_least_recently_used_entries_go_first():
    cache = PageCache(max_entries=2)
    cache.put("a", b"1")
    cache.put("b", b"2")
    assert cache.get("a") == b"1"  # now b is the oldest
    cache.put("c", b"3")
    assert cache.get("b") is None and cache.get("a") == b"1" and cache.get("c") == b"3"


def test_the_byte_bound_holds_and_huge_answers_are_not_kept():
    cache = PageCache(max_entries=100, max_bytes=100)
    for key in "abcde":
        cache.put(key, b"x" * 20)
    cache.put("f", b"y" * 20)
    assert cache.get("a") is None and cache.get("f") == b"y" * 20
    cache.put("huge", b"z" * 60)  # more than a quarter of the bound
    assert cache.get("huge") is None and cache.get("f") == b"y" * 20


def test_putting_a_key_again_replaces_its_answer():
    cache = PageCache(max_entries=2, max_bytes=40)
    cache.put("a", b"12345")
    cache.put("a", b"123")
    cache.put("b", b"1234567")
    assert cache.get("a") == b"123" and cache.get("b") == b"1234567"
