"""Reads of exports: partners, contacts and the responsibility matrix as sheets (title,
header, rows), in German order (DIN 5007), with headers an import reads back."""

from __future__ import annotations

from knotenpunkt.services.membership.domain.import_fields import (
    KIND_NAMES,
    LEGAL_BASIS_NAMES,
    OFFER_KIND_NAMES,
)
from knotenpunkt.services.membership.domain.import_kind_fields import ROLE_NAMES
from knotenpunkt.services.membership.handlers import directories
from knotenpunkt.shared.collation import german_key, german_sorted
from knotenpunkt.shared.errors import NotFound
from knotenpunkt.shared.usecase import Context

PARTNER_HEADER = [
    "Name", "Art", "Straße", "PLZ", "Ort", "Website", "E-Mail", "Telefon", "Themen", "Sprachen",
    "Partner seit", "Status", "Öffentlich", "Geteilt",
]  # fmt: skip
PARTNER_COLUMNS = (
    "name kind street postcode city website email phone topics languages since status public shared"
).split()
CONTACT_HEADER = [
    "Name", "Organisation", "Funktion", "E-Mail", "Telefon", "Sprachen", "Zuständigkeiten",
    "Rechtsgrundlage", "Einwilligung am", "Öffentlich", "Geteilt",
]  # fmt: skip
LIST_HEADER = ["Akteur", "Thema", "Zuständigkeit", "Ansprechperson", "E-Mail", "Telefon"]
LIST_COLUMNS = (
    "actor",
    "topic",
    "responsibility",
    "contact_name",
    "contact_email",
    "contact_phone",
)
EXPORTS = ("partners", "contacts", "body_members", "responsibilities", "doctors", "offers")
MEMBER_HEADER = ["Gremium", "Name", "E-Mail", "Kennung", "Organisation", "Abteilung", "Rolle"]
DOCTOR_HEADER = ["Name", "Fachrichtung", "Straße", "PLZ", "Ort", "Telefon", "Sprachen"]
DOCTOR_HEADER += ["Zuletzt geprüft"]
DOCTOR_COLUMNS = "name specialty street postcode city phone languages last_verified".split()
OFFER_HEADER = ["Titel", "Art", "Anbieter", "Zielgruppen", "Sprachen", "Ort", "Kontakt"]
OFFER_HEADER += ["Beschreibung"]
OFFER_COLUMNS = "title kind provider target_groups languages place contact description".split()
STATUS = {"active": "aktiv", "left": "ausgeschieden"}


def export(conn, ctx: Context, *, what: str, layout: str = "matrix") -> list[tuple]:
    """The sheets of an export; raises NotFound (an unknown list, no matrix in this network)."""
    if what not in EXPORTS:
        raise NotFound(f"Eine Liste „{what}“ gibt es nicht; möglich: {', '.join(EXPORTS)}.")
    if what == "partners":
        return [("Partner", PARTNER_HEADER, partner_rows(conn, ctx))]
    if what == "contacts":
        return [("Ansprechpersonen", CONTACT_HEADER, contact_rows(conn, ctx))]
    if what == "body_members":
        return [("Mitglieder", MEMBER_HEADER, member_rows(conn, ctx))]
    if what == "doctors":
        found = german_sorted(directories.find_doctors(conn, ctx), key=lambda d: d["name"])
        return [("Ärzte", DOCTOR_HEADER, [[d[c] for c in DOCTOR_COLUMNS] for d in found])]
    if what == "offers":
        found = german_sorted(directories.find_offers(conn, ctx), key=lambda o: o["title"])
        rows = [
            [OFFER_KIND_NAMES.get(o[c], (o[c],))[0] if c == "kind" else o[c] for c in OFFER_COLUMNS]
            for o in found
        ]
        return [("Angebote", OFFER_HEADER, rows)]
    matrix = directories.responsibility_matrix(conn, ctx)
    sheets = [matrix_sheet(matrix["cells"]), list_sheet(matrix["cells"])]
    return sheets[::-1] if layout == "list" else sheets


def partner_rows(conn, ctx: Context) -> list[list]:
    rows = german_sorted(ctx.store.partners.all_partners(conn), key=lambda p: p["name"])
    out = []
    for p in rows:
        # a kind or status the lists do not name (written beside the API) goes out as it is
        kind = KIND_NAMES.get(p["kind"], (p["kind"],))[0]
        values = {**p, "kind": kind, "status": STATUS.get(p["status"], p["status"])}
        out.append([values[c] for c in PARTNER_COLUMNS])
    return out


def contact_rows(conn, ctx: Context) -> list[list]:
    names = {p["id"]: p["name"] for p in ctx.store.partners.all_partners(conn)}
    rows = german_sorted(ctx.store.partners.all_contacts(conn), key=lambda c: c["name"])
    return [
        [
            c["name"],
            names.get(c["partner_id"]),
            c["role"],
            c["email"],
            c["phone"],
            c["languages"],
            c["responsibilities"],
            LEGAL_BASIS_NAMES[c["legal_basis"]][0],
            c["consent_at"].astimezone(ctx.tz).date() if c["consent_at"] else None,
            c["public"],
            c["shared"],
        ]
        for c in rows
    ]


def member_rows(conn, ctx: Context) -> list[list]:
    """Every body's members, body by body as configured, each in German order."""
    names = {p["id"]: p["name"] for p in ctx.store.partners.all_partners(conn)}
    out = []
    for body in ctx.tenant.bodies:
        members = german_sorted(
            ctx.store.partners.list_members(conn, body["key"]), key=lambda m: m["name"]
        )
        for m in members:
            out.append(
                [
                    body["name"],
                    m["name"],
                    m["email"],
                    m["person_id"],
                    names.get(m["partner_id"]),
                    m["department"],
                    ROLE_NAMES[m["role"]][0],
                ]
            )
    return out


def list_sheet(cells: list[dict]) -> tuple:
    rows = sorted(cells, key=lambda c: (german_key(c["actor"]), german_key(c["topic"])))
    return ("Liste", LIST_HEADER, [[c[k] for k in LIST_COLUMNS] for c in rows])


def matrix_sheet(cells: list[dict]) -> tuple:
    """Actors as rows, topics as columns, the responsibility in the cell."""
    actors = german_sorted({c["actor"] for c in cells})
    topics = german_sorted({c["topic"] for c in cells})
    by = {(c["actor"], c["topic"]): c["responsibility"] for c in cells}
    rows = [[a, *(by.get((a, t)) for t in topics)] for a in actors]
    return ("Matrix", ["Akteur / Thema", *topics], rows)
