"""Domain errors: plain sentences a coordinator understands, and one table mapping them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a rule raises; the message is shown to the user as it is."""

    title = "Fehler"
    type_slug = "domain-error"

    def __init__(self, detail: str, *, field: str | None = None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class NotFound(DomainError):
    title = "Nicht gefunden"
    type_slug = "not-found"


class Conflict(DomainError):
    """The request fits the schema but not the current state (e.g. voting after the deadline)."""

    title = "Konflikt"
    type_slug = "conflict"


class RuleViolation(DomainError):
    """The request breaks a rule of the network (e.g. a 'no' without the required reason)."""

    title = "Regel verletzt"
    type_slug = "rule-violation"


class Forbidden(DomainError):
    title = "Nicht erlaubt"
    type_slug = "forbidden"


class Unauthorized(DomainError):
    title = "Anmeldung erforderlich"
    type_slug = "unauthorized"


class TooLarge(DomainError):
    """An upload is larger than this instance takes (a file's bytes)."""

    title = "Zu groß"
    type_slug = "too-large"


class TooManyRequests(DomainError):
    """A rate limit is reached; retry_after says in how many seconds to try again."""

    title = "Zu viele Anfragen"
    type_slug = "rate-limited"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


HTTP_STATUS: dict[type[DomainError], int] = {
    TooManyRequests: 429,
    TooLarge: 413,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RuleViolation: 422,
}


def status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 400
