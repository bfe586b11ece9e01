"""Planning meetings (Koordinierungsstelle): the events of the network and open time polls, an
event's form (new and changed, with the body's rules' warnings) and its cancellation."""

from __future__ import annotations

from datetime import date, time

from flask import flash, g, render_template, request
from flask_babel import gettext as _

from .. import labels, zone
from ..client import as_user
from ..forms import Errors
from ..nav import COORDINATORS, listed, signed_in
from ..tenants import body_rules
from .blueprint import bp, event_of, flash_reply, form_status, redirect_to

EVENT_FIELDS = ["kind", "body", "title", "date", "start", "end", "place", "online_url"]
EVENT_ALIASES = {"starts_at": "start", "ends_at": "end"}


@bp.route("/planung")
@signed_in(*COORDINATORS)
def planning(tenant):
    events = listed(as_user("GET", "events", tenant, "events", params={"page_size": 200}))
    polls = listed(as_user("GET", "events", tenant, "polls", params={"status": "open"}))
    return render_template("console/events_planning.html", items=events, polls=polls)


def _event_form(values) -> tuple[dict, Errors]:
    """The API body of the event form, and the form's own errors (dates, times)."""
    errors = Errors(EVENT_FIELDS)
    body = {
        "kind": values.get("kind", ""),
        "title": values.get("title", "").strip(),
        "body": values.get("body") or None,
        "place": values.get("place", "").strip() or None,
        "online_url": values.get("online_url", "").strip() or None,
        "description": values.get("description", "").strip() or None,
        "public": values.get("public") == "yes",
    }
    if body["kind"] not in labels.EVENT_KINDS:
        errors.add("kind", _("Bitte wählen Sie die Art des Termins."))
    if body["body"] and not body_rules(g.rules, body["body"]):
        errors.add("body", _("Bitte wählen Sie ein Gremium des Netzwerks."))
    if len(body["title"]) < 3:
        errors.add("title", _("Bitte geben Sie einen Titel an (mindestens drei Zeichen)."))
    try:
        day = date.fromisoformat(values.get("date", ""))
    except ValueError:
        day = None
        errors.add("date", _("Bitte geben Sie den Tag an (TT.MM.JJJJ)."))
    moments = {}
    for name, message in (
        ("start", _("Bitte geben Sie den Beginn an (SS:MM).")),
        ("end", _("Bitte geben Sie das Ende an (SS:MM).")),
    ):
        try:
            clock = time.fromisoformat(values.get(name, ""))
        except ValueError:
            errors.add(name, message)
            continue
        if day:
            moments[name] = zone.at(day, clock)
    if len(moments) == 2:
        if moments["end"] <= moments["start"]:
            errors.add("end", _("Das Ende muss nach dem Beginn liegen."))
        body["starts_at"] = moments["start"].isoformat()
        body["ends_at"] = moments["end"].isoformat()
    return body, errors


def _form_values(event: dict) -> dict:
    start, end = zone.local(event["starts_at"]), zone.local(event["ends_at"])
    return {
        **{k: event.get(k) or "" for k in ("kind", "body", "title", "place", "online_url")},
        "description": event.get("description") or "",
        "public": "yes" if event.get("public") else "",
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
    }


@bp.route("/planung/neu", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def new_event(tenant):
    values = request.form if request.method == "POST" else {"kind": "body_meeting"}
    errors = Errors(EVENT_FIELDS)
    if request.method == "POST":
        body, errors = _event_form(request.form)
        if not errors:
            created = as_user("POST", "events", tenant, "events", json=body)
            if created.ok:
                warnings = created.data.get("warnings") or []
                flash(_("Der Termin ist angelegt."), "success")
                if warnings:
                    flash(_("Bitte beachten Sie die Hinweise zu den Regeln des Gremiums."), "info")
                return redirect_to("plan_event", event_id=created.data["id"])
            errors.from_reply(created, EVENT_ALIASES)
    return render_template(
        "console/event_form.html", event=None, values=values, errors=errors
    ), form_status(errors)


@bp.route("/planung/<uuid:event_id>", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def plan_event(tenant, event_id):
    event = event_of(tenant, event_id)
    errors = Errors(EVENT_FIELDS)
    values = _form_values(event)
    if request.method == "POST":
        values = request.form
        body, errors = _event_form(request.form)
        if not errors:
            changed = as_user("PATCH", "events", tenant, f"events/{event_id}", json=body)
            if changed.ok:
                flash(
                    _("Die Änderungen sind gespeichert; Eingeladene werden benachrichtigt."),
                    "success",
                )
                return redirect_to("plan_event", event_id=event_id)
            errors.from_reply(changed, EVENT_ALIASES)
    return render_template(
        "console/event_form.html", event=event, values=values, errors=errors
    ), form_status(errors)


@bp.post("/planung/<uuid:event_id>/absagen")
@signed_in(*COORDINATORS)
def cancel_event(tenant, event_id):
    if request.form.get("confirm") != "yes":
        flash(_("Bitte bestätigen Sie die Absage."), "error")
        return redirect_to("plan_event", event_id=event_id)
    reply = as_user("PATCH", "events", tenant, f"events/{event_id}", json={"status": "cancelled"})
    flash_reply(
        reply, _("Der Termin ist abgesagt; die Eingeladenen werden benachrichtigt …"), "info"
    )
    return redirect_to("plan_event", event_id=event_id)
