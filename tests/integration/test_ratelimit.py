"""Anonymous writes are rate-limited per client address and per e-mail address, across processes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support import unique

NOW = datetime(2026, 11, 24, 10, 15, tzinfo=UTC)


@pytest.fixture
def limited(settings, tenants):
    """Two membership apps (two web processes) sharing the production-like limits."""
    from knotenpunkt.services.membership.app import create_app

    strict = settings.with_(rate_anonymous_client="4/hour", rate_anonymous_target="2/hour")
    apps = [create_app(strict, tenants) for _ in range(2)]
    for app in apps:
        app.extensions["knotenpunkt"].clock = lambda: NOW
    yield [app.test_client() for app in apps]
    for app in apps:
        app.extensions["knotenpunkt"].db.close()


def application(email: str) -> dict:
    return {
        "organisation": {"name": unique("Verein"), "kind": "migrant_self_organisation"},
        "contact": {"name": "Amadou Diallo", "email": email},
        "statements": {"migrant_interests": True, "non_commercial": True},
    }


def test_one_address_is_mailed_at_most_twice_an_hour(limited):
    victim = f"{unique('opfer')}@example.org"
    statuses = [
        client.post(
            "/api/v1/chemnitz/applications",
            json=application(victim),
            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"},
        )
        for i, client in enumerate(limited * 2)
    ]
    assert [r.status_code for r in statuses] == [201, 201, 429, 429]
    refused = statuses[2]
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Retry-After"] == str(45 * 60 + 1)
    assert "E-Mail-Adresse" in refused.get_json()["detail"]


def test_one_client_writes_at_most_four_times_an_hour(limited):
    client_addr = "203.0.113.77"
    codes = [
        limited[i % 2]
        .post(
            "/api/v1/chemnitz/applications",
            json=application(f"{unique('a')}@example.org"),
            environ_base={"REMOTE_ADDR": client_addr},
        )
        .status_code
        for i in range(6)
    ]
    assert codes == [201, 201, 201, 201, 429, 429]
    other_tenant = limited[0].post(
        "/api/v1/magdeburg/applications",
        json=application(f"{unique('a')}@example.org"),
        environ_base={"REMOTE_ADDR": client_addr},
    )
    assert other_tenant.status_code == 409  # Magdeburg appoints; the limit is per network


def test_signed_in_writes_are_not_limited(limited, token):
    codes = [
        limited[0]
        .post(
            "/api/v1/chemnitz/partners",
            json={"name": unique("Verein"), "kind": "initiative"},
            headers=token("chemnitz", "coordinator"),
            environ_base={"REMOTE_ADDR": "192.0.2.9"},
        )
        .status_code
        for _ in range(6)
    ]
    assert codes == [201] * 6


def test_behind_the_gateway_the_forwarded_client_is_limited(settings, tenants):
    """TRUSTED_PROXIES=1: the client is the address the gateway forwards, not the gateway."""
    from knotenpunkt.services.membership.app import create_app

    app = create_app(settings.with_(rate_anonymous_client="2/hour", trusted_proxies=1), tenants)
    app.extensions["knotenpunkt"].clock = lambda: NOW
    gateway = {"REMOTE_ADDR": "10.0.0.2"}
    try:
        c = app.test_client()

        def post(client_addr):
            return c.post(
                "/api/v1/chemnitz/applications",
                json=application(f"{unique('a')}@example.org"),
                headers={"X-Forwarded-For": client_addr, "X-Forwarded-Proto": "https"},
                environ_base=gateway,
            ).status_code

        assert [post("198.51.100.20") for _ in range(3)] == [201, 201, 429]
        # another client behind the same gateway has its own allowance
        assert post("198.51.100.21") == 201
    finally:
        app.extensions["knotenpunkt"].db.close()
