"""The fields an import reads, their headers in German and English, and how a cell becomes a
value: each parser returns the value or raises CellError with the rule in German (the
caller adds "Zeile 17, Spalte PLZ: ")."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from marshmallow import ValidationError, validate

from knotenpunkt.services.membership.domain.partners import PARTNER_KINDS
from knotenpunkt.shared.inputs import BadInput, check_text


class CellError(ValueError):
    """A cell breaks a rule (the message is the rule, in German)."""


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    aliases: tuple
    parse: Callable
    required: bool = False
    extra: dict = field(default_factory=dict)


def _norm(text: str) -> str:
    text = text.casefold().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    return re.sub(r"[^a-z0-9]+", "", text)


def text(limit: int, *, one_line: bool = True, min_length: int = 0):
    def parse(raw: str, **_) -> str:
        try:
            check_text("", raw, one_line=one_line)
        except BadInput as exc:
            raise CellError(f"„{raw[:40]}“ {exc.rule}") from exc
        if len(raw) > limit:
            raise CellError(f"ist {len(raw)} Zeichen lang; höchstens {limit}.")
        if len(raw) < min_length:
            raise CellError(f"„{raw}“ ist zu kurz (mindestens {min_length} Zeichen).")
        return raw

    return parse


def postcode(raw: str, *, numeric: bool = False, **_) -> str:
    """Five digits; a number the spreadsheet stored without its leading zero (9111) gets it back."""
    if numeric and re.fullmatch(r"\d{4}", raw):
        raw = "0" + raw
    if not re.fullmatch(r"\d{5}", raw):
        raise CellError(f"{raw} ist keine Postleitzahl (fünf Ziffern).")
    return raw


_EMAIL = validate.Email()


def email(raw: str, **_) -> str:
    raw = raw.strip().removeprefix("mailto:")
    try:
        return _EMAIL(raw)
    except ValidationError as exc:
        raise CellError(f"{raw} ist keine E-Mail-Adresse.") from exc


_URL = validate.URL(require_tld=True)


def website(raw: str, **_) -> str:
    url = raw if re.match(r"^https?://", raw, re.I) else "https://" + raw
    try:
        return _URL(url)
    except ValidationError as exc:
        raise CellError(f"{raw} ist keine Web-Adresse.") from exc


def phone(raw: str, **_) -> str:
    if len(raw) > 50 or not re.fullmatch(r"[0-9+()/ .\-–]+", raw):
        raise CellError(f"{raw[:40]} ist keine Telefonnummer.")
    return raw


_SPLIT = re.compile(r"\s*[,;|/\n]\s*")


def texts(limit_items: int, limit_each: int, *, min_length: int = 1, table: dict | None = None):
    def parse(raw: str, **_) -> list[str]:
        items = []
        for item in _SPLIT.split(raw):
            if not item:
                continue
            item = (table or {}).get(_norm(item), item)
            if len(item) > limit_each or len(item) < min_length:
                raise CellError(
                    f"„{item[:40]}“ ist zu {'lang' if len(item) > limit_each else 'kurz'}."
                )
            try:
                check_text("", item, one_line=True)
            except BadInput as exc:
                raise CellError(f"„{item[:40]}“ {exc.rule}") from exc
            if item not in items:
                items.append(item)
        if len(items) > limit_items:
            raise CellError(f"nennt {len(items)} Einträge; höchstens {limit_items}.")
        return items

    return parse


# Language names as coordinators write them → the codes the directory filters by.
LANGUAGES = {
    _norm(name): code
    for code, names in {
        "de": "Deutsch German",
        "en": "Englisch English",
        "ar": "Arabisch Arabic",
        "ru": "Russisch Russian",
        "uk": "Ukrainisch Ukrainian",
        "tr": "Türkisch Turkish",
        "fa": "Persisch Farsi Persian",
        "prs": "Dari",
        "ps": "Paschtu Pashto Paschto",
        "fr": "Französisch French",
        "es": "Spanisch Spanish",
        "it": "Italienisch Italian",
        "pl": "Polnisch Polish",
        "ro": "Rumänisch Romanian",
        "bg": "Bulgarisch Bulgarian",
        "vi": "Vietnamesisch Vietnamese",
        "ku": "Kurdisch Kurdish",
        "ti": "Tigrinya Tigrinisch",
        "so": "Somali",
        "sq": "Albanisch Albanian",
        "sr": "Serbisch Serbian",
        "hr": "Kroatisch Croatian",
        "ur": "Urdu",
        "hi": "Hindi",
        "zh": "Chinesisch Chinese",
        "cs": "Tschechisch Czech",
        "hu": "Ungarisch Hungarian",
        "el": "Griechisch Greek",
        "sgn": "Gebärdensprache",
    }.items()
    for name in names.split()
}


def labelled(table: dict, what: str):
    names = {}
    for code, spoken in table.items():
        for name in (code, *spoken):
            names[_norm(name)] = code

    def parse(raw: str, **_) -> str:
        found = names.get(_norm(raw))
        if found is None:
            allowed = ", ".join(spoken[0] for spoken in table.values())
            raise CellError(f"„{raw[:40]}“ ist keine bekannte {what} (möglich: {allowed}).")
        return found

    return parse


KIND_NAMES = {
    "authority": ("Behörde", "Verwaltung", "Amt", "Kommune", "Jobcenter"),
    "welfare_organisation": ("Wohlfahrtsverband", "Wohlfahrt", "Freie Wohlfahrtspflege"),
    "migrant_self_organisation": (
        "Migrantenselbstorganisation",
        "MSO",
        "Migrantenorganisation",
        "Migrantinnenselbstorganisation",
    ),
    "chamber": ("Kammer", "IHK", "HWK", "Handwerkskammer"),
    "education": ("Bildung", "Bildungsträger", "Schule", "Hochschule", "Volkshochschule", "VHS"),
    "religious_community": ("Religionsgemeinschaft", "Religion", "Kirchengemeinde", "Moschee"),
    "sports": ("Sport", "Sportverein"),
    "company": ("Unternehmen", "Firma", "Betrieb"),
    "initiative": ("Initiative", "Ehrenamt", "Bürgerinitiative"),
    "other": ("Sonstige", "Sonstiges", "Andere", "Verein"),
}
if set(KIND_NAMES) != set(PARTNER_KINDS):  # a new kind needs its German names here
    raise RuntimeError("KIND_NAMES and PARTNER_KINDS differ")
LEGAL_BASIS_NAMES = {
    "consent": ("Einwilligung", "Art. 6 Abs. 1 lit. a DSGVO", "6 1 a", "lit a"),
    "public_task": ("Öffentliche Aufgabe", "Art. 6 Abs. 1 lit. e DSGVO", "6 1 e", "lit e"),
    "legitimate_interest": (
        "Berechtigtes Interesse",
        "Art. 6 Abs. 1 lit. f DSGVO",
        "6 1 f",
        "lit f",
    ),
    "contract": ("Vertrag", "Art. 6 Abs. 1 lit. b DSGVO", "6 1 b", "lit b"),
}
OFFER_KIND_NAMES = {
    "language_course": ("Sprachkurs", "Deutschkurs", "Integrationskurs", "Language Course"),
    "counselling": ("Beratung", "Counselling"),
    "education": ("Bildung", "Education"),
    "work": ("Arbeit", "Work", "Ausbildung"),
    "health": ("Gesundheit", "Health"),
    "housing": ("Wohnen", "Housing"),
    "leisure": ("Freizeit", "Leisure", "Sport"),
    "welcome_package": ("Willkommenspaket", "Welcome Package"),
    "other": ("Sonstiges", "Sonstige", "Other"),
}
partner_kind = labelled(KIND_NAMES, "Art")
offer_kind = labelled(OFFER_KIND_NAMES, "Art")
legal_basis = labelled(LEGAL_BASIS_NAMES, "Rechtsgrundlage")

_YES = {"ja", "j", "x", "yes", "y", "true", "wahr", "1"}
_NO = {"nein", "n", "no", "false", "falsch", "0", "-"}


def boolean(raw: str, **_) -> bool:
    low = raw.strip().casefold()
    if low in _YES:
        return True
    if low in _NO:
        return False
    raise CellError(f"„{raw[:40]}“ ist weder ja noch nein.")


def day(raw: str, **_) -> date:
    raw = raw.strip()
    for pattern in (r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?", r"(\d{1,2})\.(\d{1,2})\.(\d{4})"):
        m = re.fullmatch(pattern, raw)
        if m:
            a, b, c = (int(x) for x in m.groups())
            try:
                return date(a, b, c) if a > 31 else date(c, b, a)
            except ValueError:
                break
    raise CellError(f"{raw[:40]} ist kein Datum (TT.MM.JJJJ).")


def moment(raw: str, *, tz=None, **_) -> datetime:
    """A day (midnight in the network's time zone) or an ISO moment."""
    try:
        found = datetime.fromisoformat(raw.strip())
        return found if found.tzinfo else found.replace(tzinfo=tz)
    except ValueError:
        return datetime.combine(day(raw), time(0), tzinfo=tz)


PARTNER_FIELDS = (
    Field(
        "name",
        "Name",
        ("Organisation", "Name der Organisation", "Organisationsname", "Träger", "Einrichtung")
        + ("Partner", "Institution", "Organization"),
        text(200, min_length=2),
        required=True,
    ),
    Field(
        "kind",
        "Art",
        ("Typ", "Kind", "Type", "Organisationsart", "Art der Organisation"),
        partner_kind,
    ),
    Field(
        "street",
        "Straße",
        ("Strasse", "Str", "Street", "Adresse", "Anschrift", "Address"),
        text(200),
    ),
    Field(
        "postcode", "PLZ", ("Postleitzahl", "Postcode", "Zip", "Postal Code", "ZIP Code"), postcode
    ),
    Field("city", "Ort", ("Stadt", "City", "Town", "Gemeinde"), text(100)),
    Field(
        "website",
        "Website",
        ("Webseite", "Homepage", "Internet", "URL", "Web", "Internetseite"),
        website,
    ),
    Field("email", "E-Mail", ("Email", "Mail", "E-Mail-Adresse", "Emailadresse"), email),
    Field("phone", "Telefon", ("Tel", "Phone", "Telefonnummer", "Telephone", "Tel.-Nr."), phone),
    Field(
        "topics",
        "Themen",
        ("Thema", "Topics", "Schwerpunkte", "Handlungsfelder", "Arbeitsbereiche"),
        texts(50, 100),
    ),
    Field(
        "languages",
        "Sprachen",
        ("Sprache", "Languages", "Sprachkenntnisse"),
        texts(50, 35, min_length=2, table=LANGUAGES),
    ),
    Field("since", "Partner seit", ("Seit", "Since", "Mitglied seit", "Beitritt"), day),
    Field("public", "Öffentlich", ("Public", "Veröffentlichen"), boolean),
    Field("shared", "Geteilt", ("Shared", "Teilen"), boolean),
)

CONTACT_FIELDS = (
    Field(
        "name",
        "Name",
        (
            "Ansprechperson",
            "Ansprechpartner",
            "Kontaktperson",
            "Person",
            "Contact",
            "Vor- und Nachname",
        ),
        text(200, min_length=2),
        required=True,
    ),
    Field(
        "organisation",
        "Organisation",
        ("Partner", "Träger", "Einrichtung", "Organization", "Institution"),
        text(200),
    ),
    Field("role", "Funktion", ("Rolle", "Position", "Role", "Function"), text(200)),
    Field("email", "E-Mail", ("Email", "Mail", "E-Mail-Adresse"), email),
    Field("phone", "Telefon", ("Tel", "Phone", "Telefonnummer"), phone),
    Field(
        "languages",
        "Sprachen",
        ("Sprache", "Languages"),
        texts(50, 35, min_length=2, table=LANGUAGES),
    ),
    Field(
        "responsibilities",
        "Zuständigkeiten",
        ("Zuständigkeit", "Aufgaben", "Responsibilities"),
        texts(50, 200),
    ),
    Field(
        "legal_basis",
        "Rechtsgrundlage",
        ("Legal Basis", "Rechtsgrundlage DSGVO"),
        legal_basis,
        required=True,
    ),
    Field(
        "consent_at",
        "Einwilligung am",
        ("Einwilligung", "Einwilligungsdatum", "Consent", "Consent At"),
        moment,
    ),
    Field("public", "Öffentlich", ("Public",), boolean),
    Field("shared", "Geteilt", ("Shared",), boolean),
)

RESPONSIBILITY_FIELDS = (
    Field(
        "actor",
        "Akteur",
        ("Stelle", "Behörde", "Actor", "Institution", "Organisation"),
        text(200, min_length=2),
        required=True,
    ),
    Field(
        "topic",
        "Thema",
        ("Themenbereich", "Topic", "Handlungsfeld"),
        text(200, min_length=2),
        required=True,
    ),
    Field(
        "responsibility",
        "Zuständigkeit",
        ("Aufgabe", "Responsibility", "Leistung"),
        text(2000, one_line=False, min_length=2),
        required=True,
    ),
    Field(
        "contact_name",
        "Ansprechperson",
        ("Ansprechpartner", "Kontakt", "Contact", "Contact Name"),
        text(200),
    ),
    Field("contact_email", "E-Mail", ("Email", "Mail", "Contact Email"), email),
    Field("contact_phone", "Telefon", ("Tel", "Phone", "Contact Phone"), phone),
)
