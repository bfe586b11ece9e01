"""Time polls: the Koordinierungsstelle opens one for a body (options by the body's rules) and
closes it into a meeting; the body's members say which options suit them."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, render_template, request
from flask_babel import gettext as _

from .. import labels
from ..client import as_user
from ..forms import Errors
from ..nav import COORDINATORS, is_coordinator, listed, signed_in
from ..tenants import body_rules
from .blueprint import bp, flash_reply, form_status, redirect_to


@bp.route("/umfragen", methods=["GET", "POST"])
@signed_in()
def polls(tenant):
    errors = Errors(["body", "title", "from", "to", "max_options"])
    if request.method == "POST":
        if not is_coordinator():
            abort(403)
        form = request.form
        body = {
            "body": form.get("body", ""),
            "title": form.get("title", "").strip(),
            "from": form.get("from", ""),
            "to": form.get("to", ""),
            "max_options": form.get("max_options", type=int, default=6),
        }
        if not body_rules(g.rules, body["body"]):
            errors.add("body", _("Bitte wählen Sie das Gremium."))
        if len(body["title"]) < 3:
            errors.add("title", _("Bitte geben Sie einen Titel an (mindestens drei Zeichen)."))
        for name in ("from", "to"):
            try:
                date.fromisoformat(body[name])
            except ValueError:
                errors.add(name, _("Bitte geben Sie einen Tag an (TT.MM.JJJJ)."))
        if not errors:
            opened = as_user("POST", "events", tenant, "polls", json=body)
            if opened.ok:
                flash(
                    _(
                        "Die Terminumfrage ist offen: %(n)s Termine nach den Regeln des Gremiums.",
                        n=len(opened.data.get("options") or []),
                    ),
                    "success",
                )
                return redirect_to("poll", poll_id=opened.data["id"])
            errors.from_reply(opened)
    found = listed(as_user("GET", "events", tenant, "polls"))
    if not is_coordinator():
        mine = set(g.user.get("bodies") or [])
        found = [p for p in found if p.get("body") in mine]
    return render_template(
        "console/polls.html", items=found, errors=errors, values=request.form
    ), form_status(errors)


@bp.route("/umfragen/<uuid:poll_id>", methods=["GET", "POST"])
@signed_in()
def poll(tenant, poll_id):
    found = as_user("GET", "events", tenant, f"polls/{poll_id}").or_404()
    options = found.get("options") or []
    names = [f"answer-{o['id']}" for o in options]
    errors = Errors(names)
    member = found.get("body") in (g.user.get("bodies") or [])
    if request.method == "POST":
        if not member:
            abort(403)
        answers = [
            {"option_id": o["id"], "answer": request.form.get(n)}
            for o, n in zip(options, names, strict=True)
            if request.form.get(n) in labels.POLL_ANSWERS
        ]
        if not answers:
            errors.add(
                names[0] if names else None,
                _("Bitte sagen Sie zu mindestens einem Termin, ob er passt."),
            )
        else:
            sent = as_user(
                "POST", "events", tenant, f"polls/{poll_id}/answers", json={"answers": answers}
            )
            if sent.ok:
                flash(_("Danke, Ihre Antworten sind gespeichert."), "success")
                return redirect_to("poll", poll_id=poll_id)
            errors.from_reply(sent)
    mine = found.get("my_answers") or {}
    values = (
        request.form if request.method == "POST" else {f"answer-{k}": v for k, v in mine.items()}
    )
    return render_template(
        "console/poll.html",
        poll=found,
        member=member,
        errors=errors,
        values=values,
        options=[(o, n) for o, n in zip(options, names, strict=True)],
    ), form_status(errors)


@bp.post("/umfragen/<uuid:poll_id>/abschliessen")
@signed_in(*COORDINATORS)
def close_poll(tenant, poll_id):
    place = request.form.get("place", "").strip() or None
    closed = as_user("POST", "events", tenant, f"polls/{poll_id}/close", json={"place": place})
    if closed.ok and closed.data.get("event_id"):
        flash(_("Der Termin steht fest; die Sitzung ist angelegt. Laden Sie jetzt ein."), "success")
        return redirect_to("plan_event", event_id=closed.data["event_id"])
    flash_reply(closed, _("Die Umfrage ist abgeschlossen."))
    return redirect_to("poll", poll_id=poll_id)
