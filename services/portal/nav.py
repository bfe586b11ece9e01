"""What the pages of a network share: its rules for the URL's tenant, the login a console page
needs, the roles that manage a network, and how a list is paged."""

from __future__ import annotations

import functools
import math

from flask import abort, g, redirect, request, url_for

from .auth import current_user
from .tenants import network

# A page of a list: this many entries (applications, partners, deliveries).
PAGE_SIZE = 20
# The roles that may manage a network (the Koordinierungsstelle and the platform's admins).
COORDINATORS = ("coordinator", "admin")


def network_of_url(endpoint, values) -> None:
    """A blueprint's URL value preprocessor: g.tenant and g.rules for the URL's tenant (404 for a
    network the portal does not serve); a page without a tenant (the index) has neither."""
    if values and "tenant" in values:
        g.tenant = values["tenant"]
        g.rules = network(values["tenant"])
        if g.rules is None:
            abort(404)


def signed_in(*roles):
    """The page needs a login for this network (and one of these roles, if given)."""

    def wrap(view):
        @functools.wraps(view)
        def inner(tenant, **kw):
            user = current_user(tenant)
            if user is None:
                return redirect(
                    url_for("auth.login", tenant=tenant, next=request.full_path.rstrip("?"))
                )
            if roles and not set(roles) & set(user.get("roles", [])):
                abort(403)
            g.user = user
            return view(tenant, **kw)

        return inner

    return wrap


def is_coordinator(user: dict | None = None) -> bool:
    """The person (by default the signed-in one, g.user) manages the network."""
    user = g.get("user") if user is None else user
    return bool(user) and bool(set(COORDINATORS) & set(user.get("roles") or []))


def listed(reply) -> list:
    """An API answer that is a list, or [] (an error, or no list)."""
    return reply.data if reply.ok and isinstance(reply.data, list) else []


def page_number() -> int:
    """The list page the URL asks for (?seite=, 1 to 10,000)."""
    return max(1, min(request.args.get("seite", type=int, default=1), 10000))


def pages(total: int) -> int:
    """How many pages of PAGE_SIZE a list of `total` entries has (at least one)."""
    return max(1, math.ceil(total / PAGE_SIZE))


def paged(reply) -> dict:
    """A paged API answer ({"items": …, "total": …}), or an empty page."""
    return reply.data if reply.ok else {"items": [], "total": 0}


def one_of(value: str, allowed, default: str = "") -> str:
    """A query or form value when it is one of `allowed`, else `default`."""
    return value if value in allowed else default
