"""Inviting to an event (Koordinierungsstelle): the body, all partners, a working group or
guests by name and address; who answered what, who cannot be reached."""

from __future__ import annotations

import re

from flask import flash, render_template, request
from flask_babel import gettext as _

from .. import labels
from ..client import as_user
from ..forms import Errors
from ..nav import COORDINATORS, listed, signed_in
from .blueprint import body_name, bp, event_of, form_status, redirect_to

GUEST_LINE = re.compile(r"^\s*(?P<name>[^,<;]+?)\s*[,;<]\s*(?P<email>[^\s,;<>]+@[^\s,;<>]+)>?\s*$")


def _guests(text: str) -> tuple[list[dict], list[str]]:
    """Guests from lines "Name, address" (or "Name <address>"), and the lines that are neither."""
    guests, wrong = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = GUEST_LINE.match(line)
        if m:
            guests.append({"name": m["name"].strip(), "email": m["email"].strip()})
        else:
            wrong.append(line.strip())
    return guests, wrong


def _tally(invitees: list[dict]) -> list[tuple[str, int]]:
    counts = [
        (str(labels.REPLIES[k]), sum(1 for i in invitees if i.get("answer") == k))
        for k in labels.REPLIES
    ]
    return [*counts, (_("noch keine Antwort"), sum(1 for i in invitees if not i.get("answer")))]


def via(value: str | None) -> str:
    """How someone was invited, in words (the body by its name)."""
    kind, _sep, key = (value or "").partition(":")
    if kind == "body" and key:
        return _("als Mitglied: %(body)s", body=body_name(key))
    return labels.label(labels.INVITED_VIA, kind)


@bp.route("/planung/<uuid:event_id>/einladungen", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def invitations(tenant, event_id):
    event = event_of(tenant, event_id)
    errors = Errors(["whom", "working_group_id", "guests"])
    path = f"events/{event_id}/invitations"
    groups = [
        (str(w["id"]), w.get("name") or str(w["id"]))
        for w in listed(as_user("GET", "membership", tenant, "working-groups"))
        if w.get("status", "active") == "active"
    ]
    if request.method == "POST":
        guests, wrong = _guests(request.form.get("guests", ""))
        for line in wrong:
            errors.add(
                "guests",
                _("Diese Zeile ist kein „Name, E-Mail-Adresse“: %(line)s", line=line),
            )
        body = {
            "body": event.get("body") if request.form.get("invite_body") == "yes" else None,
            "all_partners": request.form.get("all_partners") == "yes",
            "working_group_id": request.form.get("working_group_id") or None,
            "guests": guests,
        }
        if body["working_group_id"] and body["working_group_id"] not in dict(groups):
            errors.add("working_group_id", _("Bitte wählen Sie eine Arbeitsgruppe des Netzwerks."))
        if not errors and not any(body.values()):
            errors.add("whom", _("Bitte wählen Sie, wen Sie einladen."))
        if not errors:
            sent = as_user(
                "POST", "events", tenant, path, json={k: v for k, v in body.items() if v}
            )
            if sent.ok:
                unreachable = [i for i in sent.data if not i.get("reachable")]
                flash(
                    _(
                        "Eingeladen sind %(n)s. Die E-Mails werden übermittelt …",
                        n=len(sent.data),
                    ),
                    "info",
                )
                if unreachable:
                    flash(
                        _(
                            "%(n)s Eingeladene haben keine E-Mail-Adresse und erhalten die Einladung nicht: Sie stehen unten in der Liste „Nicht erreichbar“.",
                            n=len(unreachable),
                        ),
                        "error",
                    )
                return redirect_to("invitations", event_id=event_id)
            errors.from_reply(sent, {"_schema": "whom"})
    invitees = listed(as_user("GET", "events", tenant, path))
    return render_template(
        "console/invitations.html",
        event=event,
        invitees=invitees,
        unreachable=[i for i in invitees if not i.get("reachable", bool(i.get("email")))],
        tally=_tally(invitees),
        errors=errors,
        values=request.form,
        via=via,
        groups=groups,
    ), form_status(errors)
