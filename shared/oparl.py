"""What every service's OParl 1.1 read API shares: the list query, paging and filters, CORS,
and the list and object routes (OParl 1.1, "Objektlisten" and "Filter").

A service serves the OParl objects of the data it owns under ``/oparl/v1/<tenant>/``;
its handlers build the objects, this module pages them the same way everywhere.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from datetime import UTC, datetime, timedelta
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


OPARL = "https://schema.oparl.org/1.1/"
# What the digest of an object leaves out: its moments (the registry keeps them).
MOMENTS = ("created", "modified")
# What a deleted object keeps besides id, type, created, modified and deleted: what the
# schema of its type requires (OParl 1.1 schemas: an AgendaItem's order, a File's accessUrl).
REQUIRED = {
    "System": ("oparlVersion", "body"),
    "Body": ("name", "organization", "person", "meeting", "paper", "legislativeTerm"),
    "AgendaItem": ("order",),
    "File": ("accessUrl",),
}
ROOT = "$ROOT"


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
        at = datetime.fromisoformat(obj[key])
        if (at < limit) if since else (at > limit):
            return False
    return True


def moment(value) -> datetime | None:
    """A moment from a row (datetime) or from an object (ISO text); None stays None."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def stamp(value) -> str | None:
    """A moment as OParl 1.1 (§ 2.4) writes it: ``yyyy-mm-ddThh:mm:ss±hh:mm``, whole seconds,
    rounded up (so that ``modified_since`` of any moment before the change still finds it)."""
    at = moment(value)
    if at is None:
        return None
    if at.microsecond:
        at = at.replace(microsecond=0) + timedelta(seconds=1)
    return at.isoformat(timespec="seconds")


def _bare(value):
    if isinstance(value, dict):
        return {k: _bare(v) for k, v in value.items() if k not in MOMENTS}
    if isinstance(value, list):
        return [_bare(v) for v in value]
    return value


def digest(obj: dict, root: str) -> str:
    """What an object says apart from its moments, as a digest independent of the ids' base."""
    text = json.dumps(_bare(obj), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.replace(root, "").encode()).hexdigest()[:32]


def _stamped(value, stamps: dict[str, tuple], root: str) -> None:
    """Set created/modified of every object (embedded ones too) the registry knows."""
    if isinstance(value, list):
        for v in value:
            _stamped(v, stamps, root)
        return
    if not isinstance(value, dict):
        return
    known = stamps.get(str(value.get("id", "")).removeprefix(root + "/"))
    if known is not None and str(value.get("type", "")).startswith(OPARL):
        value["created"], value["modified"] = stamp(known[0]), stamp(known[1])
    for v in value.values():
        if isinstance(v, dict | list):
            _stamped(v, stamps, root)


def reconcile(
    objects: dict[str, list[dict]], known: list[dict], root: str, now: datetime
) -> tuple[dict[str, list[dict]], list[dict]]:
    """Every object with its ``created`` and ``modified`` (OParl 1.1 § 3.1: MUST), and every
    object that was served once and is gone as a deleted one (id, type, created, modified,
    deleted, and what the schema of its type requires: REQUIRED): nothing an incremental sync
    asks for with ``modified_since`` is lost.

    objects: the kind's list → its objects as built now (with their own moments where the
    data has them); known: the rows of the registry (key, kind, type, digest, created_at,
    modified_at, deleted_at). An object seen for the first time is created when its data
    says, else now, and modified now: no client can have had it (an admission made public by
    its announcement, long after its minutes); one whose content changed is modified now (or
    later, its own moment); one that vanished is deleted now. Returns the objects (each list: its own, then the deleted,
    by key) and the registry rows to write.
    """
    rows = {r["key"]: dict(r) for r in known}
    changed: dict[str, dict] = {}
    stamps: dict[str, tuple] = {}
    live: set[str] = set()
    for kind, objs in objects.items():
        for obj in objs:
            key = obj["id"].removeprefix(root + "/")
            live.add(key)
            own_created, own_modified = moment(obj.get("created")), moment(obj.get("modified"))
            row, now_digest = rows.get(key), digest(obj, root)
            if row is None:  # new to every client: modified now (even if its data is older)
                created = own_created or own_modified or now
                row = {"created_at": created, "modified_at": max(now, created)}
            elif row["digest"] == now_digest and row["deleted_at"] is None:
                row = None
            else:
                row = {**row, "modified_at": max(now, own_modified or now)}
            if row is not None:
                kind_of = obj["type"].removeprefix(OPARL)
                kept = {k: obj[k] for k in REQUIRED.get(kind_of, ()) if k in obj}
                row.update(
                    key=key,
                    kind=kind,
                    type=kind_of,
                    digest=now_digest,
                    deleted_at=None,
                    kept=json.dumps(kept, ensure_ascii=False).replace(root, ROOT),
                )
                rows[key] = changed[key] = row
            row = rows[key]
            created = own_created or row["created_at"]
            stamps[key] = (created, max(own_modified or created, row["modified_at"], created))
    out = {kind: list(objs) for kind, objs in objects.items()}
    for key in sorted(set(rows) - live):
        row = rows[key]
        if row["kind"] not in out:
            continue
        if row["deleted_at"] is None:
            row = changed[key] = {**row, "deleted_at": now, "modified_at": now, "digest": "-"}
        out[row["kind"]].append(
            {
                **json.loads((row.get("kept") or "{}").replace(ROOT, root)),
                "id": f"{root}/{key}",
                "type": OPARL + row["type"],
                "created": stamp(row["created_at"]),
                "modified": stamp(row["modified_at"]),
                "deleted": True,
            }
        )
    for objs in objects.values():
        _stamped(objs, stamps, root)
    return out, [changed[k] for k in sorted(changed)]


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
