"""gunicorn settings of `knotenpunkt web` that need code: gunicorn's own lines as the same JSON
as the app's (shared.logs), and metrics of exited workers dropped.

HTTP metrics add up across gunicorn's workers (Prometheus multiprocess mode:
``PROMETHEUS_MULTIPROC_DIR``, which `knotenpunkt web` sets to a fresh folder). The access
lines come from the app (logger ``access``), with the tenant and the request id.
"""

from __future__ import annotations

import os

_JSON_STDERR = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
# gunicorn merges this into its defaults, which name the handlers console and error_console;
# the root logger is the app's (shared.logs.setup adds its JSON handler there)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "INFO", "handlers": []},
    "formatters": {
        "json": {
            "()": "knotenpunkt.shared.logs.JsonFormatter",
            "service": os.environ.get("KNOTENPUNKT_SERVICE", "web"),
        }
    },
    "handlers": {"console": _JSON_STDERR, "error_console": _JSON_STDERR},
    "loggers": {
        "gunicorn.error": {"handlers": ["error_console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


def child_exit(server, worker) -> None:
    """A worker ended: its live gauges no longer count (its counters stay in the sum)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
