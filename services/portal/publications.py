"""Published partner overviews as the portal shows them, kept per web process.

A publication is frozen when it is published (membership never changes its entries), so
what the portal builds from one — the publication itself, the overview's table, the print
page's body, the PDF — is kept by (network, publication id, language) and built once per
process: at a county's size (2,000 partners) building it takes far longer than a request
may. Which publication is the latest is asked every time (a list of counts, no entries).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import abort

from .client import public

# A county's overview of 2,000 partners is about 0.5 MB as data and as each rendering.
MAX_ENTRIES = 64
MAX_BYTES = 48 * 1024 * 1024


class Frozen:
    """Values built from frozen publications, least recently used out, bounded in bytes."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._values: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get_or_build(self, key: tuple, build: Callable[[], object], size: Callable) -> object:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key][0]
        value = build()  # outside the lock: two threads may build it once each, both right
        n = size(value)
        with self._lock:
            if key not in self._values and n <= self.max_bytes // 4:
                self._values[key] = (value, n)
                self._bytes += n
                while len(self._values) > self.max_entries or self._bytes > self.max_bytes:
                    _, (_, dropped) = self._values.popitem(last=False)
                    self._bytes -= dropped
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._bytes = 0


FROZEN = Frozen()


def _entries_size(publication: dict) -> int:
    return 200 * len(publication.get("entries") or []) + 500


def publication(tenant: str, publication_id: str) -> dict:
    """One publication with its entries (the portal's 404 page when there is none)."""

    def fetch() -> dict:
        return public("membership", tenant, f"directory/publications/{publication_id}").or_404()

    return FROZEN.get_or_build(("publication", tenant, publication_id), fetch, _entries_size)


def latest(tenant: str) -> dict | None:
    """The newest publication with its entries, or None when none was published."""
    reply = public("membership", tenant, "directory/publications")
    if not reply.ok:
        abort(502 if reply.status >= 500 else 404)
    summaries = reply.data or []
    if not summaries:
        return None
    newest = max(summaries, key=lambda s: str(s["published_at"]))
    return publication(tenant, str(newest["id"]))


def rendered(kind: str, tenant: str, publication_id: str, language: str, build: Callable):
    """What `build` makes of a publication (HTML or PDF bytes), once per process."""
    return FROZEN.get_or_build((kind, tenant, publication_id, language), build, len)
