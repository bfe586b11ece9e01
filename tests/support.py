"""Test helpers: the real servers (knotenpunkt.containers), draining consumers, a webhook receiver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from knotenpunkt.containers import (
    MQ_IMAGE,
    PG_IMAGE,
    Postgres,
    RabbitMQ,
    SmtpSink,
    free_port,
    unique,
)

__all__ = [
    "MQ_IMAGE",
    "PG_IMAGE",
    "Clock",
    "Postgres",
    "RabbitMQ",
    "SmtpSink",
    "free_port",
    "unique",
]


class Clock:
    """A clock a test moves: ``clock()`` is the time, ``clock.advance(seconds=…)`` moves it on."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def drain(consumer, idle: float = 1.0) -> None:
    """Let a ConsumerMixin consume until its queue stays empty for `idle` seconds."""
    try:
        for _ in consumer.consume(timeout=idle, safety_interval=idle):
            pass
    except TimeoutError:
        return


class WebhookReceiver:
    """A real HTTP server on loopback that checks Knotenpunkt's webhook signature."""

    def __init__(self, secret: str):
        import http.server
        import threading

        from knotenpunkt.services.notifications.domain.webhooks import webhook_signature

        self.received = []
        self.fail_with = None
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sig = dict(
                    part.split("=", 1)
                    for part in self.headers["X-Knotenpunkt-Signature"].split(",")
                )
                valid = sig["v1"] == webhook_signature(secret, int(sig["t"]), body)
                if receiver.fail_with:
                    self.send_response(receiver.fail_with)
                else:
                    receiver.received.append((valid, body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def registry_with_copy(tenants, key: str, of: str = "chemnitz"):
    """The registry plus a tenant `key` with the rules of `of`: tests whose data nobody else sees."""
    from dataclasses import replace

    from knotenpunkt.shared.tenants import TenantRegistry

    model = tenants.get(of)
    copy = replace(model, key=key, rules={**model.rules, "key": key})
    return TenantRegistry({**{t.key: t for t in tenants}, key: copy})


def four_apps(settings, registry) -> dict:
    """The four service apps on these settings and tenants (close with close_apps)."""
    from knotenpunkt.services.events.app import create_app as events_app
    from knotenpunkt.services.membership.app import create_app as membership_app
    from knotenpunkt.services.notifications.app import create_app as notifications_app
    from knotenpunkt.services.voting.app import create_app as voting_app

    return {
        "membership": membership_app(settings, registry),
        "voting": voting_app(settings, registry),
        "events": events_app(settings, registry),
        "notifications": notifications_app(settings, registry),
    }


def close_apps(apps: dict) -> None:
    for app in apps.values():
        app.extensions["knotenpunkt"].db.close()
