"""Trusted hosts (issue 26, point 3): ids and absolute links never come from an unchecked Host or
X-Forwarded-Host. With ALLOWED_HOSTS, every service and the portal refuse another host with 400
problem+json before any view runs; with PUBLIC_URL (and no ALLOWED_HOSTS) the OParl ids are built
from PUBLIC_URL whatever Host a client sends; outside development one of the two is required.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from knotenpunkt.shared.config import InsecureSettings

EVIL = "evil.example"
ALLOWED = ("knotenpunkt.example.org", "*.kommunen.example")


def _factories():
    from knotenpunkt.services.events.app import create_app as events
    from knotenpunkt.services.membership.app import create_app as membership
    from knotenpunkt.services.notifications.app import create_app as notifications
    from knotenpunkt.services.voting.app import create_app as voting

    return {
        "membership": membership,
        "voting": voting,
        "events": events,
        "notifications": notifications,
    }


@pytest.fixture(scope="module")
def checked(settings, tenants):
    """The four services behind one trusted proxy (the gateway), with ALLOWED_HOSTS."""
    s = replace(settings, allowed_hosts=ALLOWED, trusted_proxies=1)
    apps = {name: make(s, tenants) for name, make in _factories().items()}
    yield apps
    for app in apps.values():
        app.extensions["knotenpunkt"].db.close()


# a public route of each service (served without a token)
PUBLIC = {
    "membership": "/oparl/v1/chemnitz/system",
    "voting": "/api/v1/openapi.json",
    "events": "/oparl/v1/chemnitz/meeting",
    "notifications": "/api/v1/openapi.json",
}


@pytest.mark.parametrize("service", list(PUBLIC))
def test_an_unknown_host_is_refused_by_every_service(checked, service):
    client = checked[service].test_client()
    for headers in (
        {"Host": EVIL},
        {"Host": f"{EVIL}:443"},
        # the gateway passes the client's X-Forwarded-Host: believed, so checked too
        {"Host": "knotenpunkt.example.org", "X-Forwarded-Host": EVIL},
        # a pattern covers the subdomains, not the name itself nor a look-alike
        {"Host": "kommunen.example"},
        {"Host": "evilkommunen.example"},
    ):
        resp = client.get(PUBLIC[service], headers=headers)
        assert resp.status_code == 400, (headers, resp.status_code)
        assert resp.mimetype == "application/problem+json"
        body = resp.get_json()
        assert body["errors"] == {"Host": ["nicht in ALLOWED_HOSTS"]}
        assert "ALLOWED_HOSTS" in body["detail"] and EVIL not in resp.get_data(as_text=True)
    for host in (
        "knotenpunkt.example.org",
        "Knotenpunkt.Example.Org:8443",
        "chemnitz.kommunen.example",
    ):
        ok = client.get(PUBLIC[service], headers={"Host": host})
        assert ok.status_code == 200, (host, ok.get_json())
    # probes and scrapes come by address: /healthz is not a page with links
    assert client.get("/healthz", headers={"Host": "10.0.0.7:8001"}).status_code == 200


def test_oparl_ids_come_from_an_allowed_host_only(checked):
    events = checked["events"].test_client()
    membership = checked["membership"].test_client()
    system = membership.get(
        "/oparl/v1/chemnitz/system", headers={"Host": "chemnitz.kommunen.example"}
    )
    assert system.status_code == 200
    assert system.get_json()["id"] == "http://chemnitz.kommunen.example/oparl/v1/chemnitz/system"
    listing = events.get(
        "/oparl/v1/chemnitz/meeting",
        headers={"Host": "gateway", "X-Forwarded-Host": "knotenpunkt.example.org"},
    )
    assert listing.status_code == 200
    assert listing.get_json()["links"]["first"].startswith(
        "http://knotenpunkt.example.org/oparl/v1/chemnitz/meeting?"
    )


def test_with_public_url_the_ids_never_name_the_clients_host(settings, tenants):
    """No ALLOWED_HOSTS, but PUBLIC_URL: any Host is answered, and the ids name PUBLIC_URL."""
    s = replace(
        settings,
        allowed_hosts=(),
        public_url="https://knotenpunkt.example.org/",
        public_url_given=True,
        trusted_proxies=1,
    )
    made = {name: _factories()[name](s, tenants) for name in ("membership", "events")}
    try:
        for name, path in (
            ("membership", "/oparl/v1/chemnitz/system"),
            ("membership", "/oparl/v1/chemnitz/body"),
            ("events", "/oparl/v1/chemnitz/meeting"),
        ):
            for headers in ({"Host": EVIL}, {"Host": "localhost", "X-Forwarded-Host": EVIL}):
                resp = made[name].test_client().get(path, headers=headers)
                assert resp.status_code == 200, (path, resp.get_json())
                text = json.dumps(resp.get_json())
                assert EVIL not in text and "knotenpunkt.example.org/oparl/v1/chemnitz" in text
    finally:
        for app in made.values():
            app.extensions["knotenpunkt"].db.close()


def test_production_needs_allowed_hosts_or_public_url(settings, tenants):
    from knotenpunkt.services.membership.app import create_app
    from knotenpunkt.services.portal.app import create_app as portal

    bare = replace(settings, allowed_hosts=(), public_url_given=False, dev_mode=False)
    with pytest.raises(InsecureSettings, match="ALLOWED_HOSTS"):
        create_app(bare, tenants)
    with pytest.raises(RuntimeError, match="ALLOWED_HOSTS"):
        portal({"KNOTENPUNKT_SETTINGS": bare, "SECRET_KEY": "x" * 40, "DEV_LOGIN": False})
    # development (make run) answers any host
    create_app(replace(bare, dev_mode=True), tenants).extensions["knotenpunkt"].db.close()


def test_the_portal_refuses_an_unknown_host(settings):
    from knotenpunkt.services.portal.app import create_app as portal

    app = portal(
        {
            "KNOTENPUNKT_SETTINGS": replace(settings, allowed_hosts=ALLOWED),
            "SECRET_KEY": "x" * 40,
            "DEV_LOGIN": True,
            "TRUSTED_PROXIES": 1,
        }
    )
    client = app.test_client()
    for headers in ({"Host": EVIL}, {"Host": "knotenpunkt.example.org", "X-Forwarded-Host": EVIL}):
        resp = client.get("/", headers=headers)
        assert resp.status_code == 400 and resp.mimetype == "application/problem+json"
        assert EVIL not in resp.get_data(as_text=True)
    assert client.get("/healthz", headers={"Host": "10.0.0.8"}).status_code == 200


def test_the_portal_s_absolute_links_use_its_public_url(settings):
    """The links the login provider sends the browser back to (redirect_uri, post-logout) are
    built on PORTAL_PUBLIC_URL, whatever Host the request named."""
    from knotenpunkt.services.portal.app import create_app as portal
    from knotenpunkt.services.portal.auth import external_url

    app = portal(
        {
            "KNOTENPUNKT_SETTINGS": replace(settings, allowed_hosts=()),
            "SECRET_KEY": "x" * 40,
            "DEV_LOGIN": False,
            "PUBLIC_URL": "https://portal.example.org",
        }
    )
    with app.test_request_context("/", headers={"Host": EVIL}):
        assert external_url("auth.oidc_callback").startswith("https://portal.example.org/")
        assert external_url("public.index") == "https://portal.example.org/"
