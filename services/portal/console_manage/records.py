"""The records the Koordinierungsstelle keeps, one list and one form per kind (kinds.py):
partners, contacts, doctors, offers and the responsibility matrix's cells."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from knotenpunkt.shared.collation import german_key

from .. import labels
from ..client import as_user
from ..forms import Errors
from ..nav import COORDINATORS, PAGE_SIZE, one_of, page_number, paged, pages, signed_in
from .blueprint import bp
from .kinds import Kind, kind_for
from .record_form import api_body, form_values, shown

PARTNER_STATUS_FILTERS = ("active", "left", "all")


def _records(tenant: str, kind: Kind, args) -> dict:
    """The list page's records: a page of a paged kind (partners, by status and search), else
    every record, by name."""
    if kind.paged:
        status = one_of(args.get("stand", "active"), PARTNER_STATUS_FILTERS, "active")
        q = args.get("q", "").strip()[:200]
        page = page_number()
        reply = as_user(
            "GET",
            "membership",
            tenant,
            kind.path,
            params={"status": status, "q": q, "page": page, "page_size": PAGE_SIZE},
        )
        data = paged(reply)
        return {
            "items": data.get("items", []),
            "total": data.get("total", 0),
            "page": page,
            "pages": pages(data.get("total", 0)),
            "filters": {"stand": status, "q": q},
        }
    reply = as_user("GET", "membership", tenant, kind.path)
    data = reply.data if reply.ok else []
    items = data.get("cells", []) if isinstance(data, dict) else data or []
    key = kind.name_field
    items = sorted(items, key=lambda i: (german_key(i.get(key)), str(i.get("id"))))
    return {"items": items, "total": len(items), "page": 1, "pages": 1, "filters": {}}


def _record(tenant: str, kind: Kind, item_id: str) -> dict:
    if kind.has_item_route:
        return as_user("GET", "membership", tenant, f"{kind.path}/{item_id}").or_404()
    for item in _records(tenant, kind, {})["items"]:
        if str(item.get("id")) == item_id:
            return item
    abort(404)


def _save(tenant: str, kind: Kind, body: dict, item_id: str | None = None):
    """Create (no item_id) or change a record: PUT on the path for an upsert kind."""
    if kind.upsert:
        return as_user("PUT", "membership", tenant, kind.path, json=body)
    if item_id is None:
        return as_user("POST", "membership", tenant, kind.path, json=body)
    return as_user("PATCH", "membership", tenant, f"{kind.path}/{item_id}", json=body)


@bp.route("/verwalten/<slug>")
@signed_in(*COORDINATORS)
def records(tenant, slug):
    kind = kind_for(slug)
    found = _records(tenant, kind, request.args)
    found["items"] = [shown(kind, i) for i in found["items"]]
    pager_args = {"tenant": tenant, "slug": slug, **found["filters"]}
    return render_template("console/records.html", kind=kind, pager_args=pager_args, **found)


@bp.route("/verwalten/<slug>/neu", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def new_record(tenant, slug):
    kind = kind_for(slug)
    errors = Errors([f.name for f in kind.fields])
    values = request.form if request.method == "POST" else {}
    if request.method == "POST":
        body = api_body(kind, request.form, errors, creating=True)
        if not errors:
            reply = _save(tenant, kind, body)
            if reply.ok:
                flash(
                    _("„%(name)s“ ist gespeichert.", name=reply.data.get(kind.name_field)),
                    "success",
                )
                return redirect(url_for("manage.records", tenant=tenant, slug=slug))
            errors.from_reply(reply)
    return render_template(
        "console/record_form.html", kind=kind, item=None, values=values, errors=errors
    ), (422 if errors else 200)


@bp.route("/verwalten/<slug>/<item_id>", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def record(tenant, slug, item_id):
    kind = kind_for(slug)
    item = _record(tenant, kind, item_id)
    errors = Errors([f.name for f in kind.fields])
    values = form_values(kind, item)
    if request.method == "POST":
        values = request.form
        body = api_body(kind, request.form, errors, creating=False)
        if not errors:
            reply = _save(tenant, kind, body, item_id)
            if reply.ok:
                flash(
                    _("Die Änderungen an „%(name)s“ sind gespeichert.", name=body[kind.name_field]),
                    "success",
                )
                return redirect(url_for("manage.records", tenant=tenant, slug=slug))
            errors.from_reply(reply)
    return render_template(
        "console/record_form.html", kind=kind, item=item, values=values, errors=errors
    ), (422 if errors else 200)


@bp.post("/verwalten/<slug>/<item_id>/entfernen")
@signed_in(*COORDINATORS)
def remove_record(tenant, slug, item_id):
    """Delete a record; a partner is not deleted but leaves the network (on the day given)."""
    kind = kind_for(slug)
    if kind.delete == "none":
        abort(404)
    if kind.delete == "leave":
        left_on = request.form.get("left_on", "").strip()
        if not left_on:
            flash(_("Bitte geben Sie an, seit wann der Partner ausgetreten ist."), "error")
            return redirect(url_for("manage.record", tenant=tenant, slug=slug, item_id=item_id))
        reply = as_user(
            "PATCH",
            "membership",
            tenant,
            f"{kind.path}/{item_id}",
            json={"status": "left", "left_on": left_on},
        )
        said = _("Der Partner ist als ausgetreten eingetragen.")
    else:
        reply = as_user("DELETE", "membership", tenant, f"{kind.path}/{item_id}")
        said = _("Der Eintrag ist gelöscht.")
    if reply.ok:
        flash(said, "success")
        return redirect(url_for("manage.records", tenant=tenant, slug=slug))
    flash(labels.quoted_choices(reply.detail) or _("Das hat nicht geklappt."), "error")
    return redirect(url_for("manage.record", tenant=tenant, slug=slug, item_id=item_id))
