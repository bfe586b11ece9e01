"""One table maps domain errors to HTTP status codes."""

from knotenpunkt.shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RuleViolation,
    Unauthorized,
    status_of,
)


def test_status_codes():
    assert status_of(Unauthorized("x")) == 401
    assert status_of(Forbidden("x")) == 403
    assert status_of(NotFound("x")) == 404
    assert status_of(Conflict("x")) == 409
    assert status_of(RuleViolation("x")) == 422
