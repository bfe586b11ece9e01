"""What each role may do: one table, read by every route and by the role-matrix test.

A route names the kind of action it is with ``@allows("<action>")`` (above
flask-smorest's decorators, so a caller without the right token gets 401/403
before the body is validated). Whether a caller may do it is decided here and
nowhere else.

Roles (token claim ``roles``): ``coordinator`` (the Koordinierungsstelle),
``admin`` (the instance's IT), ``member`` (of one or more bodies, claim
``bodies``), ``partner`` (an organisation in the network, claim
``partner_id``), ``federation`` (another Knotenpunkt instance: the shared
directory only).
"""

from __future__ import annotations

import functools

from knotenpunkt.shared.auth import Principal, require

ANONYMOUS_ROLE = "anonymous"

# action -> roles that may perform it ("anonymous" = without a token)
ACCESS: dict[str, frozenset[str]] = {
    # public pages and anonymous writes (applications, ideas, unsubscribe)
    "public": frozenset({ANONYMOUS_ROLE, "coordinator", "admin", "member", "partner"}),
    # what the network's own people read: body members, proposals, measures, non-public events
    "internal": frozenset({"coordinator", "admin", "member", "partner"}),
    # taking part: proposals, joining working groups, papers, topic submissions, poll answers
    "participate": frozenset({"coordinator", "admin", "member", "partner"}),
    # bodies' business: ballots, electorates, votes, body calendars
    "body": frozenset({"coordinator", "admin", "member"}),
    # what a body member asks for themselves: their calendar subscription link
    "member_self": frozenset({"member"}),
    # the Koordinierungsstelle's work
    "manage": frozenset({"coordinator", "admin"}),
    # what only the network's Koordinierungsstelle does: moving a network in (imports)
    "coordinate": frozenset({"coordinator"}),
    # the directory other networks share
    "shared_directory": frozenset({"coordinator", "admin", "federation"}),
}
ROLES_IN_TABLE = frozenset().union(*ACCESS.values()) - {ANONYMOUS_ROLE}


def may(principal: Principal, action: str) -> bool:
    """Whether this caller may perform the action."""
    allowed = ACCESS[action]
    if principal.anonymous:
        return ANONYMOUS_ROLE in allowed
    return bool(principal.roles & allowed)


def check(principal: Principal, action: str) -> Principal:
    """Raises Unauthorized (no token where one is needed) or Forbidden (no role that may)."""
    allowed = ACCESS[action]
    if ANONYMOUS_ROLE in allowed and principal.anonymous:
        return principal
    return require(principal, *sorted(allowed - {ANONYMOUS_ROLE}))


def allows(action: str):
    """Decorator: the route is an `action` of the table; the caller must be allowed it."""
    if action not in ACCESS:
        raise KeyError(f"unknown action {action!r}; actions: {', '.join(ACCESS)}")

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            from knotenpunkt.shared.web import principal

            check(principal(), action)
            return fn(*args, **kwargs)

        inner._knotenpunkt_action = action
        if ANONYMOUS_ROLE not in ACCESS[action]:
            doc = getattr(inner, "_apidoc", {}).copy()
            doc["manual_doc"] = {**doc.get("manual_doc", {}), "security": [{"bearer": []}]}
            inner._apidoc = doc
        return inner

    return wrap


def action_of(view) -> str | None:
    """The action a view function was declared as (None when it has none)."""
    return getattr(view, "_knotenpunkt_action", None)
