"""Rate limits on anonymous writes: per client address and per e-mail address named in the body.

Anyone may apply, submit an idea or unsubscribe without an account; without
limits those endpoints relay mail to any address. Counters live in the
service's PostgreSQL database (table rate_limits, fixed windows), so the
limits hold across all web processes. A refused request gets 429 with
Retry-After and changes nothing.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from knotenpunkt.shared.errors import TooManyRequests

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Rate:
    """`hits` per `seconds`, parsed from e.g. "10/hour"."""

    hits: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        m = _RATE.match(text)
        if not m:
            raise ValueError(f"rate {text!r}: expected '<n>/<second|minute|hour|day>'")
        return cls(int(m.group(1)), _SECONDS[m.group(2)])


def _window(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def bucket_of(kind: str, value: str) -> str:
    """A bucket name that does not keep the address itself (hashed)."""
    return f"{kind}:" + hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def hit(db, tenant: str, buckets: list[tuple[str, Rate, str]], now: datetime) -> None:
    """Count one request in each bucket; raises TooManyRequests when one is over its rate.

    buckets: (bucket name, rate, sentence saying whose limit it is). Runs in
    its own transaction, so refused requests count too.
    """
    over = None
    with db.transaction(tenant) as conn:
        for name, rate, who in buckets:
            start = _window(now, rate.seconds)
            hits = conn.execute(
                """
                insert into rate_limits (tenant, bucket, window_start, hits) values (%s, %s, %s, 1)
                on conflict (tenant, bucket, window_start)
                do update set hits = rate_limits.hits + 1
                returning hits
                """,
                (tenant, name, start),
            ).fetchone()["hits"]
            if hits > rate.hits and over is None:
                retry = int((start + timedelta(seconds=rate.seconds) - now).total_seconds()) + 1
                over = (who, max(retry, 1))
        if random.random() < 0.01:  # housekeeping now and then, not security
            conn.execute(
                "delete from rate_limits where window_start < %s", (now - timedelta(days=2),)
            )
    if over is not None:
        who, retry = over
        raise TooManyRequests(
            f"Zu viele Anfragen {who}; bitte {wait_in_minutes(retry)} erneut versuchen.", retry
        )


def wait_in_minutes(seconds: int) -> str:
    """The wait as a coordinator reads it, in whole minutes rounded up: "in 2 Minuten"."""
    minutes = max(1, -(-int(seconds) // 60))
    return "in 1 Minute" if minutes == 1 else f"in {minutes} Minuten"


def emails_in(data) -> list[str]:
    """E-mail addresses in a parsed JSON body (values of keys named email or ending in _email)."""
    found, stack = [], [(None, data)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.items())
        elif isinstance(value, list):
            stack.extend((key, v) for v in value)
        elif isinstance(value, str) and key and (key == "email" or key.endswith("_email")):
            found.append(value)
    return sorted(set(found))
