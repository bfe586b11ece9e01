"""What the voting stores share."""

from __future__ import annotations

import json


def as_json(value) -> str:
    """The value as the JSON text a jsonb column takes (dates, UUIDs as text)."""
    return json.dumps(value, default=str)
