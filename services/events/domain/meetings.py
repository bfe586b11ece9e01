"""Rules of meetings: a body's meeting rules, visibility, topics, invitations, minutes, introductions."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from knotenpunkt.shared import choices
from knotenpunkt.shared.errors import Conflict, NotFound, RuleViolation
from knotenpunkt.shared.outputs import markdown_text

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
EVENT_KINDS = (
    "network_event",
    "body_meeting",
    "working_group_meeting",
    "workshop",
    "conference",
    "kickoff",
)
SUMMARY_FIELDS = (
    "id",
    "kind",
    "body",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "public",
    "status",
    "sequence",
)
MINUTES_NEXT = {"draft": "approved", "approved": "published"}
MINUTES_STATUS_DE = {"draft": "ein Entwurf", "approved": "genehmigt", "published": "veröffentlicht"}


def check_meeting(meeting: dict, starts: datetime, ends: datetime, tz: ZoneInfo) -> list[str]:
    """Check an event against a body's meeting rules, in the network's time zone `tz`.

    Raises RuleViolation for a hard rule (end before start, longer than the
    maximum); returns warnings for preferences it misses (weekday, time
    window, dates to avoid).
    """
    if ends <= starts:
        raise RuleViolation("Das Ende muss nach dem Beginn liegen.", field="ends_at")
    minutes = (ends - starts).total_seconds() / 60
    if meeting.get("max_minutes") and minutes > meeting["max_minutes"]:
        raise RuleViolation(
            f"Eine Sitzung dieses Gremiums dauert höchstens {meeting['max_minutes']} Minuten; geplant sind {minutes:.0f}.",
            field="ends_at",
        )
    warnings = []
    local_start, local_end = starts.astimezone(tz), ends.astimezone(tz)
    days = meeting.get("weekdays") or []
    if days and WEEKDAYS[local_start.weekday()] not in days:
        wanted = ", ".join(WEEKDAYS_DE[WEEKDAYS.index(d)] for d in days)
        warnings.append(
            f"Vorzuziehen ist: {wanted}; geplant ist ein {WEEKDAYS_DE[local_start.weekday()]}."
        )
    window = meeting.get("window")
    if window:
        w_start, w_end = time.fromisoformat(window["start"]), time.fromisoformat(window["end"])
        if (
            local_start.time() < w_start
            or local_end.time() > w_end
            or local_end.date() != local_start.date()
        ):
            warnings.append(
                f"Vorzuziehen ist die Zeit zwischen {window['start']} und {window['end']} Uhr."
            )
    if local_start.date() in set(meeting.get("blackout_dates") or []):
        warnings.append(
            "An diesem Tag ist ein Termin, den das Gremium meidet (z. B. Stadtratssitzung)."
        )
    return warnings


def meeting_warnings(meeting: dict, starts: datetime, ends: datetime, tz: ZoneInfo) -> list[str]:
    """What `check_meeting` says about an event already planned: its warnings, and a hard rule
    it breaks (the rules changed since) as one more warning; raises nothing."""
    try:
        return check_meeting(meeting, starts, ends, tz)
    except RuleViolation as exc:
        return [exc.detail]


def summary(event: dict) -> dict:
    """The fields of an event that travel in its events (planned, changed, invited …)."""
    return {k: event[k] for k in SUMMARY_FIELDS}


def change_kind(old_status: str, changes: dict) -> str:
    """'cancelled' when a change cancels a not yet cancelled event, else 'changed'."""
    if changes.get("status") == "cancelled" and old_status != "cancelled":
        return "cancelled"
    return "changed"


def ensure_visible(event: dict, internal: bool) -> None:
    """Raises NotFound for a private event asked for by a caller who may not read internal data."""
    if not event["public"] and not internal:
        raise NotFound(f"Einen Termin {event['id']} gibt es nicht.")


def ensure_minutes_visible(minutes: dict, internal: bool) -> None:
    """Raises NotFound for minutes not yet published asked for by a caller who may not read internal data."""
    if minutes["status"] != "published" and not internal:
        raise NotFound("Das Protokoll ist noch nicht veröffentlicht.")


def ensure_minutes_written(minutes: dict | None, event_id) -> dict:
    """The minutes; raises Conflict when none were written for the event yet."""
    if minutes is None:
        raise Conflict(f"Zum Termin {event_id} ist noch kein Protokoll geschrieben.")
    return minutes


def ensure_topics_accepted(event: dict, now: datetime) -> None:
    """Raises Conflict once the event is cancelled or has begun."""
    if event["status"] == "cancelled" or event["starts_at"] <= now:
        raise Conflict("Für diesen Termin werden keine Themen mehr angenommen.")


def decision_status(submission: dict, accepted: bool, reason: str | None) -> str:
    """The submission's new status; raises Conflict (decided already), RuleViolation (no reason)."""
    if submission["status"] != "submitted":
        raise Conflict(f"Über diesen Vorschlag ist schon entschieden ({submission['status']}).")
    if not accepted and not (reason or "").strip():
        raise RuleViolation("Eine Ablehnung braucht eine Begründung.", field="reason")
    return "accepted" if accepted else "declined"


def submission_item(submission: dict) -> dict:
    """The agenda item an accepted topic submission becomes."""
    return {
        "title": submission["title"],
        "kind": "topic",
        "presenter": submission["submitted_by"],
        "submission_id": submission["id"],
    }


def status_after_invitation(status: str) -> str:
    """A planned event becomes invited; any other status stays."""
    return "invited" if status == "planned" else status


def invitee_of(invited: set[str], sub: str | None, partner_id: str | None) -> str | None:
    """Who answers: the caller's own invitation, else their partner's, else the caller."""
    return next((x for x in (sub, partner_id) if x and x in invited), sub)


def caller_invitees(sub: str | None, partner_id: str | None) -> list[str]:
    """The invitees a caller answers for: their own invitation, then their partner's."""
    return [x for x in (sub, partner_id) if x]


def own_answer(answers: dict, sub: str | None, partner_id: str | None) -> tuple[bool, str | None]:
    """(invited?, answer) of a caller from {invitee: answer} of one event, as `invitee_of` picks."""
    for who in caller_invitees(sub, partner_id):
        if who in answers:
            return True, answers[who]
    return False, None


def reachable(invitee: dict) -> dict:
    """The invitee with `reachable`: only an invitation with an e-mail address reaches anyone."""
    return {**invitee, "reachable": bool((invitee.get("email") or "").strip())}


def linked_answer(invitations: list[dict]) -> dict:
    """Name and answer of the invitations to one address (the first, by name, speaks for all)."""
    first = invitations[0]
    return {"name": first["name"], "answer": first["answer"], "answered_at": first["answered_at"]}


def ensure_answerable(event: dict) -> None:
    """Raises Conflict for a cancelled event: there is nothing left to answer."""
    if event["status"] == "cancelled":
        raise Conflict("Dieser Termin ist abgesagt.")


def subscription_link(
    base_url: str, tenant: str, body: str, name: str, person: str, token: str
) -> dict:
    """A person's subscription link of a body's calendar: the https address and the same as
    webcal:// (which calendar apps open as a subscription)."""
    query = urlencode({"person": person, "token": token})
    url = f"{base_url.rstrip('/')}/api/v1/{tenant}/bodies/{body}/calendar.ics?{query}"
    return {
        "body": body,
        "name": name,
        "person": person,
        "url": url,
        "webcal": "webcal://" + url.split("://", 1)[1],
    }


def blank_minutes(event_id) -> dict:
    """The minutes of an event before anyone wrote them: an empty draft."""
    return {"event_id": event_id, "status": "draft", "attendees": [], "notes": [], "decisions": []}


def ensure_minutes_editable(minutes: dict) -> None:
    """Raises Conflict once the minutes are approved or published."""
    if minutes["status"] != "draft":
        raise Conflict(
            f"Das Protokoll ist {MINUTES_STATUS_DE.get(minutes['status'], minutes['status'])}"
            " und kann nicht mehr geändert werden."
        )


def ensure_next_minutes_status(current: str, to: str) -> None:
    """Minutes go draft → approved → published; raises Conflict for any other step."""
    if MINUTES_NEXT.get(current) != to:
        nxt = MINUTES_NEXT.get(current)
        step = {"approved": "die Genehmigung", "published": "die Veröffentlichung"}.get(
            nxt, "nichts mehr"
        )
        raise Conflict(
            f"Das Protokoll ist {MINUTES_STATUS_DE.get(current, current)}; als Nächstes kommt {step}."
        )


def introduction_event(events: list[dict], kind: str, lead_days: int, now: datetime) -> dict | None:
    """The next event of the kind at least lead_days ahead (not cancelled), or None."""
    earliest = now + timedelta(days=lead_days)
    candidates = [
        e
        for e in events
        if e["kind"] == kind and e["status"] != "cancelled" and e["starts_at"] >= earliest
    ]
    return min(candidates, key=lambda e: e["starts_at"], default=None)


def introduction_item(introduction: dict, minutes: int) -> dict:
    """The agenda item in which a new partner introduces itself."""
    return {
        "title": f"Vorstellung: {introduction['name']}",
        "kind": "introduction",
        "minutes": minutes,
        "presenter": introduction["name"],
        "partner_id": introduction["partner_id"],
    }


def minutes_markdown(event: dict, minutes: dict, agenda: list[dict], tz: ZoneInfo) -> str:
    """The minutes as a readable document, dissenting opinions recorded with each decision.

    Every string people wrote (titles, place, attendees, notes, decisions, dissent)
    goes through markdown_text: raw HTML and links are shown, not interpreted.
    """
    md = markdown_text
    start = event["starts_at"].astimezone(tz)
    out = [
        f"# Protokoll: {md(event['title'])}",
        "",
        f"{start:%d.%m.%Y, %H:%M} Uhr" + (f", {md(event['place'])}" if event.get("place") else ""),
        "",
    ]
    attendees = minutes.get("attendees") or []
    if attendees:
        out += ["**Anwesend:** " + ", ".join(md(a) for a in attendees), ""]
    notes = {str(n["item_id"]): n["text"] for n in minutes.get("notes") or []}
    for i, item in enumerate(agenda, start=1):
        out += [f"## {i}. {md(item['title'])}", ""]
        if notes.get(str(item["id"])):
            out += [md(notes[str(item["id"])]), ""]
    decisions = minutes.get("decisions") or []
    if decisions:
        out += ["## Beschlüsse und Empfehlungen", ""]
        for d in decisions:
            out.append(f"- **{md(d['title'])}**: {md(d.get('outcome_text') or d.get('outcome'))}")
            counted = choices.tally_line(d.get("tally") or {})
            if counted:
                out.append(f"  - Abstimmung: {md(counted)}")
            for dis in d.get("dissent") or []:
                who = f"{md(dis['name'])}: " if dis.get("name") else ""
                reason = md(dis["reason"]) if dis.get("reason") else "ohne Begründung"
                out.append(f"  - Abweichende Meinung: {who}{reason}")
        out.append("")
    return "\n".join(out)
