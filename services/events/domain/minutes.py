"""Rules of minutes: who sees them, draft → approved → published, the readable document."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from knotenpunkt.shared import choices
from knotenpunkt.shared.errors import Conflict, NotFound, RuleViolation
from knotenpunkt.shared.outputs import markdown_text

MINUTES_NEXT = {"draft": "approved", "approved": "published"}


MINUTES_STATUS_DE = {"draft": "ein Entwurf", "approved": "genehmigt", "published": "veröffentlicht"}


def ensure_minutes_visible(minutes: dict, internal: bool) -> None:
    """Raises NotFound for minutes not yet published asked for by a caller who may not read internal data."""
    if minutes["status"] != "published" and not internal:
        raise NotFound("Das Protokoll ist noch nicht veröffentlicht.")


def ensure_minutes_written(minutes: dict | None, event_id) -> dict:
    """The minutes; raises Conflict when none were written for the event yet."""
    if minutes is None:
        raise Conflict(f"Zum Termin {event_id} ist noch kein Protokoll geschrieben.")
    return minutes


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


def ensure_meeting_held(event: dict, now) -> None:
    """Raises Conflict while the meeting has not ended: minutes are approved afterwards."""
    if event["ends_at"] > now:
        raise Conflict(
            "Die Sitzung hat noch nicht stattgefunden (sie endet am "
            f"{event['ends_at']:%d.%m.%Y um %H:%M} Uhr UTC); genehmigt werden kann das "
            "Protokoll erst danach."
        )


HAND_OUTCOME_DE = {"adopted": "angenommen", "rejected": "abgelehnt"}


def decision_by_hand(given: dict, index: int, attendees: list[str], binding: bool) -> dict:
    """A decision taken by show of hands as the minutes keep it: what was given, its sentence
    and its tally (voted of those present); raises RuleViolation (field
    decisions_by_hand.<n>.count or .dissent) for counts or dissenters that do not add up."""
    field = f"decisions_by_hand.{index}"
    count = given.get("count")
    present = len(attendees)
    dissent = [dict(d) for d in given.get("dissent") or []]
    if count is not None:
        voted = count["yes"] + count["no"] + count["abstain"]
        if present and voted > present:
            raise RuleViolation(
                f"{voted} Stimmen, aber nur {present} Anwesende: die Zählung geht nicht auf.",
                field=f"{field}.count",
            )
        for choice, word in (("no", "Nein"), ("abstain", "Enthaltung")):
            named = sum(1 for d in dissent if d["choice"] == choice)
            if named > count[choice]:
                raise RuleViolation(
                    f"{named}-mal „{word}“ namentlich festgehalten, gezählt aber {count[choice]}.",
                    field=f"{field}.dissent",
                )
    if attendees:
        absent = [d["name"] for d in dissent if d["name"] not in attendees]
        if absent:
            raise RuleViolation(
                "Abweichende Meinungen nur von Anwesenden; nicht in der Anwesenheitsliste: "
                + ", ".join(absent),
                field=f"{field}.dissent",
            )
    kind = "Beschluss" if binding else "Empfehlung"
    tally = None
    if count is not None:
        tally = {**count, "voted": sum(count.values())}
        if present:
            tally["electorate"] = present
    return {
        "by_hand": True,
        "title": given["title"],
        "outcome": given["outcome"],
        "outcome_text": f"{kind}: {HAND_OUTCOME_DE[given['outcome']]} (per Handzeichen)",
        "count": count,
        "tally": tally,
        "dissent": dissent,
    }


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
    if minutes.get("taken_by"):
        out += [f"**Protokoll:** {md(minutes['taken_by'])}", ""]
    if minutes.get("approved_at"):
        out += [f"**Genehmigt am** {minutes['approved_at'].astimezone(tz):%d.%m.%Y}", ""]
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
                how = "Abstimmung per Handzeichen" if d.get("by_hand") else "Abstimmung"
                out.append(f"  - {how}: {md(counted)}")
            for dis in d.get("dissent") or []:
                who = f"{md(dis['name'])}: " if dis.get("name") else ""
                if d.get("by_hand"):
                    who = f"{md(dis['name'])} ({md(choices.word(dis['choice']))}): "
                reason = md(dis["reason"]) if dis.get("reason") else "ohne Begründung"
                out.append(f"  - Abweichende Meinung: {who}{reason}")
        out.append("")
    return "\n".join(out)
