"""Who is told what: pure rules from an event to the messages it causes, the order of messages
that wait for another, and the retry schedule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

# event name -> (template, audience, category, mandatory)
RULES: dict[str, tuple[str, str, str, bool]] = {
    "membership.application.submitted": ("application_received", "applicant", "applications", True),
    # where the network confirms the address first: the only mail before the confirmation
    "membership.application.confirmation_requested": (
        "application_confirm",
        "applicant",
        "applications",
        True,
    ),
    "membership.application.returned": ("application_returned", "applicant", "applications", True),
    "membership.partner.admitted": ("application_admitted", "applicant", "decisions", True),
    "membership.application.rejected": ("application_rejected", "applicant", "decisions", True),
    "voting.ballot.opened": ("ballot_opened", "body", "ballots", False),
    "voting.ballot.reminder_due": ("ballot_reminder", "not_voted", "ballots", False),
    "voting.ballot.closed": ("ballot_result", "body", "ballots", False),
    "membership.working_group_proposal.submitted": (
        "working_group_proposal",
        "coordinators",
        "coordination",
        False,
    ),
    "events.introduction.scheduled": ("introduction_slot", "direct", "events", True),
    "events.event.invited": ("invitation", "listed", "events", False),
    "events.event.cancelled": ("event_cancelled", "listed", "events", False),
    "events.agenda.published": ("agenda_published", "listed", "events", False),
    "events.minutes.published": ("minutes_published", "listed", "events", False),
    "events.cadence.due": ("cadence_due", "coordinators", "coordination", False),
    "events.topic_submission.submitted": ("topic_submitted", "coordinators", "coordination", False),
}
RULES["events.event.changed"] = ("event_changed", "listed", "events", False)
RULES["events.consultation.opened"] = ("consultation_opened", "coordinators", "coordination", False)
RULES["events.consultation.closed"] = ("consultation_closed", "coordinators", "coordination", False)
# A new partner overview: the Koordinierungsstelle gets the links to put on the website or send on.
RULES["membership.directory.published"] = (
    "directory_published",
    "coordinators",
    "coordination",
    False,
)
# A federation peer unreachable for longer than FEDERATION_STALE_HOURS, and when it is back.
RULES["membership.federation.peer_stale"] = (
    "federation_peer_stale",
    "coordinators",
    "coordination",
    False,
)
RULES["membership.federation.peer_back"] = (
    "federation_peer_back",
    "coordinators",
    "coordination",
    False,
)
# Feedback on the pages' accessibility (BITV 2.0 § 7): the Koordinierungsstelle gets the message,
# and the sender a receipt (ALSO) that carries only the platform's text (anyone may name any
# address in the form).
RULES["membership.accessibility_feedback.submitted"] = (
    "accessibility_feedback",
    "office",
    "coordination",
    True,
)
# A second message the same event causes: event name -> (template, audience, category, mandatory)
ALSO: dict[str, tuple[str, str, str, bool]] = {
    "membership.accessibility_feedback.submitted": (
        "accessibility_feedback_receipt",
        "sender",
        "feedback",
        True,
    ),
}
WITH_ICS = {"invitation": "REQUEST", "event_changed": "REQUEST", "event_cancelled": "CANCEL"}
DECISIONS = ("membership.partner.admitted", "membership.application.rejected")
# Mails caused by an anonymous write (anyone can name any address): they carry only what the
# platform wrote, not even the name typed into the form (issue 10, point 5).
PLATFORM_TEXT_ONLY = frozenset(
    {"membership.application.submitted", "membership.application.confirmation_requested"}
)
# Templates whose mail carries a signed link (shared.links) that notifications writes.
CONFIRM_TEMPLATE = "application_confirm"
# the receipt: its link to the applicant's status page (VIEW_APPLICATION_STATUS)
RECEIPT_TEMPLATE = "application_received"
# The invitation carries the reply link to the portal (shared.links.REPLY_TO_INVITATION).
REPLY_TEMPLATE = "invitation"
# What a message is about (the key in the event's data): the partner of a decision and of an
# introduction slot.
ABOUT = {"membership.partner.admitted": "partner_id", "events.introduction.scheduled": "partner_id"}
# Leitlinie 3: a message of the first template waits for the message of the second about the
# same thing: the introduction slot "als neuer Partner" never precedes the decision mail.
WAITS_FOR = {"introduction_slot": "application_admitted"}
RELEASES = {
    first: tuple(w for w, f in WAITS_FOR.items() if f == first) for first in WAITS_FOR.values()
}


@dataclass(frozen=True)
class Planned:
    """One message to one recipient."""

    recipient: str
    name: str | None
    template: str
    language: str
    category: str
    mandatory: bool
    not_before: datetime | None = None
    about: str | None = None


def plan(
    name: str, data: dict, rules: dict, body_members: list[dict], now: datetime
) -> list[Planned]:
    """The messages an event causes. body_members: the service's copy of the body's members."""
    if name not in RULES:
        return []
    planned = _plan(name, RULES[name], data, rules, body_members, now)
    if name in ALSO:
        taken = {p.recipient.lower() for p in planned}
        also = _plan(name, ALSO[name], data, rules, body_members, now)
        planned += [p for p in also if p.recipient.lower() not in taken]
    return planned


def _plan(name, rule, data, rules, body_members, now) -> list[Planned]:
    template, audience, category, mandatory = rule
    lang = rules.get("language", "de")
    people: list[tuple[str, str | None, str]] = []
    if audience == "applicant":
        contact = data.get("contact") or {}
        if contact.get("email"):
            person = None if name in PLATFORM_TEXT_ONLY else contact.get("name")
            people.append((contact["email"], person, contact.get("language") or lang))
    elif audience == "body":
        people = [(m["email"], m["name"], lang) for m in body_members if m.get("email")]
    elif audience == "not_voted":
        missing = {p["person_id"] for p in data.get("not_voted", [])}
        people = [
            (m["email"], m["name"], lang)
            for m in body_members
            if m.get("email") and m["ref"] in missing
        ]
    elif audience == "direct":
        if data.get("email"):
            people.append((data["email"], data.get("name"), lang))
    elif audience == "office":
        # the Koordinierungsstelle, else the address of the Impressum (every network has one)
        email = rules["contact_point"].get("email") or (rules.get("imprint") or {}).get("email")
        if email:
            people.append((email, rules["contact_point"]["name"], lang))
    elif audience == "sender":
        if data.get("email"):
            people.append((data["email"], None, data.get("language") or lang))
    elif audience == "listed":
        people = [
            (r["email"], r.get("name"), lang) for r in data.get("recipients", []) if r.get("email")
        ]
    elif audience == "coordinators":
        email = rules["contact_point"].get("email")
        if email:
            people.append((email, rules["contact_point"]["name"], lang))
    not_before = None
    if name in DECISIONS and rules["membership"].get("inform_applicant") == "after_deadline":
        # Leitlinie 3: the applicant is told after the voting period has ended.
        deadline = (data.get("decision") or {}).get("deadline")
        if deadline:
            moment = datetime.fromisoformat(deadline)
            not_before = moment if moment > now else None
    about = data.get(ABOUT[name]) if name in ABOUT else None
    seen, out = set(), []
    for email, person, language in people:
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        out.append(
            Planned(
                email,
                person,
                template,
                language,
                category,
                mandatory,
                not_before,
                str(about) if about else None,
            )
        )
    return out


def document_links(template: str, data: dict, portal_url: str, tenant: str) -> dict:
    """The portal's addresses of the documents a mail is about: the published minutes (HTML,
    and the PDF where the event is public) and the partner overview (HTML and PDF)."""
    base = f"{portal_url.rstrip('/')}/{tenant}"
    if template == "minutes_published" and data.get("id"):
        links = {"minutes_url": f"{base}/protokolle/{data['id']}"}
        if data.get("public"):
            links["minutes_pdf_url"] = f"{base}/protokolle/{data['id']}.pdf"
        return links
    if template == "directory_published" and data.get("publication_id"):
        url = f"{base}/partneruebersicht/{data['publication_id']}"
        return {"overview_url": url, "overview_pdf_url": f"{url}.pdf"}
    return {}


# A message held for another that is due now waits this much longer: it is not taken again in
# the same delivery run (sending the other releases it at once, RELEASES).
HELD_AFTER = timedelta(microseconds=1)


def held_until(waiting_for: datetime | None, now: datetime) -> datetime | None:
    """When a message that waits for another may go: None when it may go now (the other was
    released or there is none), else the other's next attempt, but later than now."""
    if waiting_for is None:
        return None
    return max(waiting_for, now + HELD_AFTER)


def backoff(attempts: int, base_seconds: float, cap_seconds: float = 3600.0) -> timedelta:
    """Exponential backoff after the given number of failed attempts."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))


# While the mail server is away (channels.MailServerAway), due mails wait this long at most
# before the next try: no attempt is counted, so the wait need not grow, and a mail goes
# within seconds once the server is back.
SERVER_AWAY_WAIT_SECONDS = 5.0


def away_wait(base_seconds: float) -> timedelta:
    """How long due mails wait while the mail server is away: the first backoff, at most
    SERVER_AWAY_WAIT_SECONDS."""
    return timedelta(seconds=min(base_seconds, SERVER_AWAY_WAIT_SECONDS))


def after_failure(attempts: int, max_attempts: int) -> str:
    return "failed" if attempts >= max_attempts else "retrying"


def redact(text: str, address: str) -> str:
    """Text for a log line: the recipient's address (any case) replaced by a placeholder."""
    if not address:
        return text
    return re.sub(re.escape(address), "<Empfänger>", text, flags=re.IGNORECASE)
