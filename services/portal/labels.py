"""German words (translated through the catalogues) for the APIs' enum values: no English enum in German text."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from knotenpunkt.shared import choices

# The choices' German words (shared.choices) are the catalogues' message ids: pybabel does not
# find them in this file, test_portal's catalogue test checks that every one is translated.
CHOICES = {value: _l(word) for value, word in choices.GERMAN.items()}

PARTNER_KINDS = {
    "authority": _l("Behörde"),
    "welfare_organisation": _l("Wohlfahrtsverband"),
    "migrant_self_organisation": _l("Migrantenselbstorganisation"),
    "chamber": _l("Kammer"),
    "education": _l("Bildungseinrichtung"),
    "religious_community": _l("Religionsgemeinschaft"),
    "sports": _l("Sportverein"),
    "company": _l("Unternehmen"),
    "initiative": _l("Initiative"),
    "other": _l("Sonstige"),
}

APPLICATION_STATUS = {
    "unconfirmed": _l("Adresse noch nicht bestätigt"),
    "submitted": _l("eingereicht, wird geprüft"),
    "returned": _l("zur Ergänzung zurückgegeben"),
    "in_vote": _l("in der Abstimmung"),
    "admitted": _l("aufgenommen"),
    "rejected": _l("abgelehnt"),
    "withdrawn": _l("zurückgezogen"),
}

BALLOT_STATUS = {
    "open": _l("offen"),
    "closed": _l("geschlossen"),
    "cancelled": _l("abgebrochen"),
}

# What a coordinator may put to the vote by hand (admissions and foundings come from their checks).
BALLOT_KINDS = {
    "resolution": _l("Beschluss"),
    "recommendation": _l("Empfehlung"),
    "general": _l("sonstige Frage"),
}

OUTCOMES = {
    "adopted": _l("angenommen"),
    "rejected": _l("abgelehnt"),
    "no_quorum": _l("nicht beschlussfähig"),
    "recommended": _l("empfohlen"),
    "not_recommended": _l("nicht empfohlen"),
    "consensus": _l("Konsens erreicht"),
    "no_consensus": _l("kein Konsens"),
}

DECISION_RULES = {
    "simple_majority": _l("einfache Mehrheit"),
    "absolute_majority": _l("absolute Mehrheit"),
    "two_thirds": _l("Zweidrittelmehrheit"),
    "unanimity": _l("Einstimmigkeit"),
    "consensus": _l("Konsens"),
}

# A body's decision rule as a whole sentence (issue 23.14: the grammar of every rule), and for
# a body that recommends only (Saalekreis) the sentence about its recommendations.
DECISION_SENTENCES = {
    "simple_majority": _l("Entscheidet mit einfacher Mehrheit."),
    "absolute_majority": _l("Entscheidet mit absoluter Mehrheit."),
    "two_thirds": _l("Entscheidet mit Zweidrittelmehrheit."),
    "unanimity": _l("Entscheidet einstimmig."),
    "consensus": _l("Entscheidet im Konsens."),
}
RECOMMENDATION_SENTENCES = {
    "simple_majority": _l(
        "Spricht Empfehlungen mit einfacher Mehrheit aus; Beschlüsse fasst es nicht."
    ),
    "absolute_majority": _l(
        "Spricht Empfehlungen mit absoluter Mehrheit aus; Beschlüsse fasst es nicht."
    ),
    "two_thirds": _l(
        "Spricht Empfehlungen mit Zweidrittelmehrheit aus; Beschlüsse fasst es nicht."
    ),
    "unanimity": _l("Spricht Empfehlungen einstimmig aus; Beschlüsse fasst es nicht."),
    "consensus": _l("Spricht Empfehlungen im Konsens aus; Beschlüsse fasst es nicht."),
}


def decision_sentence(rule: str | None, binding: bool = True) -> str:
    """The sentence about how a body decides (or, not binding, recommends); "" for no rule."""
    table = DECISION_SENTENCES if binding else RECOMMENDATION_SENTENCES
    return str(table[rule]) if rule in table else ""


EVENT_KINDS = {
    "network_event": _l("Netzwerkveranstaltung"),
    "body_meeting": _l("Gremiensitzung"),
    "working_group_meeting": _l("Sitzung einer Arbeitsgruppe"),
    "workshop": _l("Workshop"),
    "conference": _l("Tagung"),
    "kickoff": _l("Auftaktveranstaltung"),
}

ANSWERS = {"yes": _l("Ich komme"), "no": _l("Ich komme nicht"), "maybe": _l("Vielleicht")}

# An invitee's answer as the coordinator reads it (Zusage, Absage, Vielleicht).
REPLIES = {"yes": _l("Zusage"), "no": _l("Absage"), "maybe": _l("Vielleicht")}

EVENT_STATUS = {
    "planned": _l("geplant"),
    "invited": _l("eingeladen"),
    "held": _l("stattgefunden"),
    "cancelled": _l("abgesagt"),
}

MINUTES_STATUS = {
    "draft": _l("Entwurf"),
    "approved": _l("genehmigt"),
    "published": _l("veröffentlicht"),
}

POLL_STATUS = {"open": _l("offen"), "closed": _l("abgeschlossen")}

POLL_ANSWERS = {"yes": _l("Passt"), "maybe": _l("Passt vielleicht"), "no": _l("Passt nicht")}

WEEKDAYS = {
    "monday": _l("Montag"),
    "tuesday": _l("Dienstag"),
    "wednesday": _l("Mittwoch"),
    "thursday": _l("Donnerstag"),
    "friday": _l("Freitag"),
    "saturday": _l("Samstag"),
    "sunday": _l("Sonntag"),
}

# How someone was invited (the API's "via": body:<key>, working_group:<id>, partners, guests).
INVITED_VIA = {
    "body": _l("als Mitglied des Gremiums"),
    "working_group": _l("als Mitglied der Arbeitsgruppe"),
    "partners": _l("als Partner des Netzwerks"),
    "guests": _l("als Gast"),
}

CADENCE = {"ok": _l("im Turnus"), "due": _l("fällig"), "overdue": _l("überfällig")}

AGENDA_KINDS = {
    "topic": _l("Thema"),
    "report": _l("Bericht"),
    "introduction": _l("Vorstellung"),
    "decision": _l("Beschluss"),
}

SUBMISSION_STATUS = {
    "pending": _l("offen"),
    "submitted": _l("offen"),
    "accepted": _l("aufgenommen"),
    "declined": _l("abgelehnt"),
}

PARTNER_STATUS = {"active": _l("aktiv"), "left": _l("ausgetreten")}

LEGAL_BASES = {
    "consent": _l("Einwilligung"),
    "public_task": _l("öffentliche Aufgabe"),
    "legitimate_interest": _l("berechtigtes Interesse"),
    "contract": _l("Vertrag"),
}

OFFER_KINDS = {
    "language_course": _l("Sprachkurs"),
    "counselling": _l("Beratung"),
    "education": _l("Bildung"),
    "work": _l("Arbeit"),
    "health": _l("Gesundheit"),
    "housing": _l("Wohnen"),
    "leisure": _l("Freizeit"),
    "welcome_package": _l("Willkommenspaket"),
    "other": _l("Sonstiges"),
}

BODY_ROLES = {"chair": _l("Vorsitz"), "member": _l("Mitglied"), "guest": _l("Gast")}

PROPOSAL_STATUS = {
    "submitted": _l("eingereicht"),
    "in_vote": _l("in der Abstimmung"),
    "approved": _l("angenommen"),
    "declined": _l("abgelehnt"),
}

DELIVERY_STATUS = {
    "queued": _l("wartet auf Versand"),
    "sent": _l("zugestellt"),
    "retrying": _l("wird erneut versucht"),
    "failed": _l("fehlgeschlagen"),
    "suppressed": _l("nicht gesendet (abbestellt)"),
}

CHANNELS = {"email": _l("E-Mail"), "webhook": _l("Webhook")}

CATEGORIES = {
    "applications": _l("Beitrittserklärungen"),
    "decisions": _l("Entscheidungen"),
    "ballots": _l("Abstimmungen"),
    "coordination": _l("Koordinierung"),
    "events": _l("Termine"),
    "webhook": _l("Webhook"),
}

PUBLICATION_TRIGGERS = {"manual": _l("von Hand"), "schedule": _l("planmäßig")}

ROLES = {
    "coordinator": _l("Koordinierungsstelle"),
    "member": _l("Mitglied eines Gremiums"),
    "partner": _l("Netzwerkpartner"),
}


def label(table: dict, value) -> str:
    """The word for an enum value; an unknown value is shown as it is."""
    if value is None:
        return ""
    return str(table.get(value, value))


def language(code: str) -> str:
    """A language named in the reader's language and in its own: „Arabisch (العربية)“."""
    try:
        target = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return code
    reader = get_locale() or Locale.parse("de")
    here = target.get_display_name(reader) or code
    own = target.get_display_name(target) or ""
    if own and own.lower() != here.lower():
        return f"{here} ({own})"
    return here


def tally(ballot_tally: dict | None) -> list[tuple[str, int]]:
    """(label, count) of the choices in a tally in their order (Ja, Nein, Enthaltung;
    Zustimmung, Enthaltung (Beiseitestehen), Einwand), whatever order the data has, without
    the counters that are not choices."""
    if not isinstance(ballot_tally, dict):
        return []
    return [(str(CHOICES[k]), ballot_tally[k]) for k in CHOICES if k in ballot_tally]


def choice(value) -> str:
    return label(CHOICES, value)


def choice_options(choices) -> list[tuple[str, str]]:
    return [(c, label(CHOICES, c)) for c in choices or []]


def quoted_choices(text: str) -> str:
    """An API sentence with the choices it quotes in the reader's words („no“ → „Nein“)."""
    for value, word in CHOICES.items():
        text = text.replace(f"„{value}“", f"„{word}“")
    return text
