"""Real servers for tests and benchmarks: PostgreSQL and RabbitMQ containers (testcontainers), an SMTP sink.

Needs the test extras (testcontainers, aiosmtpd) and the images that
deploy/test-infra.sh builds; used by tests/ and bench/ alike.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

import psycopg
from kombu import Connection
from testcontainers.core.container import DockerContainer

PG_IMAGE = os.environ.get("KP_POSTGRES_IMAGE", "knotenpunkt/postgres:15")
MQ_IMAGE = os.environ.get("KP_RABBITMQ_IMAGE", "knotenpunkt/rabbitmq:3")
PG_PASSWORD = "knotenpunkt-test"

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, what: str, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            return check()
        except Exception as exc:  # the server is still starting
            last = exc
            time.sleep(0.5)
    raise TimeoutError(f"{what} did not come up in {seconds}s: {last!r}")


def start_or_remove(container: DockerContainer, ready, what: str, seconds: float = 90.0) -> None:
    """Start the container and wait until ready() passes; one that fails to come up is removed."""
    try:
        container.start()
        _wait(ready, what, seconds)
    except BaseException:
        try:
            container.stop()  # testcontainers' stop removes the container and its volumes
        except Exception as exc:  # it may not exist at all: nothing to remove then
            log.warning("%s container not removed: %s", what, exc)
        raise


class Postgres:
    """A PostgreSQL server in a container (image from KP_POSTGRES_IMAGE).

    With fixed_port the host port survives a stop and start of the container.
    """

    def __init__(self, durable: bool = False, fixed_port: bool = False):
        # Tests trade durability for speed; benchmarks measure the real thing.
        options = "-c max_connections=300"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off"
        self.container = (
            DockerContainer(PG_IMAGE)
            .with_env("POSTGRES_PASSWORD", PG_PASSWORD)
            .with_env("POSTGRES_USER", "postgres")
            .with_command(options)
        )
        if fixed_port:
            self.container = self.container.with_bind_ports(5432, free_port())
        else:
            self.container = self.container.with_exposed_ports(5432)

    def start(self) -> Postgres:
        start_or_remove(self.container, self._ping, "PostgreSQL")
        return self

    def _ping(self) -> None:
        psycopg.connect(self.url, connect_timeout=2).close()

    def pause_server(self):
        """Stop the server (the container keeps its data and, with fixed_port, its port)."""
        self.container.get_wrapped_container().stop(timeout=10)

    def resume_server(self):
        self.container.get_wrapped_container().start()
        _wait(self._ping, "PostgreSQL")

    def freeze(self):
        """Freeze the server's processes (docker pause): connections stay open, nothing answers."""
        self.container.get_wrapped_container().pause()

    def thaw(self):
        self.container.get_wrapped_container().unpause()

    @property
    def url(self) -> str:
        host = self.container.get_container_host_ip()
        port = self.container.get_exposed_port(5432)
        return f"postgresql://postgres:{PG_PASSWORD}@{host}:{port}/postgres"

    def stop(self):
        self.container.stop()


class RabbitMQ:
    """A RabbitMQ broker in a container (image from KP_RABBITMQ_IMAGE).

    With fixed_port the host port survives a stop and start of the container.
    """

    def __init__(self, fixed_port: bool = False):
        self.container = DockerContainer(MQ_IMAGE)
        if fixed_port:
            self.container = self.container.with_bind_ports(5672, free_port())
        else:
            self.container = self.container.with_exposed_ports(5672)

    def start(self) -> RabbitMQ:
        start_or_remove(self.container, self._ping, "RabbitMQ")
        return self

    def _ping(self) -> None:
        with Connection(self.url, connect_timeout=2) as c:
            c.ensure_connection(max_retries=1)

    def wait(self):
        _wait(self._ping, "RabbitMQ")

    @property
    def url(self) -> str:
        host = self.container.get_container_host_ip()
        port = self.container.get_exposed_port(5672)
        return f"amqp://guest:guest@{host}:{port}//"

    def pause_server(self, kill: bool = False):
        """Stop the broker (the container keeps its data and port); kill: SIGKILL, no shutdown."""
        if kill:
            self.container.get_wrapped_container().kill()
        else:
            self.container.get_wrapped_container().stop(timeout=10)

    def resume_server(self):
        self.container.get_wrapped_container().start()
        self.wait()

    def stop(self):
        self.container.stop()


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives; stoppable and restartable."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages = []
        self.controller = None

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import email

                sink.messages.append(email.message_from_bytes(envelope.content))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


def unique(prefix: str = "t") -> str:
    """A fresh id with a readable prefix (tests and benchmarks isolate their data by it)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
