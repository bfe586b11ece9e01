"""The console after login: the Koordinierungsstelle's work and the body members' ballots and invitations."""

from __future__ import annotations

import math
from datetime import date, time

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels, zone
from .client import as_user
from .console_manage.tasks import coordinator_tasks
from .forms import Errors
from .nav import (
    COORDINATORS,
    PAGE_SIZE,
    is_coordinator,
    listed,
    network_of_url,
    one_of,
    page_number,
    paged,
    pages,
    signed_in,
)

bp = Blueprint("console", __name__, url_prefix="/<tenant>/console")
bp.url_value_preprocessor(network_of_url)


@bp.route("/")
@signed_in()
def home(tenant):
    ctx = {}
    if is_coordinator():
        ctx = coordinator_tasks(tenant)
    else:
        ctx["my_ballots"] = _my_open_ballots(tenant)
    return render_template("console/home.html", **ctx)


def _my_open_ballots(tenant) -> list[dict]:
    me = g.user["sub"]
    mine = []
    for b in listed(as_user("GET", "voting", tenant, "ballots", params={"status": "open"})):
        voter = next((v for v in b.get("voters") or [] if v.get("person_id") == me), None)
        if voter is not None or b.get("body") in g.user.get("bodies", []):
            mine.append({**b, "i_voted": bool(voter and voter.get("voted"))})
    return mine


# --- Applications (Koordinierungsstelle) ---------------------------------------------------


@bp.route("/antraege")
@signed_in(*COORDINATORS)
def applications(tenant):
    status = one_of(request.args.get("status", ""), labels.APPLICATION_STATUS)
    page = page_number()
    reply = as_user(
        "GET",
        "membership",
        tenant,
        "applications",
        params={"status": status, "page": page, "page_size": PAGE_SIZE},
    )
    result = paged(reply)
    items = result.get("items", [])
    # The list shows what the API answered; a wrong status in it is the API's bug, shown as such.
    return render_template(
        "console/applications.html",
        items=items,
        status=status,
        page=page,
        pages=pages(result.get("total", 0)),
        total=result.get("total", 0),
    )


def _admission_ballot(tenant, application_id) -> dict | None:
    body = g.rules.get("membership", {}).get("admitting_body")
    for status in ("open", "closed"):
        for b in listed(
            as_user(
                "GET",
                "voting",
                tenant,
                "ballots",
                params={"status": status, "body": body, "page_size": 100},
            )
        ):
            if (b.get("subject") or {}).get("id") == application_id:
                return b
    return None


@bp.route("/antraege/<application_id>", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def application(tenant, application_id):
    reply = as_user("GET", "membership", tenant, f"applications/{application_id}")
    if not reply.ok:
        abort(404)
    app = reply.data
    errors = Errors(["complete", "plausible", "note"])
    if request.method == "POST":
        complete = request.form.get("complete") == "yes"
        plausible = request.form.get("plausible") == "yes"
        note = request.form.get("note", "").strip()
        if not (complete and plausible) and not note:
            errors.add(
                "note",
                _(
                    "Bitte schreiben Sie dazu, was fehlt oder nicht plausibel ist: die Notiz geht an den Antragsteller."
                ),
            )
        if not errors:
            body = {"complete": complete, "plausible": plausible}
            if note:
                body["note"] = note
            checked = as_user(
                "POST", "membership", tenant, f"applications/{application_id}/check", json=body
            )
            if checked.ok:
                if checked.data.get("status") == "in_vote":
                    flash(
                        _("Der Antrag ist geprüft. Die Abstimmung im Gremium wird eröffnet …"),
                        "info",
                    )
                else:
                    flash(
                        _("Der Antrag ist mit Ihrer Notiz an den Antragsteller zurückgegeben."),
                        "success",
                    )
                return redirect(
                    url_for("console.application", tenant=tenant, application_id=application_id)
                )
            errors.from_reply(checked)
    ballot = (
        _admission_ballot(tenant, application_id)
        if app.get("status") in ("in_vote", "admitted", "rejected")
        else None
    )
    return render_template("console/application.html", app=app, errors=errors, ballot=ballot), (
        422 if errors else 200
    )


# --- Ballots --------------------------------------------------------------------------------


@bp.route("/abstimmungen")
@signed_in()
def ballots(tenant):
    status = one_of(request.args.get("status", "open"), labels.BALLOT_STATUS, "open")
    items = listed(
        as_user("GET", "voting", tenant, "ballots", params={"status": status, "page_size": 50})
    )
    return render_template("console/ballots.html", items=items, status=status)


def _ballot(tenant, ballot_id) -> dict:
    reply = as_user("GET", "voting", tenant, f"ballots/{ballot_id}")
    if not reply.ok:
        abort(404)
    return reply.data


@bp.route("/abstimmungen/<ballot_id>", methods=["GET", "POST"])
@signed_in()
def ballot(tenant, ballot_id):
    b = _ballot(tenant, ballot_id)
    errors = Errors(["choice", "reason"])
    me = g.user["sub"]
    voter = next((v for v in b.get("voters") or [] if v.get("person_id") == me), None)
    if request.method == "POST":
        choice = request.form.get("choice", "")
        reason = request.form.get("reason", "").strip()
        if choice not in (b.get("choices") or []):
            errors.add("choice", _("Bitte wählen Sie, wie Sie abstimmen."))
        if not errors:
            body = {"choice": choice, "reason": reason or None}
            cast = as_user("POST", "voting", tenant, f"ballots/{ballot_id}/votes", json=body)
            if cast.ok:
                if cast.data.get("ballot_status") == "closed":
                    flash(
                        _(
                            "Ihre Stimme ist gezählt. Alle haben abgestimmt: das Ergebnis wird übermittelt …"
                        ),
                        "info",
                    )
                else:
                    flash(
                        _(
                            "Ihre Stimme ist gezählt: %(choice)s.",
                            choice=labels.label(labels.CHOICES, choice),
                        ),
                        "success",
                    )
                return redirect(url_for("console.ballot", tenant=tenant, ballot_id=ballot_id))
            errors.from_reply(cast)
    return render_template(
        "console/ballot.html",
        ballot=b,
        voter=voter,
        errors=errors,
        values=request.form,
        turnout=turnout(b),
    ), (422 if errors else 200)


BALLOT_FIELDS = ["body", "kind", "title", "text", "deadline"]


def _ballot_form(values) -> tuple[dict, Errors]:
    """The API body of the new-ballot form, and the form's own errors."""
    errors = Errors(BALLOT_FIELDS)
    body = {
        "body": values.get("body", ""),
        "title": values.get("title", "").strip(),
        "text": values.get("text", "").strip() or None,
        "subject": {"kind": values.get("kind", "")},
    }
    if body["body"] not in {b["key"] for b in g.rules.get("bodies", [])}:
        errors.add("body", _("Bitte wählen Sie das Gremium, das abstimmt."))
    chosen = next((b for b in g.rules.get("bodies", []) if b["key"] == body["body"]), None)
    if body["subject"]["kind"] not in labels.BALLOT_KINDS:
        errors.add("kind", _("Bitte wählen Sie, worüber abgestimmt wird."))
    elif body["subject"]["kind"] == "resolution" and chosen and not chosen.get("binding", True):
        errors.add(
            "kind",
            _(
                "%(body)s beschließt nicht, sondern empfiehlt: bitte wählen Sie „Empfehlung“.",
                body=chosen["name"],
            ),
        )
    if len(body["title"]) < 3:
        errors.add("title", _("Bitte geben Sie einen Titel an (mindestens drei Zeichen)."))
    if values.get("deadline"):
        try:
            day = date.fromisoformat(values["deadline"])
        except ValueError:
            errors.add("deadline", _("Bitte geben Sie den Tag an (TT.MM.JJJJ)."))
        else:
            body["deadline"] = zone.at(day, time(23, 59)).isoformat()
    return body, errors


@bp.route("/abstimmungen/neu", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def new_ballot(tenant):
    """Open a ballot of a body (a resolution, a recommendation): rule, quorum, reasons and the
    default deadline come from the body's rules; the members are told by mail."""
    errors = Errors(BALLOT_FIELDS)
    if request.method == "POST":
        body, errors = _ballot_form(request.form)
        if not errors:
            opened = as_user("POST", "voting", tenant, "ballots", json=body)
            if opened.ok:
                flash(
                    _(
                        "Die Abstimmung ist eröffnet. Die Stimmberechtigten werden per E-Mail benachrichtigt …"
                    ),
                    "success",
                )
                return redirect(
                    url_for("console.ballot", tenant=tenant, ballot_id=opened.data["id"])
                )
            errors.from_reply(opened, {"subject.kind": "kind", "subject": "kind"})
    return render_template(
        "console/ballot_form.html", errors=errors, values=request.form, **_ballot_kinds()
    ), (422 if errors else 200)


def _ballot_kinds() -> dict:
    """What a ballot opened by hand may be about in this network: no „Beschluss“ where every
    body only recommends; where some do, they are named."""
    bodies = g.rules.get("bodies", [])
    recommending = [b["name"] for b in bodies if not b.get("binding", True)]
    kinds = list(labels.BALLOT_KINDS.items())
    if bodies and len(recommending) == len(bodies):
        kinds = [(k, v) for k, v in kinds if k != "resolution"]
        recommending = []
    return {"kinds": kinds, "recommending": recommending}


def turnout(ballot: dict) -> dict:
    """Who voted of the electorate and what the quorum asks (a count of voters), for the
    confirmation before closing early and the result block."""
    tally = ballot.get("tally") or {}
    voted = tally.get("voted", ballot.get("voted") or 0)
    electorate = tally.get("electorate", ballot.get("electorate_size") or 0)
    quorum = float(ballot.get("quorum") or 0)
    needed = math.ceil(quorum * electorate - 1e-9) if quorum else 0
    return {
        "voted": voted,
        "electorate": electorate,
        "quorum_percent": round(quorum * 100),
        "needed": needed,
        "reached": voted >= needed,
    }


@bp.route("/abstimmungen/<ballot_id>/schliessen", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def close_ballot(tenant, ballot_id):
    """Closing before the deadline cannot be undone: the page shows the turnout and the
    quorum first and closes only when that is confirmed."""
    if request.method == "GET" or request.form.get("bestaetigt") != "ja":
        b = _ballot(tenant, ballot_id)
        if b.get("status") != "open":
            return redirect(url_for("console.ballot", tenant=tenant, ballot_id=ballot_id))
        return render_template("console/ballot_close.html", ballot=b, turnout=turnout(b))
    closed = as_user("POST", "voting", tenant, f"ballots/{ballot_id}/close")
    if closed.ok:
        flash(
            _("Die Abstimmung ist geschlossen. Das Ergebnis wird an das Netzwerk übermittelt …"),
            "info",
        )
    else:
        flash(closed.detail or _("Die Abstimmung konnte nicht geschlossen werden."), "error")
    return redirect(url_for("console.ballot", tenant=tenant, ballot_id=ballot_id))


# --- Events and invitations -------------------------------------------------------------------


@bp.route("/termine")
@signed_in()
def events(tenant):
    items = listed(as_user("GET", "events", tenant, "events", params={"page_size": 50}))
    return render_template("console/events.html", items=items)


@bp.route("/termine/<event_id>")
@signed_in()
def event(tenant, event_id):
    """An event's older address: coordinators plan it, everyone else comes to the one RSVP page."""
    target = "console_events.plan_event" if is_coordinator() else "console_events.reply"
    return redirect(url_for(target, tenant=tenant, event_id=event_id))


# --- Partner overview -----------------------------------------------------------------------------


@bp.post("/partneruebersicht")
@signed_in(*COORDINATORS)
def publish_overview(tenant):
    reply = as_user("POST", "membership", tenant, "directory/publications")
    if reply.ok:
        flash(_("Die Partnerübersicht ist veröffentlicht."), "success")
        return redirect(url_for("public.overview", tenant=tenant))
    flash(reply.detail or _("Die Partnerübersicht konnte nicht veröffentlicht werden."), "error")
    return redirect(url_for("console.home", tenant=tenant))
