"""Fixtures the portal's integration tests share: the four services on loopback and the portal over them."""

from __future__ import annotations

import pytest

from tests.browser.live import portal_app, serve_services


@pytest.fixture(scope="module")
def served(apps):
    servers = serve_services(apps)
    yield servers
    for s in servers.values():
        s.stop()


@pytest.fixture(scope="module")
def portal(served, settings):
    return portal_app(served, settings)
