"""What the benchmark scripts share."""

from __future__ import annotations


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]
