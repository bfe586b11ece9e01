"""Apps served over real HTTP on loopback ports (werkzeug, threaded), for the portal's tests."""

from __future__ import annotations

import re
import secrets
import threading

from werkzeug.serving import make_server

SERVICES = ("membership", "voting", "events", "notifications")


class Served:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def serve_services(apps) -> dict[str, Served]:
    return {name: Served(apps[name]) for name in SERVICES}


def portal_app(served: dict[str, Served], settings, clock=None, **config):
    from knotenpunkt.services.portal.app import create_app

    return create_app(
        {
            **{f"{name.upper()}_URL": s.url for name, s in served.items()},
            "DEV_LOGIN": True,
            "KNOTENPUNKT_SETTINGS": settings,
            "SECRET_KEY": secrets.token_urlsafe(32),
            **config,
        },
        clock=clock,
    )


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)
