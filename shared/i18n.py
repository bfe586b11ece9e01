"""Validation messages in German (the default) or English, chosen by Accept-Language.

marshmallow writes its messages in English; coordinators read German. Every
message of marshmallow's fields, validators and schemas has a German
counterpart here; a message a schema already writes in German stays as it is.
"""

from __future__ import annotations

import re

_TYPES = {
    "datetime": "Zeitpunkt",
    "date": "Datum",
    "time": "Uhrzeit",
    "aware datetime": "Zeitpunkt mit Zeitzone",
    "naive datetime": "Zeitpunkt ohne Zeitzone",
}

# (English pattern, German template): groups of the pattern fill the template.
_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(p), g)
    for p, g in [
        (r"^Missing data for required field\.$", "Pflichtfeld fehlt."),
        (r"^Field may not be null\.$", "Darf nicht leer (null) sein."),
        (r"^Unknown field\.$", "Unbekanntes Feld."),
        (r"^Invalid input type\.$", "Ungültiger Eingabetyp."),
        (r"^Invalid type\.$", "Ungültiger Typ."),
        (r"^Invalid value\.$", "Ungültiger Wert."),
        (r"^Not a valid boolean\.$", "Kein gültiger Wahrheitswert (true/false)."),
        (r"^Not a valid integer\.$", "Keine gültige ganze Zahl."),
        (r"^Not a valid number\.$", "Keine gültige Zahl."),
        (r"^Number too large\.$", "Die Zahl ist zu groß."),
        (r"^Not a valid string\.$", "Kein gültiger Text."),
        (r"^Not a valid utf-8 string\.$", "Kein gültiger UTF-8-Text."),
        (r"^Not a valid list\.$", "Keine gültige Liste."),
        (r"^Not a valid tuple\.$", "Kein gültiges Tupel."),
        (r"^Not a valid mapping type\.$", "Kein gültiges Objekt."),
        (r"^Not a valid email address\.$", "Keine gültige E-Mail-Adresse."),
        (r"^Not a valid URL\.$", "Keine gültige URL."),
        (r"^Not a valid UUID\.$", "Keine gültige UUID."),
        (r"^Not a valid date\.$", "Kein gültiges Datum (JJJJ-MM-TT)."),
        (r"^Not a valid period of time\.$", "Keine gültige Zeitspanne."),
        (r"^Not a valid (IP.*)\.$", "Keine gültige {0}."),
        (
            r"^Special numeric values \(nan or infinity\) are not permitted\.$",
            "Sonderwerte (nan, infinity) sind nicht erlaubt.",
        ),
        (
            r"^Not a valid (aware datetime|naive datetime|datetime|date|time)\.$",
            "Kein gültiger Wert für {0:type} (ISO 8601).",
        ),
        (r"^Not a valid (.+)\.$", "Kein gültiger Wert ({0})."),
        (
            r"^\"?(.*?)\"? cannot be formatted as an? (.+)\.$",
            "„{0}“ ist kein gültiger Wert ({1:type}).",
        ),
        (r"^Must be one of: (.*)\.$", "Erlaubt ist nur: {0}."),
        (
            r"^Length must be between (\S+) and (\S+)\.$",
            "Die Länge muss zwischen {0} und {1} liegen.",
        ),
        (r"^Length must be (\S+)\.$", "Die Länge muss {0} sein."),
        (r"^Longer than maximum length (\S+)\.$", "Länger als erlaubt (höchstens {0})."),
        (r"^Shorter than minimum length (\S+)\.$", "Kürzer als erlaubt (mindestens {0})."),
        (
            r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$",
            "Muss zwischen {0} und {1} liegen.",
        ),
        (r"^Must be greater than or equal to (\S+)\.$", "Muss mindestens {0} sein."),
        (r"^Must be less than or equal to (\S+)\.$", "Darf höchstens {0} sein."),
        (r"^Must be greater than (\S+)\.$", "Muss größer als {0} sein."),
        (r"^Must be less than (\S+)\.$", "Muss kleiner als {0} sein."),
        (r"^Must be (.+) (\S+) and (.+) (\S+)\.$", "Muss im Bereich {1} bis {3} liegen."),
        (r"^String does not match expected pattern\.$", "Entspricht nicht dem erwarteten Muster."),
        (r"^must be a German postcode of five digits$", "Eine Postleitzahl hat fünf Ziffern."),
        (
            r"^may hold letters, digits and \. _ @ - only$",
            "Erlaubt sind nur Buchstaben, Ziffern und . _ @ -.",
        ),
        # events: the order of times and dates, a process's phases, an invitation's invitees
        (r"^must be after (\w+)$", "Muss nach {0} liegen."),
        (r"^must not be before (\w+)$", "Darf nicht vor {0} liegen."),
        (
            r"^the range may span one year at most$",
            "Der Zeitraum darf höchstens ein Jahr umfassen.",
        ),
        (r"^is required for a phase of kind (\w+)$", "Pflichtfeld bei einer Phase der Art {0}."),
        # membership: a partner that left needs the date it left
        (r"^is required when status is '(\w+)'$", "Pflichtfeld, wenn der Status '{0}' ist."),
        (
            r"^invite a body, a working group, all partners or named guests$",
            "Einzuladen ist ein Gremium, eine Arbeitsgruppe, alle Partner oder namentlich "
            "genannte Gäste.",
        ),
    ]
]


def _fill(template: str, groups: tuple[str, ...]) -> str:
    def repl(m: re.Match) -> str:
        index, _, spec = m.group(1).partition(":")
        value = groups[int(index)]
        return _TYPES.get(value, value) if spec == "type" else value

    return re.sub(r"\{(\d+(?::type)?)\}", repl, template)


def german(message: str) -> str:
    """marshmallow's English message in German; other messages unchanged."""
    for pattern, template in _RULES:
        m = pattern.match(message)
        if m:
            return _fill(template, m.groups())
    return message


def prefers_english(accept_language: str | None) -> bool:
    """True when the caller's Accept-Language ranks English above German (German is the default)."""
    if not accept_language:
        return False
    best: dict[str, float] = {}
    for part in accept_language.split(","):
        lang, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            key, _, value = p.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = lang.strip().lower().split("-")[0]
        if primary in ("de", "en"):
            best[primary] = max(best.get(primary, 0.0), q)
    return best.get("en", 0.0) > best.get("de", 0.0)
