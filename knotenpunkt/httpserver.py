"""gunicorn's worker for Knotenpunkt: errors gunicorn answers itself (431, 414, 400) as problem+json.

`knotenpunkt web` runs gunicorn with ``--worker-class knotenpunkt.httpserver.ProblemWorker``.
"""

from __future__ import annotations

import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

TYPE_BASE = "https://knotenpunkt.invalid/problems/"
TITLES = {
    400: "Ungültige Anfrage",
    403: "Nicht erlaubt",
    414: "Adresse zu lang",
    417: "Erwartung nicht erfüllbar",
    431: "Kopfzeilen zu groß",
    500: "Interner Fehler",
    501: "Nicht unterstützt",
}


def problem_bytes(status: int, reason: str, detail: str) -> bytes:
    """A complete HTTP/1.1 response with a problem+json body."""
    body = json.dumps(
        {
            "type": TYPE_BASE + str(status),
            "title": TITLES.get(status, reason),
            "status": status,
            "detail": detail or reason,
        },
        ensure_ascii=False,
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("latin1")
    return head + body


def write_problem(sock, status_int, reason, mesg):
    util.write_nonblock(sock, problem_bytes(int(status_int), reason, mesg))


class ProblemWorker(ThreadWorker):
    """gunicorn's threaded worker, answering its own errors as problem+json."""

    def init_process(self):
        util.write_error = write_problem
        super().init_process()
