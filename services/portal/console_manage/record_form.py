"""A record between the API and its form, by its kind's fields: the words a list shows, the
form's values, and the API's body from a filled-in form."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from .. import labels, zone
from ..forms import Errors
from .kinds import Kind


def shown(kind: Kind, item: dict) -> dict:
    """A record with the words its list shows: `<field>_label` for each select of fixed
    options (kind_label, legal_basis_label), status_label and languages_label."""
    words = {
        f"{f.name}_label": labels.label(f.options, item.get(f.name))
        for f in kind.fields
        if f.kind == "select" and isinstance(f.options, dict)
    }
    return {
        **item,
        **words,
        "status_label": labels.label(labels.PARTNER_STATUS, item.get("status")),
        "languages_label": ", ".join(labels.language(c) for c in item.get("languages") or []),
    }


def form_values(kind: Kind, item: dict) -> dict:
    """A record as the form's values."""
    out: dict = {}
    for f in kind.fields:
        value = item.get(f.name)
        if f.kind == "list":
            out[f.name] = ", ".join(value or [])
        elif f.kind == "checks":
            out[f.name] = list(value or [])
        elif f.kind == "bool":
            out[f.name] = "yes" if value else ""
        elif f.kind == "moment":
            out[f.name] = zone.input_value(value)
        else:
            out[f.name] = "" if value is None else str(value)
    return out


def api_body(kind: Kind, form, errors: Errors, *, creating: bool) -> dict:
    """The API's body from the form; required fields checked here in plain words. Creating
    leaves empty fields out (the API's defaults); changing sends them as null (cleared)."""
    body: dict = {}
    for f in kind.fields:
        if f.kind == "bool":
            body[f.name] = form.get(f.name) == "yes"
            continue
        if f.kind == "checks":
            allowed = {v for v, _ in f.choices(g.rules)}
            body[f.name] = [v for v in form.getlist(f.name) if v in allowed]
            continue
        raw = form.get(f.name, "").strip()
        if f.kind == "list":
            value = [s.strip() for s in raw.replace(";", ",").split(",") if s.strip()]
            if f.name == "languages":
                value = [s.lower() for s in value]
            if f.required and not value:
                errors.add(f.name, _("Bitte geben Sie mindestens einen Eintrag an."))
            body[f.name] = value
            continue
        if not raw:
            if f.required:
                errors.add(f.name, _("Bitte füllen Sie „%(label)s“ aus.", label=f.label))
            elif not creating:
                body[f.name] = None
            continue
        if f.kind == "moment":
            try:
                raw = zone.from_input(raw)
            except ValueError:
                errors.add(f.name, _("Bitte geben Sie Datum und Uhrzeit an."))
                continue
        body[f.name] = raw
    return body
