"""What every service's OParl 1.1 read API shares: the list query, paging and filters, CORS,
and the list and object routes (OParl 1.1, "Objektlisten" and "Filter").

A service serves the OParl objects of the data it owns under ``/oparl/v1/<tenant>/``;
its handlers build the objects, this module pages them the same way everywhere.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from knotenpunkt.shared.access import allows
from knotenpunkt.shared.schema import SANE_MOMENT
from knotenpunkt.shared.web import context, uow

# filter → (the object's field, whether the filter is a lower bound)
FILTERS = {
    "created_since": ("created", True),
    "created_until": ("created", False),
    "modified_since": ("modified", True),
    "modified_until": ("modified", False),
}
MAX_PAGE = 1_000_000
PLAUSIBLE_MOMENT = SANE_MOMENT


def base_url(settings) -> str:
    """The base of the OParl ids: OPARL_BASE_URL, else PUBLIC_URL where set (the gateway's public
    address), else empty: each request's own origin (its host, which ALLOWED_HOSTS checks
    before any view runs; outside development one of the two is required)."""
    extra = settings.extra if settings is not None else {}
    given = settings.public_url if settings is not None and settings.public_url_given else ""
    return (
        extra.get("oparl_base_url")
        or os.environ.get("OPARL_BASE_URL")
        or given
        or os.environ.get("PUBLIC_URL")
        or ""
    ).rstrip("/")


def request_origin() -> str:
    """The origin of the current request (the ids' base where none is configured): its host
    was checked against ALLOWED_HOSTS before the view ran (shared.web)."""
    return request.host_url


def root_url(base: str, tenant: str) -> str:
    """The tenant's OParl root: ``<base>/oparl/v1/<tenant>``."""
    return f"{base.rstrip('/')}/oparl/v1/{tenant}"


def _moment(description: str) -> fields.AwareDateTime:
    # A moment without offset is read as UTC: a '+' in a query string arrives as a space.
    return fields.AwareDateTime(
        load_default=None,
        default_timezone=UTC,
        validate=PLAUSIBLE_MOMENT,
        metadata={"description": description},
    )


class OparlListQuery(Schema):
    """The query of an OParl list: page, elementsPerPage and the filters of OParl 1.1."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    elements_per_page = fields.Integer(
        data_key="elementsPerPage",
        load_default=None,
        validate=validate.Range(min=1, max=500),
        metadata={"description": "Objekte je Listenseite (sonst die Voreinstellung des Netzwerks)"},
    )
    created_since = _moment("nur Objekte, die ab diesem Zeitpunkt angelegt wurden")
    created_until = _moment("nur Objekte, die bis zu diesem Zeitpunkt angelegt wurden")
    modified_since = _moment("nur Objekte, die ab diesem Zeitpunkt geändert wurden")
    modified_until = _moment("nur Objekte, die bis zu diesem Zeitpunkt geändert wurden")
    omit_internal = fields.Boolean(
        load_default=False, metadata={"description": "eingebettete Objekte weglassen"}
    )


def matches(obj: dict, filters: dict) -> bool:
    """Whether the object passes the created/modified filters given (an object without the
    moment a filter asks about does not pass it)."""
    for name, (key, since) in FILTERS.items():
        limit = filters.get(name)
        if limit is None:
            continue
        if obj.get(key) is None:
            return False
        moment = datetime.fromisoformat(obj[key])
        if (moment < limit) if since else (moment > limit):
            return False
    return True


def without_internal(obj: dict) -> dict:
    """The object without its embedded objects (omit_internal)."""
    return {
        k: v
        for k, v in obj.items()
        if not isinstance(v, dict) and not (isinstance(v, list) and v and isinstance(v[0], dict))
    }


def page(objects: list[dict], url: str, query: dict, size: int) -> dict:
    """One page of an OParl list: data, pagination, links (which keep the filters)."""
    chosen = [o for o in objects if matches(o, query)]
    size = query.get("elements_per_page") or size
    total_pages = max(1, math.ceil(len(chosen) / size))
    current = query.get("page", 1)
    data = chosen[(current - 1) * size : current * size]
    if query.get("omit_internal"):
        data = [without_internal(o) for o in data]
    kept = {
        k: (v.isoformat() if isinstance(v, datetime) else str(v).lower())
        for k, v in query.items()
        if k not in ("page", "elements_per_page") and v not in (None, False)
    }
    if query.get("elements_per_page"):
        kept["elementsPerPage"] = str(size)

    def link(n: int) -> str:
        return f"{url}?{urlencode({**kept, 'page': n})}"

    links = {"first": link(1), "last": link(total_pages), "self": link(current)}
    if current > 1:
        links["prev"] = link(min(current - 1, total_pages))
    if current < total_pages:
        links["next"] = link(current + 1)
    return {
        "data": data,
        "pagination": {
            "totalElements": len(chosen),
            "elementsPerPage": size,
            "currentPage": current,
            "totalPages": total_pages,
        },
        "links": links,
    }


def open_for_reading(resp):
    """Any site may read an OParl API (GET only; nothing there needs credentials)."""
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
    return resp


def add_routes(bp, handlers, kinds) -> None:
    """A list route ``/<kind>`` and an object route ``/<kind>/<key>`` per (kind, doc of the
    list, doc of one) on the blueprint, served by ``handlers.oparl_list`` / ``oparl_object``."""
    for kind, plural, one in kinds:
        bp.route(f"/{kind}")(_list_view(bp, handlers, kind, plural))
        bp.route(f"/{kind}/<path:key>")(_object_view(bp, handlers, kind, one))


def _list_view(bp, handlers, kind: str, doc: str):
    @allows("public")
    @bp.arguments(OparlListQuery, location="query")
    @bp.response(200)
    def get(self, query, tenant):
        with uow() as conn:
            return handlers.oparl_list(conn, context(), kind, origin=request_origin(), **query)

    get.__doc__ = doc
    return type(f"{kind.title()}List", (MethodView,), {"get": get})


def _object_view(bp, handlers, kind: str, doc: str):
    @allows("public")
    @bp.response(200)
    def get(self, tenant, key):
        with uow() as conn:
            return handlers.oparl_object(conn, context(), kind, key, origin=request_origin())

    get.__doc__ = doc
    return type(f"{kind.title()}Object", (MethodView,), {"get": get})
