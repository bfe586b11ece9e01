"""The fields of the kinds only some networks import (doctors, offers) and of body members;
parsers and header rules as in import_fields."""

from __future__ import annotations

from knotenpunkt.services.membership.domain.import_fields import (
    LANGUAGES,
    Field,
    day,
    email,
    labelled,
    offer_kind,
    phone,
    postcode,
    text,
    texts,
)
from knotenpunkt.services.membership.domain.partners import BODY_ROLES

ROLE_NAMES = {
    "chair": ("Vorsitz", "Vorsitzende", "Vorsitzender", "Chair", "Leitung"),
    "member": ("Mitglied", "Member"),
    "guest": ("Gast", "Guest", "beratend"),
}
role = labelled(ROLE_NAMES, "Rolle")
GROUP_ROLE_NAMES = {
    "leader": ("Leitung", "Leiter", "Leiterin", "Sprecher", "Sprecherin", "Leader"),
    "member": ("Mitglied", "Member"),
}
group_role = labelled(GROUP_ROLE_NAMES, "Rolle")

if set(ROLE_NAMES) != set(BODY_ROLES):  # a new role needs its German names here
    raise RuntimeError("ROLE_NAMES and BODY_ROLES differ")

DOCTOR_FIELDS = (
    Field(
        "name",
        "Name",
        ("Arzt", "Ärztin", "Praxis", "Doctor"),
        text(200, min_length=2),
        required=True,
    ),
    Field(
        "specialty",
        "Fachrichtung",
        ("Fachgebiet", "Fach", "Specialty"),
        text(200, min_length=2),
        required=True,
    ),
    Field("street", "Straße", ("Strasse", "Str", "Street", "Adresse", "Anschrift"), text(200)),
    Field("postcode", "PLZ", ("Postleitzahl", "Postcode", "Zip"), postcode),
    Field("city", "Ort", ("Stadt", "City"), text(100)),
    Field("phone", "Telefon", ("Tel", "Phone", "Telefonnummer"), phone),
    Field(
        "languages",
        "Sprachen",
        ("Sprache", "Languages", "Sprachkenntnisse"),
        texts(50, 35, min_length=2, table=LANGUAGES),
        required=True,
    ),
    Field(
        "last_verified",
        "Zuletzt geprüft",
        ("Zuletzt geprüft am", "Geprüft am", "Geprüft", "Last Verified", "Stand"),
        day,
        required=True,
    ),
)

OFFER_FIELDS = (
    Field(
        "title",
        "Titel",
        ("Angebot", "Title", "Bezeichnung"),
        text(300, min_length=3),
        required=True,
    ),
    Field("kind", "Art", ("Typ", "Kind", "Type", "Angebotsart"), offer_kind, required=True),
    Field(
        "provider",
        "Anbieter",
        ("Träger", "Provider", "Organisation"),
        text(300, min_length=2),
        required=True,
    ),
    Field("target_groups", "Zielgruppen", ("Zielgruppe", "Target Groups"), texts(50, 200)),
    Field(
        "languages",
        "Sprachen",
        ("Sprache", "Languages"),
        texts(50, 35, min_length=2, table=LANGUAGES),
    ),
    Field("place", "Ort", ("Veranstaltungsort", "Place", "Adresse"), text(300)),
    Field("contact", "Kontakt", ("Ansprechperson", "Contact"), text(300)),
    Field("description", "Beschreibung", ("Description", "Inhalt"), text(5000, one_line=False)),
)

MEMBER_FIELDS = (
    Field("body", "Gremium", ("Body", "Gremien"), text(200), required=True),
    Field(
        "name",
        "Name",
        ("Person", "Vor- und Nachname", "Mitglied"),
        text(200, min_length=2),
        required=True,
    ),
    Field("email", "E-Mail", ("Email", "Mail", "E-Mail-Adresse"), email),
    Field("person_id", "Kennung", ("Person-ID", "Person ID", "Login", "Benutzername"), text(100)),
    Field("organisation", "Organisation", ("Partner", "Träger", "Einrichtung"), text(200)),
    Field("department", "Abteilung", ("Funktion", "Department", "Amt"), text(200)),
    Field("role", "Rolle", ("Role", "Rolle im Gremium"), role),
)

GROUP_MEMBER_FIELDS = (
    Field("group", "Arbeitsgruppe", ("AG", "Working Group", "Gruppe"), text(200), required=True),
    Field(
        "name",
        "Name",
        ("Person", "Vor- und Nachname", "Mitglied"),
        text(200, min_length=2),
        required=True,
    ),
    Field("person_id", "Kennung", ("Person-ID", "Person ID", "Login", "Benutzername"), text(100)),
    Field("organisation", "Organisation", ("Partner", "Träger", "Einrichtung"), text(200)),
    Field("role", "Rolle", ("Role", "Funktion"), group_role),
)
