"""HTTP API of the notifications service; the domain endpoints come with issue #6."""

from __future__ import annotations

BLUEPRINTS: tuple = ()
