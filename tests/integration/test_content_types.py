"""Writes take JSON only, and answers for a signed-in caller are kept by no cache.

Found by walking the four OpenAPI documents: every operation with a JSON request body gets
415 for a body in another format (text, a form, XML) and, for PUT and PATCH, for no body at
all, before anything is read or written; every answer to a caller with a token that is not a
conditional read says ``Cache-Control: private, no-store``.
"""

from __future__ import annotations

import re
import uuid

import pytest

SERVICES = ("membership", "voting", "events", "notifications")
NOT_JSON = [
    ("text/plain", b"minutes: none"),
    ("application/x-www-form-urlencoded", b"markdown=x&decisions=y"),
    ("application/xml", b"<minutes><markdown>x</markdown></minutes>"),
    (
        "multipart/form-data; boundary=b",
        b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--\r\n",
    ),
]


def concrete(path: str) -> str:
    """The path with a network and made-up ids, so that the route is matched."""
    path = path.replace("{tenant}", "chemnitz")
    return re.sub(r"\{[^}]+\}", lambda m: str(uuid.uuid4()) if "id" in m.group(0) else "x", path)


def json_writes(client) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {}) if isinstance(op, dict) else {}
            if method in ("post", "put", "patch") and "application/json" in body:
                found.append((method, path))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_json_write_refuses_other_formats_with_415(clients, token, service):
    client = clients[service]
    writes = json_writes(client)
    assert len(writes) >= 2, writes  # the walk found the service's writes
    auth = token("chemnitz", "coordinator")
    wrong = []
    for method, path in writes:
        url = concrete(path)
        bodies = list(NOT_JSON) + ([(None, b"")] if method in ("put", "patch") else [])
        for content_type, data in bodies:
            headers = dict(auth)
            if content_type:
                headers["Content-Type"] = content_type
            resp = client.open(url, method=method.upper(), data=data, headers=headers)
            if resp.status_code != 415 or resp.mimetype != "application/problem+json":
                wrong.append(f"{method.upper()} {path} {content_type}: {resp.status_code}")
    assert wrong == []


def test_minutes_sent_as_text_change_nothing(clients, token):
    """The finding: PUT minutes with text/plain, a form, XML or nothing gave 200 and empty
    draft minutes; now 415, and the minutes are as blank as before (none were written)."""
    auth = token("chemnitz", "coordinator")
    planned = clients["events"].post(
        "/api/v1/chemnitz/events",
        json={
            "title": f"Netzwerksitzung {uuid.uuid4().hex[:6]}",
            "kind": "network_event",
            "starts_at": "2031-05-06T16:00:00+02:00",
            "ends_at": "2031-05-06T18:00:00+02:00",
        },
        headers=auth,
    )
    assert planned.status_code == 201, planned.get_json()
    url = f"/api/v1/chemnitz/events/{planned.get_json()['id']}/minutes"
    before = clients["events"].get(url, headers=auth).get_json()
    for content_type, data in [*NOT_JSON, (None, b"")]:
        headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
        resp = clients["events"].put(url, data=data, headers=headers)
        assert resp.status_code == 415, (content_type, resp.get_json())
        assert resp.get_json()["errors"] == {"_body": ["Content-Type: application/json erwartet"]}
    assert clients["events"].get(url, headers=auth).get_json() == before


def test_an_empty_post_action_still_works(clients, token):
    """Actions whose parameters are all optional keep taking an empty POST (e.g. publishing
    a partner overview by hand)."""
    resp = clients["membership"].post(
        "/api/v1/chemnitz/directory/publications", headers=token("chemnitz", "coordinator")
    )
    assert resp.status_code in (200, 201), resp.get_json()


AUTHENTICATED_READS = [
    ("membership", "/api/v1/chemnitz/contacts"),
    ("membership", "/api/v1/chemnitz/applications"),
    ("membership", "/api/v1/chemnitz/bodies/vorbereitungsgremium/members"),
    ("voting", "/api/v1/chemnitz/ballots"),
    ("voting", "/api/v1/chemnitz/electorates/vorbereitungsgremium"),
    ("events", "/api/v1/chemnitz/events?invited=me"),
    ("notifications", "/api/v1/chemnitz/notifications"),
]


@pytest.mark.parametrize(("service", "path"), AUTHENTICATED_READS)
def test_signed_in_answers_are_private_and_not_stored(clients, token, service, path):
    resp = clients[service].get(path, headers=token("chemnitz", "coordinator", sub="koord"))
    assert resp.status_code == 200, resp.get_json()
    assert resp.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("service", SERVICES)
def test_errors_to_a_signed_in_caller_are_not_stored_either(clients, token, service):
    resp = clients[service].get(
        "/api/v1/chemnitz/nothing-here", headers=token("chemnitz", "coordinator")
    )
    assert resp.status_code == 404
    assert resp.headers["Cache-Control"] == "private, no-store"


def test_conditional_reads_keep_their_own_cache_control(clients, token):
    resp = clients["membership"].get(
        "/api/v1/chemnitz/partners", headers=token("chemnitz", "coordinator")
    )
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-cache" and resp.headers["ETag"]
