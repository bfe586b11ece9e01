"""A test server's container that does not come up is removed, not left running."""

from __future__ import annotations

import docker
import pytest
from testcontainers.core.container import DockerContainer

from knotenpunkt.containers import PG_IMAGE, start_or_remove


def test_a_container_that_never_becomes_ready_is_removed():
    container = (
        DockerContainer(PG_IMAGE)
        .with_env("POSTGRES_PASSWORD", "x")
        .with_command("-c max_connections=10")
    )
    seen = []

    def never_ready():
        seen.append(container.get_wrapped_container().id)
        raise ConnectionError("not answering")

    with pytest.raises(TimeoutError, match="not answering"):
        start_or_remove(container, never_ready, "PostgreSQL", seconds=1.0)
    assert seen, "the container was started"
    client = docker.from_env()
    try:
        assert client.containers.list(all=True, filters={"id": seen[0]}) == []
    finally:
        client.close()
