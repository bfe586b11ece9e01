"""The console's events half: the Koordinierungsstelle plans meetings (with the body's rules and
their warnings), agendas, invitations, time polls and minutes; body members answer their
invitations and time polls and submit topics; anyone invited answers with the mail's reply link.

Every page calls the events API with the caller's token (the reply link: with the link's token).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import labels
from .client import api, as_user
from .console import _list, _tenant, is_coordinator, signed_in
from .forms import Errors

bp = Blueprint("console_events", __name__, url_prefix="/<tenant>/console")
reply_bp = Blueprint("invitation_reply", __name__)
bp.url_value_preprocessor(_tenant)
reply_bp.url_value_preprocessor(_tenant)

MANAGE = ("coordinator", "admin")
EVENT_FIELDS = ["kind", "body", "title", "date", "start", "end", "place", "online_url"]
EVENT_ALIASES = {"starts_at": "start", "ends_at": "end"}
AGENDA_FIELDS = (
    "title",
    "minutes",
    "presenter",
    "kind",
    "ballot_id",
    "partner_id",
    "submission_id",
)
GUEST_LINE = re.compile(r"^\s*(?P<name>[^,<;]+?)\s*[,;<]\s*(?P<email>[^\s,;<>]+@[^\s,;<>]+)>?\s*$")


def _tz() -> ZoneInfo:
    return ZoneInfo(g.rules.get("timezone") or "Europe/Berlin")


def _local(value) -> datetime | None:
    """An ISO time of the API in the network's zone (None when there is none)."""
    if not value:
        return None
    return datetime.fromisoformat(str(value)).astimezone(_tz())


def _body(key: str | None) -> dict:
    return next((b for b in g.rules.get("bodies", []) if b.get("key") == key), {})


@bp.app_template_global()
def body_name(key: str | None) -> str:
    """A body by its name in the network's rules (its key when it has none)."""
    return _body(key).get("name") or key or ""


@bp.app_template_global()
def bodies_options() -> list[tuple[str, str]]:
    """(key, name) of the network's bodies, for a select."""
    return [(b["key"], b.get("name") or b["key"]) for b in g.rules.get("bodies", [])]


@bp.app_template_global()
def meeting_rules(key: str | None) -> list[str]:
    """The body's scheduling rules in plain words (weekdays, time window, length, what to avoid)."""
    meeting = _body(key).get("meeting") or {}
    out = []
    if meeting.get("weekdays"):
        days = ", ".join(labels.label(labels.WEEKDAYS, d) for d in meeting["weekdays"])
        out.append(_("Wochentag: %(days)s", days=days))
    window = meeting.get("window")
    if window:
        out.append(
            _("Zeit: zwischen %(start)s und %(end)s Uhr", start=window["start"], end=window["end"])
        )
    if meeting.get("max_minutes"):
        out.append(_("Dauer: höchstens %(n)s Minuten", n=meeting["max_minutes"]))
    for avoid in meeting.get("avoid") or []:
        out.append(_("Zu meiden: %(what)s", what=avoid))
    return out


def _event(tenant, event_id) -> dict:
    reply = as_user("GET", "events", tenant, f"events/{event_id}")
    if not reply.ok:
        abort(404)
    return reply.data


def _status(errors: Errors):
    return 422 if errors else 200


def _redirect(endpoint: str, **kw):
    return redirect(url_for(f"console_events.{endpoint}", tenant=g.tenant, **kw))


def _flash_reply(reply, success: str, category: str = "success") -> bool:
    if reply.ok:
        flash(success, category)
        return True
    flash(labels.quoted_choices(reply.detail) or _("Das hat nicht geklappt."), "error")
    return False


# --- Planning (Koordinierungsstelle) ---------------------------------------------------------


@bp.route("/planung")
@signed_in(*MANAGE)
def planning(tenant):
    events = _list(as_user("GET", "events", tenant, "events", params={"page_size": 200}))
    polls = _list(as_user("GET", "events", tenant, "polls", params={"status": "open"}))
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
    if body["body"] and not _body(body["body"]):
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
            moments[name] = datetime.combine(day, clock, tzinfo=_tz())
    if len(moments) == 2:
        if moments["end"] <= moments["start"]:
            errors.add("end", _("Das Ende muss nach dem Beginn liegen."))
        body["starts_at"] = moments["start"].isoformat()
        body["ends_at"] = moments["end"].isoformat()
    return body, errors


def _form_values(event: dict) -> dict:
    start, end = _local(event["starts_at"]), _local(event["ends_at"])
    return {
        **{k: event.get(k) or "" for k in ("kind", "body", "title", "place", "online_url")},
        "description": event.get("description") or "",
        "public": "yes" if event.get("public") else "",
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
    }


@bp.route("/planung/neu", methods=["GET", "POST"])
@signed_in(*MANAGE)
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
                return _redirect("plan_event", event_id=created.data["id"])
            errors.from_reply(created, EVENT_ALIASES)
    return render_template(
        "console/event_form.html", event=None, values=values, errors=errors
    ), _status(errors)


@bp.route("/planung/<uuid:event_id>", methods=["GET", "POST"])
@signed_in(*MANAGE)
def plan_event(tenant, event_id):
    event = _event(tenant, event_id)
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
                return _redirect("plan_event", event_id=event_id)
            errors.from_reply(changed, EVENT_ALIASES)
    return render_template(
        "console/event_form.html", event=event, values=values, errors=errors
    ), _status(errors)


@bp.post("/planung/<uuid:event_id>/absagen")
@signed_in(*MANAGE)
def cancel_event(tenant, event_id):
    if request.form.get("confirm") != "yes":
        flash(_("Bitte bestätigen Sie die Absage."), "error")
        return _redirect("plan_event", event_id=event_id)
    reply = as_user("PATCH", "events", tenant, f"events/{event_id}", json={"status": "cancelled"})
    _flash_reply(
        reply, _("Der Termin ist abgesagt; die Eingeladenen werden benachrichtigt …"), "info"
    )
    return _redirect("plan_event", event_id=event_id)


# --- Agenda ------------------------------------------------------------------------------


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
@signed_in(*MANAGE)
def agenda(tenant, event_id):
    event = _event(tenant, event_id)
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
                    return _redirect("agenda", event_id=event_id)
                errors.from_reply(reply, {"items.0.title": "item_title"})
        elif op in ("up", "down", "remove"):
            moved = _moved(current, op, request.form.get("index", type=int, default=-1))
            if moved is None:
                flash(_("Dieser Punkt lässt sich nicht weiter verschieben."), "error")
            else:
                reply = as_user("PUT", "events", tenant, f"{path}/agenda", json={"items": moved})
                _flash_reply(reply, _("Die Tagesordnung ist geändert."))
            return _redirect("agenda", event_id=event_id)
        elif op == "publish":
            reply = as_user("POST", "events", tenant, f"{path}/agenda/publish")
            _flash_reply(
                reply,
                _(
                    "Die Tagesordnung ist veröffentlicht; die Eingeladenen erhalten sie per E-Mail (wird übermittelt …)."
                ),
                "info",
            )
            return _redirect("agenda", event_id=event_id)
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
                _flash_reply(reply, done)
                return _redirect("agenda", event_id=event_id)
        else:
            abort(400)
        event = _event(tenant, event_id)
    submissions = _list(as_user("GET", "events", tenant, f"{path}/topic-submissions"))
    return render_template(
        "console/agenda.html",
        event=event,
        errors=errors,
        values=request.form,
        submissions=submissions,
    ), _status(errors)


# --- Invitations --------------------------------------------------------------------------------


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
@signed_in(*MANAGE)
def invitations(tenant, event_id):
    event = _event(tenant, event_id)
    errors = Errors(["whom", "working_group_id", "guests"])
    path = f"events/{event_id}/invitations"
    groups = [
        (str(w["id"]), w.get("name") or str(w["id"]))
        for w in _list(as_user("GET", "membership", tenant, "working-groups"))
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
                return _redirect("invitations", event_id=event_id)
            errors.from_reply(sent, {"_schema": "whom"})
    invitees = _list(as_user("GET", "events", tenant, path))
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
    ), _status(errors)


# --- Minutes ----------------------------------------------------------------------------------


@bp.route("/planung/<uuid:event_id>/protokoll", methods=["GET", "POST"])
@signed_in(*MANAGE)
def minutes(tenant, event_id):
    event = _event(tenant, event_id)
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
                return _redirect("minutes", event_id=event_id)
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
            _flash_reply(reply, done)
            return _redirect("minutes", event_id=event_id)
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
        ballots = _list(
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
        for i in _list(as_user("GET", "events", tenant, f"events/{event_id}/invitations"))
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
    ), _status(errors)


# --- Time polls -----------------------------------------------------------------------------


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
        if not _body(body["body"]):
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
                return _redirect("poll", poll_id=opened.data["id"])
            errors.from_reply(opened)
    found = _list(as_user("GET", "events", tenant, "polls"))
    if not is_coordinator():
        mine = set(g.user.get("bodies") or [])
        found = [p for p in found if p.get("body") in mine]
    return render_template(
        "console/polls.html", items=found, errors=errors, values=request.form
    ), _status(errors)


@bp.route("/umfragen/<uuid:poll_id>", methods=["GET", "POST"])
@signed_in()
def poll(tenant, poll_id):
    reply = as_user("GET", "events", tenant, f"polls/{poll_id}")
    if not reply.ok:
        abort(404)
    found = reply.data
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
                return _redirect("poll", poll_id=poll_id)
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
    ), _status(errors)


@bp.post("/umfragen/<uuid:poll_id>/abschliessen")
@signed_in(*MANAGE)
def close_poll(tenant, poll_id):
    place = request.form.get("place", "").strip() or None
    closed = as_user("POST", "events", tenant, f"polls/{poll_id}/close", json={"place": place})
    if closed.ok and closed.data.get("event_id"):
        flash(_("Der Termin steht fest; die Sitzung ist angelegt. Laden Sie jetzt ein."), "success")
        return _redirect("plan_event", event_id=closed.data["event_id"])
    _flash_reply(closed, _("Die Umfrage ist abgeschlossen."))
    return _redirect("poll", poll_id=poll_id)


# --- My invitations (body members, partners) -------------------------------------------------
# A member also finds there the personal subscription link of each of their bodies' calendars
# (events' calendar-link: https and webcal://), for calendar apps that send no token.


@bp.route("/einladungen")
@signed_in()
def my_invitations(tenant):
    events = _list(
        as_user("GET", "events", tenant, "events", params={"invited": "me", "page_size": 200})
    )
    now = datetime.now(_tz())
    coming = [e for e in events if (_local(e.get("ends_at")) or now) >= now]
    past = [e for e in events if e not in coming]
    mine = set(g.user.get("bodies") or [])
    polls = [
        p
        for p in _list(as_user("GET", "events", tenant, "polls", params={"status": "open"}))
        if p.get("body") in mine
    ]
    feeds = [
        found.data
        for found in (
            as_user("GET", "events", tenant, f"bodies/{key}/calendar-link") for key in sorted(mine)
        )
        if found.ok
    ]
    return render_template(
        "console/invitations_mine.html", coming=coming, past=past, polls=polls, feeds=feeds
    )


def _answer(send, current: str | None, done):
    """The RSVP form's POST: (errors, values, a redirect once sent); `send(answer)` calls the API."""
    errors = Errors(["answer"])
    if request.method != "POST":
        return errors, {"answer": current or ""}, None
    answer = request.form.get("answer", "")
    if answer not in labels.ANSWERS:
        errors.add("answer", _("Bitte wählen Sie Ihre Antwort: zusagen, absagen oder vielleicht."))
        return errors, request.form, None
    sent = send(answer)
    if sent.ok:
        flash(
            _(
                "Danke, Ihre Antwort ist gespeichert: %(answer)s.",
                answer=labels.label(labels.REPLIES, answer),
            ),
            "success",
        )
        return errors, request.form, done()
    errors.from_reply(sent)
    return errors, request.form, None


@bp.route("/einladungen/<uuid:event_id>", methods=["GET", "POST"])
@signed_in()
def reply(tenant, event_id):
    event = _event(tenant, event_id)
    errors, values, sent = _answer(
        lambda answer: as_user(
            "POST", "events", tenant, f"events/{event_id}/replies", json={"answer": answer}
        ),
        event.get("my_answer"),
        lambda: _redirect("reply", event_id=event_id),
    )
    if sent:
        return sent
    return render_template(
        "console/invitation_reply.html", event=event, errors=errors, values=values
    ), _status(errors)


@bp.route("/termine/<uuid:event_id>/thema", methods=["GET", "POST"])
@signed_in()
def submit_topic(tenant, event_id):
    event = _event(tenant, event_id)
    errors = Errors(["title", "description"])
    if request.method == "POST":
        body = {
            "title": request.form.get("title", "").strip(),
            "description": request.form.get("description", "").strip() or None,
        }
        if len(body["title"]) < 3:
            errors.add("title", _("Bitte nennen Sie das Thema (mindestens drei Zeichen)."))
        if not errors:
            sent = as_user(
                "POST", "events", tenant, f"events/{event_id}/topic-submissions", json=body
            )
            if sent.ok:
                flash(
                    _(
                        "Ihr Thema „%(title)s“ ist eingereicht. Die Koordinierungsstelle entscheidet, ob es auf die Tagesordnung kommt.",
                        title=body["title"],
                    ),
                    "success",
                )
                if event.get("invited"):
                    return _redirect("reply", event_id=event_id)
                return _redirect("my_invitations")
            errors.from_reply(sent)
    return render_template(
        "console/topic_form.html", event=event, errors=errors, values=request.form
    ), _status(errors)


# --- The reply link of the invitation mail (no login) ----------------------------------------


@reply_bp.route("/<tenant>/antwort/<uuid:event_id>", methods=["GET", "POST"])
def by_link(tenant, event_id):
    source = request.form if request.method == "POST" else request.args
    link = {"email": source.get("email", ""), "token": source.get("token", "")}
    path = f"events/{event_id}/reply-link"
    found = api().call("GET", "events", tenant, path, params=link)
    if not found.ok:
        return render_template(
            "invitation_link_invalid.html", status=found.status, detail=found.detail
        ), (404 if found.status == 404 else 403 if found.status in (401, 403) else 400)
    state = found.data
    errors, values, sent = _answer(
        lambda answer: api().call("POST", "events", tenant, path, json={**link, "answer": answer}),
        state.get("answer"),
        lambda: redirect(
            url_for("invitation_reply.by_link", tenant=tenant, event_id=event_id, **link)
        ),
    )
    if sent:
        return sent
    return render_template(
        "invitation_link.html",
        state=state,
        event=state["event"],
        link=link,
        errors=errors,
        values=values,
    ), _status(errors)
