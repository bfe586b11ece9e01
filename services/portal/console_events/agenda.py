"""An event's agenda (Koordinierungsstelle): items added, moved and removed, the agenda
published, and the topics members submitted accepted or declined."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from .. import labels
from ..client import as_user
from ..forms import Errors
from ..nav import COORDINATORS, listed, signed_in
from .blueprint import bp, event_of, flash_reply, form_status, redirect_to

AGENDA_FIELDS = (
    "title",
    "minutes",
    "presenter",
    "kind",
    "ballot_id",
    "partner_id",
    "submission_id",
)


def _items(agenda: list[dict]) -> list[dict]:
    """The agenda as the API takes it back (PUT): without ids and positions."""
    return [{k: item.get(k) for k in AGENDA_FIELDS} for item in agenda]


def _moved(items: list[dict], op: str, index: int) -> list[dict] | None:
    """The items after moving one up or down or removing it; None for a move that is not possible."""
    if not 0 <= index < len(items):
        return None
    items = list(items)
    if op == "remove":
        items.pop(index)
        return items
    other = index - 1 if op == "up" else index + 1
    if not 0 <= other < len(items):
        return None
    items[index], items[other] = items[other], items[index]
    return items


@bp.route("/planung/<uuid:event_id>/tagesordnung", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def agenda(tenant, event_id):
    event = event_of(tenant, event_id)
    errors = Errors(["item_title", "item_kind", "item_minutes", "item_presenter"])
    path = f"events/{event_id}"
    if request.method == "POST":
        op = request.form.get("op", "")
        current = _items(event.get("agenda") or [])
        if op == "add":
            title = request.form.get("item_title", "").strip()
            kind = request.form.get("item_kind", "topic")
            minutes = request.form.get("item_minutes", "").strip()
            if len(title) < 2:
                errors.add("item_title", _("Bitte geben Sie den Punkt der Tagesordnung an."))
            if kind not in labels.AGENDA_KINDS:
                errors.add("item_kind", _("Bitte wählen Sie die Art des Punktes."))
            if minutes and not (minutes.isdigit() and 1 <= int(minutes) <= 600):
                errors.add("item_minutes", _("Die Dauer ist eine Zahl von 1 bis 600 (Minuten)."))
            if not errors:
                item = {
                    "title": title,
                    "kind": kind,
                    "minutes": int(minutes) if minutes else None,
                    "presenter": request.form.get("item_presenter", "").strip() or None,
                }
                reply = as_user(
                    "PUT", "events", tenant, f"{path}/agenda", json={"items": [*current, item]}
                )
                if reply.ok:
                    flash(_("Der Punkt ist auf der Tagesordnung."), "success")
                    return redirect_to("agenda", event_id=event_id)
                errors.from_reply(reply, {"items.0.title": "item_title"})
        elif op in ("up", "down", "remove"):
            moved = _moved(current, op, request.form.get("index", type=int, default=-1))
            if moved is None:
                flash(_("Dieser Punkt lässt sich nicht weiter verschieben."), "error")
            else:
                reply = as_user("PUT", "events", tenant, f"{path}/agenda", json={"items": moved})
                flash_reply(reply, _("Die Tagesordnung ist geändert."))
            return redirect_to("agenda", event_id=event_id)
        elif op == "publish":
            reply = as_user("POST", "events", tenant, f"{path}/agenda/publish")
            flash_reply(
                reply,
                _(
                    "Die Tagesordnung ist veröffentlicht; die Eingeladenen erhalten sie per E-Mail (wird übermittelt …)."
                ),
                "info",
            )
            return redirect_to("agenda", event_id=event_id)
        elif op in ("accept", "decline"):
            reason = request.form.get("reason", "").strip()
            submission = request.form.get("submission", "")
            if op == "decline" and not reason:
                errors.add(None, _("Eine Ablehnung braucht eine Begründung für die Einreichenden."))
            else:
                reply = as_user(
                    "POST",
                    "events",
                    tenant,
                    f"{path}/topic-submissions/{submission}/decision",
                    json={"accepted": op == "accept", "reason": reason or None},
                )
                done = (
                    _("Das Thema ist auf der Tagesordnung.")
                    if op == "accept"
                    else _("Das Thema ist abgelehnt.")
                )
                flash_reply(reply, done)
                return redirect_to("agenda", event_id=event_id)
        else:
            abort(400)
        event = event_of(tenant, event_id)
    submissions = listed(as_user("GET", "events", tenant, f"{path}/topic-submissions"))
    return render_template(
        "console/agenda.html",
        event=event,
        errors=errors,
        values=request.form,
        submissions=submissions,
    ), form_status(errors)
