"""HTTP API of the events service; the domain endpoints come with issue #5."""

from __future__ import annotations

BLUEPRINTS: tuple = ()
