"""The container health check: `python -m knotenpunkt.healthcheck` (no curl in the image).

A web process (gunicorn, found by its ``--bind`` argument among the container's
processes) is healthy when its ``/healthz`` answers 200 within two seconds.
A container without a web process (a worker, ``migrate``) is healthy while it
runs: its own process is what Docker watches. ``HEALTHCHECK_URL`` overrides.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path


def bound_address() -> str | None:
    """host:port of the gunicorn in this container, or None when there is none."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"gunicorn" in args and b"--bind" in args:
            i = args.index(b"--bind")
            if i + 1 < len(args):
                return args[i + 1].decode()
    return None


def url() -> str | None:
    if os.environ.get("HEALTHCHECK_URL"):
        return os.environ["HEALTHCHECK_URL"]
    address = bound_address()
    if address is None:
        return None
    host, _, port = address.rpartition(":")
    if host in ("", "0.0.0.0", "[::]", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    target = url()
    if target is None:
        return 0
    try:
        with urllib.request.urlopen(target, timeout=2) as resp:  # noqa: S310 (own loopback URL)
            return 0 if resp.status == 200 else 1
    except OSError as exc:
        print(f"{target}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
