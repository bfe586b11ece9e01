"""The delivery log: every notification's state, failed ones sent again by hand."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import labels
from ..client import as_user
from ..nav import COORDINATORS, PAGE_SIZE, listed, one_of, page_number, signed_in
from .blueprint import bp


@bp.route("/zustellungen")
@signed_in(*COORDINATORS)
def deliveries(tenant):
    status = one_of(request.args.get("status", ""), labels.DELIVERY_STATUS)
    channel = one_of(request.args.get("kanal", ""), labels.CHANNELS)
    page = page_number()
    found = listed(
        as_user(
            "GET",
            "notifications",
            tenant,
            "notifications",
            params={
                "status": status,
                "channel": channel,
                "limit": PAGE_SIZE + 1,
                "offset": (page - 1) * PAGE_SIZE,
            },
        )
    )
    return render_template(
        "console/deliveries.html",
        items=found[:PAGE_SIZE],
        status=status,
        channel=channel,
        page=page,
        more=len(found) > PAGE_SIZE,
    )


@bp.post("/zustellungen/<notification_id>/erneut")
@signed_in(*COORDINATORS)
def resend(tenant, notification_id):
    reply = as_user("POST", "notifications", tenant, f"notifications/{notification_id}/resend")
    if reply.ok:
        flash(
            _(
                "Die Zustellung an %(recipient)s wird erneut versucht …",
                recipient=reply.data.get("recipient_name") or reply.data.get("recipient"),
            ),
            "info",
        )
    else:
        flash(reply.detail or _("Das hat nicht geklappt."), "error")
    back = {k: v for k, v in request.form.items() if k in ("status", "kanal", "seite") and v}
    return redirect(url_for("manage.deliveries", tenant=tenant, **back))
