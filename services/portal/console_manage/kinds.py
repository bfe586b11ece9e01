"""The kinds of record the Koordinierungsstelle keeps, as data: where each one's API is, its
form's fields and how its list shows it. The pages (records.py) read only this table."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import labels
from ..client import as_user


@dataclass(frozen=True)
class Field:
    """A field of a management form and how its value goes to the API.

    kind: text, email, url, tel, date, textarea, select (options), list (comma-separated),
    checks (several of options), bool, moment (a date and time in the network's zone)."""

    name: str
    label: object
    kind: str = "text"
    required: bool = False
    hint: object = None
    options: object = None  # dict value → label, or a function of the rules giving (value, label)

    def choices(self, rules: dict) -> list[tuple[str, str]]:
        if callable(self.options):
            return list(self.options(rules))
        return [(k, str(v)) for k, v in (self.options or {}).items()]


@dataclass(frozen=True)
class Kind:
    """A kind of record: where its API is, its form and how a list shows it."""

    slug: str
    path: str
    title: object
    new: object
    fields: tuple[Field, ...]
    columns: tuple[tuple[object, str], ...]
    name_field: str = "name"
    feature: str | None = None  # the tenant's directory feature it needs
    delete: str = "delete"  # delete, leave (a partner leaves), none
    has_item_route: bool = True  # GET path/<id> exists (else: found in the list)
    paged: bool = False  # the API pages the list, searched (q) and by status (stand)
    upsert: bool = False  # PUT on path saves a new and a changed record alike (no POST, PATCH)


def partner_options(tenant: str) -> list[tuple[str, str]]:
    """Every partner (all pages of 200) as a choice, after „keinem Partner zugeordnet“."""
    items, page = [], 1
    while True:
        reply = as_user(
            "GET",
            "membership",
            tenant,
            "partners",
            params={"status": "all", "page": page, "page_size": 200},
        )
        data = reply.data if reply.ok else {}
        items += data.get("items", [])
        if not data.get("items") or len(items) >= data.get("total", 0) or page >= 50:
            break
        page += 1
    return [("", str(_("keinem Partner zugeordnet")))] + [(str(p["id"]), p["name"]) for p in items]


def _network_partners(rules: dict) -> list[tuple[str, str]]:
    """The request's network's partners as choices, asked for once a request."""
    if "partners" not in g:
        g.partners = partner_options(g.tenant)
    return g.partners


def _policy_fields(rules: dict):
    return [(t, t) for t in rules.get("policy_fields") or []]


LANGUAGES_HINT = _l("Sprachcodes, durch Komma getrennt, z. B. de, ar, fa")
ADDRESS = (
    Field("street", _l("Straße und Hausnummer")),
    Field("postcode", _l("Postleitzahl"), hint=_l("fünf Ziffern")),
    Field("city", _l("Ort")),
)

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        Kind(
            "partner",
            "partners",
            _l("Partner"),
            _l("Neuer Partner"),
            (
                Field("name", _l("Name"), required=True),
                Field("kind", _l("Art"), "select", True, options=labels.PARTNER_KINDS),
                *ADDRESS,
                Field("website", _l("Website"), "url", hint=_l("mit https://")),
                Field("email", _l("E-Mail-Adresse"), "email"),
                Field("phone", _l("Telefon"), "tel"),
                Field("topics", _l("Handlungsfelder"), "checks", options=_policy_fields),
                Field("languages", _l("Sprachen"), "list", hint=LANGUAGES_HINT),
                Field("since", _l("Partner seit"), "date"),
                Field("public", _l("Im öffentlichen Verzeichnis zeigen"), "bool"),
                Field("shared", _l("Mit anderen Netzwerken teilen"), "bool"),
            ),
            ((_l("Art"), "kind_label"), (_l("Ort"), "city"), (_l("Stand"), "status_label")),
            delete="leave",
            paged=True,
        ),
        Kind(
            "kontakte",
            "contacts",
            _l("Ansprechpartner"),
            _l("Neuer Ansprechpartner"),
            (
                Field("name", _l("Name"), required=True),
                Field("role", _l("Funktion")),
                Field("partner_id", _l("Partner"), "select", options=_network_partners),
                Field("email", _l("E-Mail-Adresse"), "email"),
                Field("phone", _l("Telefon"), "tel"),
                Field("languages", _l("Sprachen"), "list", hint=LANGUAGES_HINT),
                Field(
                    "responsibilities",
                    _l("Zuständigkeiten"),
                    "list",
                    hint=_l("durch Komma getrennt"),
                ),
                Field(
                    "legal_basis",
                    _l("Rechtsgrundlage (DSGVO Art. 6)"),
                    "select",
                    True,
                    options=labels.LEGAL_BASES,
                ),
                Field(
                    "consent_at",
                    _l("Einwilligung erteilt am"),
                    "moment",
                    hint=_l("Pflicht, wenn die Rechtsgrundlage die Einwilligung ist"),
                ),
                Field("public", _l("Öffentlich zeigen"), "bool"),
                Field("shared", _l("Mit anderen Netzwerken teilen"), "bool"),
            ),
            ((_l("Funktion"), "role"), (_l("Rechtsgrundlage"), "legal_basis_label")),
        ),
        Kind(
            "aerzte",
            "doctors",
            _l("Ärzte"),
            _l("Neuer Arzt"),
            (
                Field("name", _l("Name"), required=True),
                Field("specialty", _l("Fachrichtung"), required=True),
                *ADDRESS,
                Field("phone", _l("Telefon"), "tel"),
                Field("languages", _l("Sprachen"), "list", True, hint=LANGUAGES_HINT),
                Field("last_verified", _l("Zuletzt geprüft am"), "date", True),
            ),
            ((_l("Fachrichtung"), "specialty"), (_l("Sprachen"), "languages_label")),
            feature="doctors",
            has_item_route=False,
        ),
        Kind(
            "angebote",
            "offers",
            _l("Angebote"),
            _l("Neues Angebot"),
            (
                Field("title", _l("Titel"), required=True),
                Field("kind", _l("Art"), "select", True, options=labels.OFFER_KINDS),
                Field("provider", _l("Anbieter"), required=True),
                Field("target_groups", _l("Zielgruppen"), "list", hint=_l("durch Komma getrennt")),
                Field("languages", _l("Sprachen"), "list", hint=LANGUAGES_HINT),
                Field("place", _l("Ort")),
                Field("contact", _l("Kontakt")),
                Field("description", _l("Beschreibung"), "textarea"),
            ),
            ((_l("Art"), "kind_label"), (_l("Anbieter"), "provider")),
            name_field="title",
            feature="offers",
            has_item_route=False,
        ),
        Kind(
            "zustaendigkeiten",
            "responsibilities",
            _l("Zuständigkeiten"),
            _l("Neue Zuständigkeit"),
            (
                Field("actor", _l("Akteur"), required=True),
                Field("topic", _l("Thema"), required=True),
                Field("responsibility", _l("Zuständigkeit"), "textarea", True),
                Field("contact_name", _l("Ansprechperson")),
                Field("contact_email", _l("E-Mail-Adresse der Ansprechperson"), "email"),
                Field("contact_phone", _l("Telefon der Ansprechperson"), "tel"),
            ),
            ((_l("Thema"), "topic"), (_l("Zuständigkeit"), "responsibility")),
            name_field="actor",
            feature="responsibility_matrix",
            delete="none",
            has_item_route=False,
            upsert=True,
        ),
    )
}


def kind_for(slug: str) -> Kind:
    """The kind a URL names; 404 for none or one the network's directory does not have."""
    kind = KINDS.get(slug)
    if kind is None:
        abort(404)
    if kind.feature and not (g.rules.get("directory") or {}).get(kind.feature):
        abort(404)
    return kind
