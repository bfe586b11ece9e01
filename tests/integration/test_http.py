"""HTTP conventions of every service: problem+json for unknown tenant, missing or foreign token, bad JSON."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


def assert_problem(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    assert "Traceback" not in resp.get_data(as_text=True)
    return body


@pytest.mark.parametrize("service", ["membership", "voting", "events", "notifications"])
def test_health_ready_metrics_openapi(clients, service):
    c = clients[service]
    assert c.get("/healthz").get_json()["status"] == "ok"
    ready = c.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json()["checks"] == {"database": "ok", "broker": "ok", "outbox": "ok"}
    assert b"http_requests_total" in c.get("/metrics").data
    spec = c.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")


def test_unknown_tenant_is_404(clients):
    body = assert_problem(clients["membership"].get("/api/v1/atlantis/partners"), 404)
    assert "atlantis" in body["detail"]
    assert_problem(clients["voting"].get("/api/v1/atlantis/electorates/x"), 404)


def test_missing_token_is_401(clients):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/partners", json={"name": "Verein", "kind": "other"}
    )
    assert_problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(clients["voting"].get("/api/v1/chemnitz/electorates/vorbereitungsgremium"), 401)


def test_token_of_another_tenant_is_403(clients, token):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": "Verein", "kind": "other"},
        headers=token("magdeburg", "coordinator"),
    )
    body = assert_problem(resp, 403)
    assert "magdeburg" in body["detail"]


def test_garbage_token_is_401(clients):
    resp = clients["membership"].get(
        "/api/v1/chemnitz/bodies/vorbereitungsgremium/members",
        headers={"Authorization": "Bearer abc.def.ghi"},
    )
    assert_problem(resp, 401)


def test_malformed_json_is_400(clients, token):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        data="{ this is not json",
        content_type="application/json",
        headers=token("chemnitz", "coordinator"),
    )
    body = assert_problem(resp, 400)
    assert "JSON" in body["detail"]


def test_validation_names_field_and_rule(clients, token):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": "Verein", "kind": "zoo", "postcode": "123"},
        headers=token("chemnitz", "coordinator"),
    )
    body = assert_problem(resp, 422)
    assert set(body["errors"]) == {"kind", "postcode"}
    assert body["title"] == "Ungültige Eingabe"
    assert body["detail"] == "Die Eingabe ist ungültig in: kind, postcode."
    assert body["errors"]["postcode"] == ["Eine Postleitzahl hat fünf Ziffern."]
    assert body["errors"]["kind"][0].startswith("Erlaubt ist nur: ")


def test_validation_in_english_when_asked(clients, token):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": "Verein", "kind": "zoo", "postcode": "123"},
        headers={**token("chemnitz", "coordinator"), "Accept-Language": "en-GB,en;q=0.9,de;q=0.5"},
    )
    body = assert_problem(resp, 422)
    assert body["title"] == "Invalid input"
    assert body["errors"]["postcode"] == ["must be a German postcode of five digits"]
    assert body["errors"]["kind"][0].startswith("Must be one of: ")


def test_wrong_role_is_403(clients, token):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        json={"name": "Verein", "kind": "other"},
        headers=token("chemnitz", "partner"),
    )
    assert_problem(resp, 403)


def test_request_id_is_echoed(clients):
    resp = clients["membership"].get("/api/v1/chemnitz/rules", headers={"X-Request-ID": "abc123"})
    assert resp.headers["X-Request-ID"] == "abc123"


BAD_BODIES = [
    (b'{"name": "Ver\\u0000ein", "kind": "initiative"}', 422, "name"),
    (b'{"name": "Verein \\ud800", "kind": "initiative"}', 422, "name"),
    (b'{"name": "Verein\\r\\nBcc: x@example.org", "kind": "initiative"}', 422, "name"),
    (b'{"name": "Verein\\u2028", "kind": "initiative"}', 422, "name"),
    (b'{"name": "Verein", "kind": "initiative", "topics": ["a\\u000bb"]}', 422, "topics.0"),
    (b"[" * 100000 + b"]" * 100000, 400, "_body"),
    (b'{"name": "Verein", "kind": "initiative", "n": ' + b"9" * 5000 + b"}", 422, "n"),
    (b'{"name": "Verein", "kind": "initiative", "topics": [1e400]}', 422, "topics.0"),
    (b'{"name": NaN, "kind": "initiative"}', 422, "_body"),
    (b'{"name": "\xff"}', 400, "_body"),
]


@pytest.mark.parametrize(("raw", "status", "field"), BAD_BODIES)
def test_bad_input_is_a_4xx_naming_the_field(clients, token, raw, status, field):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        data=raw,
        content_type="application/json",
        headers=token("chemnitz", "coordinator"),
    )
    body = assert_problem(resp, status)
    assert field in body["errors"]


@pytest.mark.parametrize("query", ["q=a%00b", "q=a%0Db", "page=1&kind=x%0Bc"])
def test_bad_query_is_a_422_naming_the_parameter(clients, query):
    resp = clients["membership"].get(f"/api/v1/chemnitz/partners?{query}")
    body = assert_problem(resp, 422)
    assert set(body["errors"]) <= {"q", "kind"} and body["errors"]


def test_oversized_body_is_413_problem(clients, token):
    resp = clients["membership"].post(
        "/api/v1/chemnitz/partners",
        data=b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        content_type="application/json",
        headers=token("chemnitz", "coordinator"),
    )
    assert_problem(resp, 413)


@pytest.mark.parametrize("service", ["membership", "voting", "events", "notifications"])
def test_every_response_forbids_sniffing_and_active_content(clients, service):
    resp = clients[service].get("/healthz")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


@pytest.mark.parametrize("service", ["membership", "voting", "events", "notifications"])
def test_swagger_ui_is_served_by_the_service_itself(clients, service):
    c = clients[service]
    page = c.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    # everything from the service itself: relative addresses, no other host
    assert "http://" not in html and "https://" not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for src in ("docs/static/swagger-ui-bundle.js", "docs/static/swagger-ui.css", "docs/init.js"):
        assert src in html
        with c.get(f"/api/v1/{src}") as asset:
            assert asset.status_code == 200 and asset.data, src
    assert "openapi.json" in c.get("/api/v1/docs/init.js").get_data(as_text=True)
    assert c.get("/api/v1/docs/static/../app.py").status_code == 404
    assert c.get("/api/v1/docs/static/index.html").status_code == 404


def test_without_the_database_writes_and_reads_answer_503_with_retry_after(
    settings, tenants, token, monkeypatch
):
    """A database that cannot be reached is a 503 problem with Retry-After, quickly, never a 500."""
    import time

    from knotenpunkt.services.membership.app import create_app
    from tests.support import free_port

    # a server that is not there (nothing listens on the port)
    url = f"postgresql://nobody:x@127.0.0.1:{free_port()}/none?connect_timeout=1"
    monkeypatch.setenv("MEMBERSHIP_DATABASE_URL", url)
    app = create_app(settings.with_(db_pool_timeout=1.0), tenants)
    service = app.extensions["knotenpunkt"]
    try:
        c = app.test_client()
        started = time.monotonic()
        for resp in (
            c.get("/api/v1/chemnitz/partners"),
            c.post(
                "/api/v1/chemnitz/partners",
                json={"name": "Verein", "kind": "initiative"},
                headers=token("chemnitz", "coordinator"),
            ),
        ):
            body = assert_problem(resp, 503)
            assert resp.headers["Retry-After"] == "5"
            assert body["type"].endswith("/unavailable")
        assert time.monotonic() - started < 10
        assert c.get("/readyz").status_code == 503
    finally:
        service.db.close()
