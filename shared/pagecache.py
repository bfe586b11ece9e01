"""The page cache of a web process: serialized answers of hot reads, by their version."""

from __future__ import annotations

import threading
from collections import OrderedDict


class PageCache:
    """Serialized answers of hot reads by their version (an ETag), least recently used out.

    An entry is only ever looked up by a version the database has just confirmed, so it
    cannot be stale; the bound keeps a process small (entries and bytes).
    """

    def __init__(self, max_entries: int = 1024, max_bytes: int = 8 * 1024 * 1024):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes -= len(old) if old is not None else 0
            self._entries[key] = body
            self._bytes += len(body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)
