"""A network's bodies and their members: who sits in which body, with which role."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import labels
from ..client import as_user
from ..forms import Errors
from ..nav import COORDINATORS, listed, signed_in
from .blueprint import bp
from .kinds import partner_options

MEMBER_ORDER = ["name", "email", "person_id", "partner_id", "department", "role"]


@bp.route("/gremien")
@signed_in(*COORDINATORS)
def bodies(tenant):
    items = listed(as_user("GET", "membership", tenant, "bodies"))
    counts = {
        b["key"]: len(listed(as_user("GET", "membership", tenant, f"bodies/{b['key']}/members")))
        for b in items
    }
    return render_template("console/bodies.html", items=items, counts=counts)


@bp.route("/gremien/<key>", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def body(tenant, key):
    found = as_user("GET", "membership", tenant, f"bodies/{key}").or_404()
    errors = Errors(MEMBER_ORDER)
    if request.method == "POST":
        form = request.form
        member = {f: form.get(f, "").strip() for f in MEMBER_ORDER}
        if not member["name"]:
            errors.add("name", _("Bitte geben Sie den Namen an."))
        if member["role"] not in labels.BODY_ROLES:
            errors.add("role", _("Bitte wählen Sie die Rolle im Gremium."))
        if not errors:
            reply = as_user(
                "POST",
                "membership",
                tenant,
                f"bodies/{key}/members",
                json={k: v for k, v in member.items() if v},
            )
            if reply.ok:
                flash(
                    _("%(name)s ist Mitglied des Gremiums.", name=reply.data.get("name")),
                    "success",
                )
                return redirect(url_for("manage.body", tenant=tenant, key=key))
            errors.from_reply(reply)
    members = listed(as_user("GET", "membership", tenant, f"bodies/{key}/members"))
    return render_template(
        "console/body.html",
        body=found,
        members=members,
        errors=errors,
        values=request.form,
        partners=partner_options(tenant),
    ), (422 if errors else 200)


@bp.post("/gremien/<key>/mitglieder/<person_id>/entfernen")
@signed_in(*COORDINATORS)
def remove_member(tenant, key, person_id):
    reply = as_user("DELETE", "membership", tenant, f"bodies/{key}/members/{person_id}")
    if reply.ok:
        flash(_("Die Person ist nicht mehr Mitglied des Gremiums."), "success")
    else:
        flash(reply.detail or _("Das hat nicht geklappt."), "error")
    return redirect(url_for("manage.body", tenant=tenant, key=key))
