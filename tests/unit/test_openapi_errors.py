"""Which error answers the OpenAPI documents declare for an operation (shared/docs.py)."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

from knotenpunkt.shared.docs import error_statuses


def rule(path: str) -> Rule:
    made = Rule(path)
    Map([made])
    return made


def test_a_public_read_below_a_tenant_can_meet_token_tenant_and_database_errors():
    found = error_statuses("get", rule("/api/v1/<tenant>/rules"), "public", {})
    assert found == {401, 403, 404, 503}


def test_a_read_of_one_thing_with_a_query_can_also_be_not_found_and_invalid():
    operation = {"parameters": [{"in": "query", "name": "token"}]}
    path = rule("/api/v1/<tenant>/applications/<uuid:application_id>")
    assert error_statuses("get", path, "public", operation) == {401, 403, 404, 422, 503}


def test_a_write_with_a_body_can_meet_every_error_of_the_platform():
    path = rule("/api/v1/<tenant>/partners")
    found = error_statuses("post", path, "manage", {"requestBody": {}})
    assert found == {400, 401, 403, 404, 409, 413, 415, 422, 429, 503}


def test_a_write_without_a_body_has_no_malformed_or_oversized_body():
    path = rule("/api/v1/<tenant>/ballots/<uuid:ballot_id>/close")
    assert error_statuses("post", path, "body", {}) == {401, 403, 404, 409, 422, 429, 503}
