"""`knotenpunkt gateway-config`: every OpenAPI path goes to its owner; ambiguity fails loudly."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from knotenpunkt.gateway import GatewayConfigError, RouteTable, openapi_paths, render
from knotenpunkt.shared.config import SERVICES


@pytest.fixture(scope="module")
def paths() -> dict:
    return openapi_paths()


@pytest.fixture(scope="module")
def table(paths) -> RouteTable:
    return RouteTable.build(paths)


def concrete(path: str) -> str:
    """An example URL for an OpenAPI path: Chemnitz as tenant, x1 for every other parameter."""
    return re.sub(r"\{[^}]+\}", "x1", path.replace("{tenant}", "chemnitz"))


def test_every_path_of_every_service_goes_to_its_owner(paths, table):
    assert set(paths) == set(SERVICES)
    wrong = {}
    for service, service_paths in paths.items():
        assert service_paths, f"{service} documents no path"
        for p in service_paths:
            owner = table.owner(concrete(p))
            if owner != service:
                wrong[p] = (service, owner)
    assert not wrong, wrong


def test_shared_first_segment_is_routed_by_full_paths(table):
    # membership serves bodies and their members, events a body's calendar
    assert ("/api/v1/", "bodies") not in table.by_prefix
    assert table.owner("/api/v1/chemnitz/bodies/vorbereitungsgremium/calendar.ics") == "events"
    assert table.owner("/api/v1/chemnitz/bodies/vorbereitungsgremium/members") == "membership"
    assert table.owner("/api/v1/chemnitz/bodies") == "membership"
    assert table.owner("/api/v1/chemnitz/bodies/x/unknown") is None
    # responsibilities.csv is its own first segment, not a prefix of responsibilities
    assert table.owner("/api/v1/chemnitz/responsibilities.csv") == "membership"
    assert table.owner("/api/v1/chemnitz/nothing-here") is None
    assert table.owner("/healthz") is None and table.owner("/metrics") is None


def test_oparl_types_go_to_the_service_that_serves_them(table):
    base = "/oparl/v1/chemnitz"
    for kind in ("system", "body", "organization", "person", "membership"):
        assert table.owner(f"{base}/{kind}") == "membership", kind
    assert table.owner(f"{base}/organization/gremium/vorbereitungsgremium") == "membership"
    for kind in ("meeting", "agendaitem", "paper", "consultation", "file", "location"):
        assert table.owner(f"{base}/{kind}") == "events", kind
    assert table.owner(f"{base}/file/x1/markdown/content") == "events"
    assert table.owner(f"{base}/nothing-here") is None
    # the two roots keep their own first segments: no OParl type under /api/v1 and back
    assert table.owner("/api/v1/chemnitz/meeting") is None
    assert table.owner("/oparl/v1/chemnitz/events") is None
    assert table.owner("/oparl/v1/Chemnitz!/system") is None


def test_the_signing_keys_go_to_membership(table):
    assert table.owner("/.well-known/jwks.json") == "membership"
    assert table.owner("/.well-known/other") is None
    conf = render(table)
    assert "location = /.well-known/jwks.json {\n            proxy_pass http://membership;" in conf
    # an unknown OParl path is a 404 problem, not a page of the portal
    assert "location /oparl/ {\n            return 404;" in conf


def test_oparl_and_api_paths_are_routed_apart():
    t = RouteTable.build(
        {
            "a": ["/api/v1/{tenant}/things", "/oparl/v1/{tenant}/other"],
            "b": ["/oparl/v1/{tenant}/things/{id}", "/api/v1/{tenant}/other/{id}"],
        }
    )
    assert t.owner("/api/v1/x/things") == "a" and t.owner("/oparl/v1/x/things/1") == "b"
    assert t.owner("/oparl/v1/x/other") == "a" and t.owner("/api/v1/x/other/1") == "b"
    with pytest.raises(GatewayConfigError, match="same path"):
        RouteTable.build(
            {"a": ["/oparl/v1/{tenant}/things/{id}"], "b": ["/oparl/v1/{tenant}/things/{key}"]}
        )


def test_same_path_in_two_services_fails_loudly():
    with pytest.raises(
        GatewayConfigError,
        match=r"bodies/\{key\}/members \(a\) and .*bodies/\{body\}/members \(b\)",
    ):
        RouteTable.build(
            {
                "a": ["/api/v1/{tenant}/bodies/{key}/members"],
                "b": ["/api/v1/{tenant}/bodies/{body}/members"],  # same path, other name
            }
        )


def test_overlap_is_routed_to_the_more_specific_path():
    t = RouteTable.build(
        {
            "a": ["/api/v1/{tenant}/things/{id}"],
            "b": ["/api/v1/{tenant}/things/special"],
        }
    )
    assert t.owner("/api/v1/x/things/special") == "b"
    assert t.owner("/api/v1/x/things/other") == "a"


def test_earlier_literal_segment_wins_like_flask():
    t = RouteTable.build(
        {
            "a": ["/api/v1/{tenant}/things/{id}/x"],
            "b": ["/api/v1/{tenant}/things/y/{id}"],
        }
    )
    assert t.owner("/api/v1/x/things/y/x") == "b"
    assert t.owner("/api/v1/x/things/z/x") == "a"


def test_equally_specific_overlap_fails_loudly():
    with pytest.raises(GatewayConfigError, match="neither is more specific"):
        RouteTable.build(
            {
                "a": ["/api/v1/{tenant}/things/{id}b"],
                "b": ["/api/v1/{tenant}/things/b{id}"],
            }
        )


def test_paths_outside_the_tenant_prefix_are_refused():
    with pytest.raises(GatewayConfigError, match="outside"):
        RouteTable.build({"a": ["/api/v1/global"]})
    with pytest.raises(GatewayConfigError, match="outside"):
        RouteTable.build({"a": ["/oparl/v1/{tenant}/"]})


def test_rendered_config_has_limits_headers_health_and_documents(table):
    conf = render(table, tls_cert="/etc/tls/tls.crt", tls_key="/etc/tls/tls.key")
    assert "client_max_body_size 1m;" in conf
    for header in ("X-Request-ID", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in conf
    assert "$request_id" in conf
    assert "proxy_read_timeout 30s;" in conf and "proxy_connect_timeout 5s;" in conf
    assert "location = /healthz" in conf
    for service in SERVICES:
        assert f"location = /api/v1/{service}/openapi.json" in conf
        assert f"upstream {service} " in conf
    # the portal behind "/", an unknown API path stays a 404 problem
    assert "upstream portal " in conf and "proxy_pass http://portal;" in conf
    assert "location /api/ {\n            return 404;" in conf
    assert "listen 8443 ssl;" in conf and "ssl_certificate /etc/tls/tls.crt;" in conf


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed on this machine")
def test_nginx_accepts_the_config(table, tmp_path):
    upstreams = {s: f"127.0.0.1:{8001 + i}" for i, s in enumerate(SERVICES)}
    upstreams["portal"] = "127.0.0.1:8000"
    conf = tmp_path / "nginx.conf"
    conf.write_text(render(table, upstreams=upstreams), encoding="utf-8")
    result = subprocess.run(
        ["nginx", "-t", "-q", "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_cli_writes_the_config(tmp_path):
    from knotenpunkt.cli import main

    out = tmp_path / "gateway.conf"
    assert main(["gateway-config", "-o", str(out), "--upstream", "voting=10.0.0.2:9000"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "server 10.0.0.2:9000;" in text and "server membership:8001;" in text


def test_imports_take_larger_bodies_and_longer_answers_than_other_requests(table):
    conf = render(table)
    api = conf.index('location ~ "^/api/v1/[a-z][a-z0-9_-]*/imports(?:/|$)"')
    console = conf.index('location ~ "^/[a-z][a-z0-9_-]*/console/einzug(?:/|$)"')
    first_document_route = conf.index('location ~ "^/api/v1/[a-z][a-z0-9_-]*/(?:')
    assert api < first_document_route and console < first_document_route
    block = conf[api : conf.index("}", api)]
    assert "client_max_body_size 11m;" in block and "proxy_read_timeout 300s;" in block
    assert "proxy_pass http://membership;" in block


def test_the_dev_gateway_routes_from_the_same_table(paths, table, tmp_path):
    """make run's one origin (knotenpunkt.devgateway, in the portal's process) reads the table
    `gateway-config --routes` writes from the same documents, and sends every documented path
    where nginx does; the documents, Swagger UI and the rest as the rendered config does."""
    from knotenpunkt.cli import main
    from knotenpunkt.devgateway import load_table, target

    routes = tmp_path / "gateway-routes.json"
    assert main(["gateway-config", "--routes", str(routes)]) == 0
    loaded = load_table(routes)
    assert loaded.locations() == table.locations() and loaded.fixed() == table.fixed()
    for service, service_paths in paths.items():
        for p in service_paths:
            url = concrete(p)
            assert target(loaded, url) == ("proxy", service, url), p
    assert target(loaded, "/.well-known/jwks.json") == (
        "proxy",
        "membership",
        "/.well-known/jwks.json",
    )
    for service in SERVICES:
        assert target(loaded, f"/api/v1/{service}/openapi.json") == (
            "proxy",
            service,
            "/api/v1/openapi.json",
        )
        assert target(loaded, f"/api/v1/{service}/docs/static/swagger-ui.css") == (
            "proxy",
            service,
            "/api/v1/docs/static/swagger-ui.css",
        )
    assert target(loaded, "/api/v1/docs")[0] == "docs"
    assert target(loaded, "/api/v1/chemnitz/nothing-here")[0] == "404"
    assert target(loaded, "/oparl/v1/chemnitz/nothing-here")[0] == "404"
    assert target(loaded, "/chemnitz/antwort/x1")[0] == "portal"
    assert target(loaded, "/")[0] == "portal"


def test_the_dev_gateway_answers_its_own_errors_as_problems(table):
    """A service that is not up: 502; a body above the limit: 413; an unknown API path: 404;
    all problem+json like the gateway's; the portal gets everything else."""
    from werkzeug.test import Client
    from werkzeug.wrappers import Response

    from knotenpunkt.devgateway import Gateway
    from tests.support import free_port

    def portal(environ, start_response):
        return Response("Portal")(environ, start_response)

    closed = f"http://127.0.0.1:{free_port()}"
    gw = Client(Gateway(portal, table, {s: closed for s in SERVICES}, max_body=100))
    down = gw.get("/api/v1/chemnitz/rules")
    assert down.status_code == 502 and down.content_type == "application/problem+json"
    assert "antwortet gerade nicht" in down.get_json()["detail"]
    big = gw.post("/api/v1/chemnitz/applications", data=b"x" * 101)
    assert big.status_code == 413 and big.get_json()["status"] == 413
    assert gw.get("/oparl/v1/chemnitz/nothing").status_code == 404
    assert gw.get("/chemnitz/").get_data(as_text=True) == "Portal"
    index = gw.get("/api/v1/docs")
    assert index.status_code == 200 and 'href="/api/v1/events/docs"' in index.get_data(True)
