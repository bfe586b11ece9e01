"""An event's minutes (Koordinierungsstelle): the draft (who takes them, attendees, a note per
agenda item, the body's decided ballots, decisions taken by show of hands with their dissenting
opinions), its approval after a confirmation, and its publication."""

from __future__ import annotations

from flask import abort, flash, g, render_template, request
from flask_babel import gettext as _

from ..client import as_user
from ..forms import Errors
from ..nav import COORDINATORS, listed, signed_in
from .blueprint import bp, event_of, flash_reply, form_status, redirect_to

FIELDS = ["taken_by", "attendees", "ballots", "hand_title", "hand_outcome", "hand_count"]
FIELDS += ["hand_no", "hand_abstain"]
COUNTS = ("yes", "no", "abstain")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _hand_given(decision: dict) -> dict:
    """A kept decision by show of hands as the API takes it again (the draft is replaced whole)."""
    out = {k: decision[k] for k in ("title", "outcome")}
    out["dissent"] = [
        {k: d.get(k) for k in ("name", "choice", "reason")} for d in decision.get("dissent") or []
    ]
    if decision.get("count"):
        out["count"] = {k: decision["count"].get(k, 0) for k in COUNTS}
    return out


def _dissent(text: str, choice: str) -> list[dict]:
    """Lines "Name: Begründung" (the reason may be left out) as dissenting opinions."""
    out = []
    for line in _lines(text):
        name, _sep, reason = line.partition(":")
        out.append({"name": name.strip(), "choice": choice, "reason": reason.strip() or None})
    return out


def _hand_form(form, errors: Errors) -> dict | None:
    """The form's new decision by show of hands, or None with the form's own errors."""
    title = form.get("hand_title", "").strip()
    outcome = form.get("hand_outcome", "")
    if len(title) < 3:
        errors.add(
            "hand_title", _("Bitte geben Sie an, was beschlossen wurde (mindestens drei Zeichen).")
        )
    if outcome not in ("adopted", "rejected"):
        errors.add("hand_outcome", _("Bitte wählen Sie, ob angenommen oder abgelehnt."))
    decision = {
        "title": title,
        "outcome": outcome,
        "dissent": _dissent(form.get("hand_no", ""), "no")
        + _dissent(form.get("hand_abstain", ""), "abstain"),
    }
    raw = {k: form.get(f"hand_{k}_count", "").strip() for k in COUNTS}
    if any(raw.values()):
        if not all(v.isdigit() for v in raw.values() if v):
            errors.add("hand_count", _("Bitte geben Sie die Stimmen als ganze Zahlen an."))
        else:
            decision["count"] = {k: int(v or 0) for k, v in raw.items()}
    return None if errors else decision


def _put(tenant, event_id, record: dict, **changes):
    """Write the draft again with `changes` (the API replaces it whole)."""
    body = {
        "taken_by": record.get("taken_by"),
        "attendees": record.get("attendees") or [],
        "notes": [{"item_id": n["item_id"], "text": n["text"]} for n in record.get("notes") or []],
        "ballot_ids": [
            str(d["ballot_id"])
            for d in record.get("decisions") or []
            if not d.get("by_hand") and d.get("ballot_id")
        ],
        "decisions_by_hand": [
            _hand_given(d) for d in record.get("decisions") or [] if d.get("by_hand")
        ],
    }
    body.update(changes)
    return as_user("PUT", "events", tenant, f"events/{event_id}/minutes", json=body)


def _record(tenant, event_id) -> dict:
    found = as_user("GET", "events", tenant, f"events/{event_id}/minutes")
    if found.ok:
        return found.data
    return {"status": "draft", "attendees": [], "notes": [], "decisions": []}


ALIASES = {"ballot_ids": "ballots"}


def _hand_aliases() -> dict:
    aliases = dict(ALIASES)
    for n in range(100):
        aliases[f"decisions_by_hand.{n}.count"] = "hand_count"
        aliases[f"decisions_by_hand.{n}.dissent"] = "hand_no"
        aliases[f"decisions_by_hand.{n}.title"] = "hand_title"
    return aliases


@bp.route("/planung/<uuid:event_id>/protokoll", methods=["GET", "POST"])
@signed_in(*COORDINATORS)
def minutes(tenant, event_id):
    event = event_of(tenant, event_id)
    errors = Errors(FIELDS)
    record = _record(tenant, event_id)
    if request.method == "POST":
        op = request.form.get("op", "")
        if op == "save":
            notes = [
                {"item_id": item["id"], "text": request.form.get(f"note-{item['id']}", "").strip()}
                for item in event.get("agenda") or []
                if request.form.get(f"note-{item['id']}", "").strip()
            ]
            saved = _put(
                tenant,
                event_id,
                record,
                taken_by=request.form.get("taken_by", "").strip() or None,
                attendees=_lines(request.form.get("attendees", "")),
                notes=notes,
                ballot_ids=request.form.getlist("ballots"),
            )
            if saved.ok:
                flash(_("Der Entwurf des Protokolls ist gespeichert."), "success")
                return redirect_to("minutes", event_id=event_id)
            errors.from_reply(saved, ALIASES)
        elif op == "add_hand":
            decision = _hand_form(request.form, errors)
            if decision is not None:
                kept = [_hand_given(d) for d in record.get("decisions") or [] if d.get("by_hand")]
                hand = kept + [decision]
                saved = _put(tenant, event_id, record, decisions_by_hand=hand)
                if saved.ok:
                    flash(_("Der Beschluss ist ins Protokoll eingetragen."), "success")
                    return redirect_to("minutes", event_id=event_id)
                errors.from_reply(saved, _hand_aliases())
        elif op == "remove_hand":
            kept = [_hand_given(d) for d in record.get("decisions") or [] if d.get("by_hand")]
            index = request.form.get("index", "")
            if not index.isdigit() or int(index) >= len(kept):
                abort(400)
            del kept[int(index)]
            flash_reply(
                _put(tenant, event_id, record, decisions_by_hand=kept),
                _("Der Beschluss ist aus dem Entwurf entfernt."),
            )
            return redirect_to("minutes", event_id=event_id)
        elif op == "approve" and request.form.get("bestaetigt") != "ja":
            # approving cannot be undone: the page asks first, showing what will be approved
            return render_template("console/minutes_approve.html", event=event, record=record)
        elif op in ("approve", "publish"):
            reply = as_user("POST", "events", tenant, f"events/{event_id}/minutes/{op}")
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
    hand = [d for d in record.get("decisions") or [] if d.get("by_hand")]
    return render_template(
        "console/minutes.html",
        event=event,
        record=record,
        attendees="\n".join(request.form.get("attendees", "").splitlines() or attendees),
        taken_by=request.form.get("taken_by")
        or record.get("taken_by")
        or (g.user or {}).get("name", ""),
        notes=notes,
        ballots=ballots,
        chosen=chosen,
        hand=hand,
        values=request.form if request.form.get("op") == "add_hand" else {},
        errors=errors,
    ), form_status(errors)
