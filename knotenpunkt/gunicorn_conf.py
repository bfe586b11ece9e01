"""gunicorn settings of `knotenpunkt web` that need code: metrics of exited workers are dropped.

HTTP metrics add up across gunicorn's workers (Prometheus multiprocess mode:
``PROMETHEUS_MULTIPROC_DIR``, which `knotenpunkt web` sets to a fresh folder).
"""

from __future__ import annotations


def child_exit(server, worker) -> None:
    """A worker ended: its live gauges no longer count (its counters stay in the sum)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
