"""A JSON body is parsed once per request: strictly in before_request, and webargs takes the
parsed body from there (it does not parse the bytes again). Errors stay as they were."""

from __future__ import annotations

from webargs import core


def test_the_body_is_parsed_once_and_validated_as_before(clients, token, monkeypatch):
    calls = []
    parse = core.parse_json
    monkeypatch.setattr(core, "parse_json", lambda *a, **k: calls.append(a) or parse(*a, **k))
    c = clients["membership"]
    coordinator = token("chemnitz", "coordinator")
    created = c.post(
        "/api/v1/chemnitz/partners",
        json={"name": "Verein für einmaliges Parsen", "kind": "other"},
        headers=coordinator,
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["name"] == "Verein für einmaliges Parsen"
    invalid = c.post(
        "/api/v1/chemnitz/partners", json={"name": "Verein", "kind": "zoo"}, headers=coordinator
    )
    assert invalid.status_code == 422
    assert set(invalid.get_json()["errors"]) == {"kind"}
    not_an_object = c.post(
        "/api/v1/chemnitz/partners",
        data="null",
        content_type="application/json",
        headers=coordinator,
    )
    assert not_an_object.status_code == 422, not_an_object.get_json()
    malformed = c.post(
        "/api/v1/chemnitz/partners",
        data="{ not json",
        content_type="application/json",
        headers=coordinator,
    )
    assert malformed.status_code == 400
    assert calls == []  # webargs never parsed a body itself
