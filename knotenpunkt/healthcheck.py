"""The container health check: `python -m knotenpunkt.healthcheck` (no curl in the image).

A web process (gunicorn, found by its ``--bind`` argument among the container's
processes) is healthy when its ``/healthz`` answers 200 within two seconds; a
worker (``knotenpunkt worker <service>``) when its ops endpoint's ``/readyz``
does (database, broker and consumer fine; port WORKER_OPS_PORT or the service's
default). Any other container (``migrate``) is healthy while it runs.
``HEALTHCHECK_URL`` overrides.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path


def _commands():
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            yield (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue


def bound_address() -> str | None:
    """host:port of the gunicorn in this container, or None when there is none."""
    for args in _commands():
        if b"gunicorn" in args and b"--bind" in args:
            i = args.index(b"--bind")
            if i + 1 < len(args):
                return args[i + 1].decode()
    return None


def worker_service() -> str | None:
    """The service of the `knotenpunkt worker <service>` in this container, or None."""
    from knotenpunkt.shared.config import SERVICES

    for args in _commands():
        if b"worker" in args:
            i = args.index(b"worker")
            if i + 1 < len(args) and args[i + 1].decode() in SERVICES:
                return args[i + 1].decode()
    return None


def url() -> str | None:
    if os.environ.get("HEALTHCHECK_URL"):
        return os.environ["HEALTHCHECK_URL"]
    address = bound_address()
    if address is None:
        service = worker_service()
        if service is None:
            return None
        from knotenpunkt.shared.config import from_env

        return f"http://127.0.0.1:{from_env().worker_ops_port(service)}/readyz"
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
