"""An event's minutes (Koordinierungsstelle): the draft (attendees, a note per agenda item,
the body's decided ballots), its approval and its publication."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from ..client import as_user
from ..forms import Errors
from ..nav import COORDINATORS, listed, signed_in
from .blueprint import bp, event_of, flash_reply, form_status, redirect_to


@bp.route("/planung/<uuid:event_id>/protokoll", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def minutes(tenant, event_id):
    event = event_of(tenant, event_id)
    path = f"events/{event_id}/minutes"
    errors = Errors(["attendees", "ballots"])
    if request.method == "POST":
        op = request.form.get("op", "")
        if op == "save":
            notes = [
                {"item_id": item["id"], "text": request.form.get(f"note-{item['id']}", "").strip()}
                for item in event.get("agenda") or []
                if request.form.get(f"note-{item['id']}", "").strip()
            ]
            body = {
                "attendees": [
                    line.strip()
                    for line in request.form.get("attendees", "").splitlines()
                    if line.strip()
                ],
                "notes": notes,
                "ballot_ids": request.form.getlist("ballots"),
            }
            saved = as_user("PUT", "events", tenant, path, json=body)
            if saved.ok:
                flash(_("Der Entwurf des Protokolls ist gespeichert."), "success")
                return redirect_to("minutes", event_id=event_id)
            errors.from_reply(saved, {"ballot_ids": "ballots"})
        elif op in ("approve", "publish"):
            reply = as_user("POST", "events", tenant, f"{path}/{op}")
            done = (
                _("Das Protokoll ist genehmigt.")
                if op == "approve"
                else _(
                    "Das Protokoll ist veröffentlicht; die Eingeladenen werden benachrichtigt (wird übermittelt …)."
                )
            )
            flash_reply(reply, done)
            return redirect_to("minutes", event_id=event_id)
        else:
            abort(400)
    found = as_user("GET", "events", tenant, path)
    record = (
        found.data
        if found.ok
        else {"status": "draft", "attendees": [], "notes": [], "decisions": []}
    )
    ballots = []
    if event.get("body"):
        ballots = listed(
            as_user(
                "GET",
                "voting",
                tenant,
                "ballots",
                params={"status": "closed", "body": event["body"], "page_size": 100},
            )
        )
    attendees = record.get("attendees") or [
        i["name"]
        for i in listed(as_user("GET", "events", tenant, f"events/{event_id}/invitations"))
        if i.get("answer") == "yes"
    ]
    notes = {str(n.get("item_id")): n.get("text", "") for n in record.get("notes") or []}
    chosen = {str(d.get("ballot_id") or d.get("id")) for d in record.get("decisions") or []}
    return render_template(
        "console/minutes.html",
        event=event,
        record=record,
        attendees="\n".join(request.form.get("attendees", "").splitlines() or attendees),
        notes=notes,
        ballots=ballots,
        chosen=chosen,
        errors=errors,
    ), form_status(errors)
