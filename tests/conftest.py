"""Test policy.

- tests/unit: no I/O, milliseconds; fakes only across a boundary.
- tests/integration: the real thing for what a service owns: PostgreSQL and
  RabbitMQ started by testcontainers (one container each per test session;
  data isolated by unique ids), apps driven over HTTP with Flask's client.
- tests/e2e: whole flows over HTTP and the broker.

Integration and end-to-end tests need a Docker engine and the images named by
KP_POSTGRES_IMAGE / KP_RABBITMQ_IMAGE; `make test` prepares both
(deploy/test-infra.sh). Without them these tests fail, they are not skipped.
"""

from __future__ import annotations

import os
import secrets

import hypothesis
import pytest

from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.tenants import TenantRegistry

os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

# Property tests check rules, not speed: no per-example deadline on a busy CI machine.
hypothesis.settings.register_profile("knotenpunkt", deadline=None)
hypothesis.settings.load_profile("knotenpunkt")


@pytest.fixture(scope="session")
def tenants() -> TenantRegistry:
    return TenantRegistry.load(Settings().tenants_dir)


@pytest.fixture(scope="session")
def postgres():
    from tests.support import Postgres

    pg = Postgres().start()
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def rabbitmq():
    from tests.support import RabbitMQ

    mq = RabbitMQ().start()
    yield mq
    mq.stop()


@pytest.fixture(scope="session")
def settings(postgres, rabbitmq, tmp_path_factory) -> Settings:
    """Settings pointing at the test containers, with the databases provisioned."""
    from knotenpunkt.shared.db import provision

    var = tmp_path_factory.mktemp("var")
    s = Settings(
        database_url=postgres.url,
        broker_url=rabbitmq.url,
        var_dir=var,
        mail_dir=var / "mail",
        pool_max=20,
        jwt_secret=secrets.token_urlsafe(48),
        link_secret=secrets.token_urlsafe(48),
        # The suite writes anonymously far more than a person would; test_ratelimit.py
        # checks the production limits with an app of its own.
        rate_anonymous_client="100000/hour",
        rate_anonymous_target="100000/hour",
        # the apps answer the test clients (localhost) and loopback servers only
        allowed_hosts=("localhost", "127.0.0.1"),
    )
    provision(s)
    return s


@pytest.fixture(scope="session")
def apps(settings, tenants):
    """The four Flask apps, on the test containers."""
    from knotenpunkt.services.events.app import create_app as events_app
    from knotenpunkt.services.membership.app import create_app as membership_app
    from knotenpunkt.services.notifications.app import create_app as notifications_app
    from knotenpunkt.services.voting.app import create_app as voting_app

    built = {
        "membership": membership_app(settings, tenants),
        "voting": voting_app(settings, tenants),
        "events": events_app(settings, tenants),
        "notifications": notifications_app(settings, tenants),
    }
    yield built
    for app in built.values():
        app.extensions["knotenpunkt"].db.close()


@pytest.fixture(scope="session")
def clients(apps):
    return {name: app.test_client() for name, app in apps.items()}


@pytest.fixture(scope="session")
def token(settings):
    """token(tenant, *roles, bodies=..., sub=..., partner_id=...) -> Authorization header."""
    from knotenpunkt.shared.auth import issue_token

    def make(tenant, *roles, **kw):
        return {
            "Authorization": "Bearer "
            + issue_token(settings, tenant=tenant, roles=list(roles), **kw)
        }

    return make


# Where each service keeps a body's members (its own list or its copy of membership's).
BODY_COPIES = {
    "membership": "delete from body_members where tenant = %(tenant)s and body = %(body)s",
    "voting": "delete from electorate where tenant = %(tenant)s and body = %(body)s",
    "events": "delete from body_member_copies where tenant = %(tenant)s and body = %(body)s",
    "notifications": "delete from recipients"
    " where tenant = %(tenant)s and kind = 'body_member' and scope = %(body)s",
}


@pytest.fixture(scope="session")
def reset_body(settings):
    """reset_body(tenant, key): the body has no members in any of the four services' lists.

    Tests that set up a body's members start from here, so that no test depends
    on which test ran before it.
    """
    import psycopg

    def reset(tenant: str, body: str) -> None:
        for service, statement in BODY_COPIES.items():
            with psycopg.connect(settings.admin_url(settings.service_database(service))) as conn:
                conn.execute(statement, {"tenant": tenant, "body": body})

    return reset


@pytest.fixture(scope="session")
def set_body(clients, token, reset_body):
    """set_body(tenant, key, names, emails=False) -> person ids: exactly these members, via membership.

    Clears every service's list first; the events that membership publishes fill
    the other services' copies when the end-to-end flow settles.
    """
    from tests.support import unique

    def make(tenant: str, key: str, names: list[str], emails: bool = False) -> list[str]:
        reset_body(tenant, key)
        people = []
        for name in names:
            pid = unique("m")
            member = {"person_id": pid, "name": name}
            if emails:
                member["email"] = f"{pid}@example.org"
            resp = clients["membership"].post(
                f"/api/v1/{tenant}/bodies/{key}/members",
                json=member,
                headers=token(tenant, "coordinator"),
            )
            assert resp.status_code == 201, resp.get_data(as_text=True)
            people.append(pid)
        return people

    return make
