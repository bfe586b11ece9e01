"""Answering invitations: a member's invitations (with the calendar links of their bodies), the
RSVP page, a topic submitted for an agenda, and the mail's reply link (no login)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import labels, zone
from ..client import api, as_user
from ..forms import Errors
from ..nav import listed, signed_in
from .blueprint import bp, event_of, form_status, redirect_to, reply_bp

# A member also finds on their invitations page the personal subscription link of each of their
# bodies' calendars (events' calendar-link: https and webcal://), for calendar apps that send no
# token.


@bp.route("/einladungen")
@signed_in()
def my_invitations(tenant):
    events = listed(
        as_user("GET", "events", tenant, "events", params={"invited": "me", "page_size": 200})
    )
    now = zone.now()
    coming = [e for e in events if (zone.local(e.get("ends_at")) or now) >= now]
    past = [e for e in events if e not in coming]
    mine = set(g.user.get("bodies") or [])
    polls = [
        p
        for p in listed(as_user("GET", "events", tenant, "polls", params={"status": "open"}))
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
    event = event_of(tenant, event_id)
    errors, values, sent = _answer(
        lambda answer: as_user(
            "POST", "events", tenant, f"events/{event_id}/replies", json={"answer": answer}
        ),
        event.get("my_answer"),
        lambda: redirect_to("reply", event_id=event_id),
    )
    if sent:
        return sent
    return render_template(
        "console/invitation_reply.html", event=event, errors=errors, values=values
    ), form_status(errors)


@bp.route("/termine/<uuid:event_id>/thema", methods=["GET", "POST"])
@signed_in()
def submit_topic(tenant, event_id):
    event = event_of(tenant, event_id)
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
                    return redirect_to("reply", event_id=event_id)
                return redirect_to("my_invitations")
            errors.from_reply(sent)
    return render_template(
        "console/topic_form.html", event=event, errors=errors, values=request.form
    ), form_status(errors)


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
    ), form_status(errors)
