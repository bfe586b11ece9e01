"""The query of an OParl list: page, elementsPerPage and the filters of OParl 1.1 (Objektlisten)."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from knotenpunkt.services.membership.schemas.common import MAX_PAGE, PLAUSIBLE_MOMENT


def _moment(description: str) -> fields.AwareDateTime:
    # A moment without offset is read as UTC: a '+' in a query string arrives as a space.
    return fields.AwareDateTime(
        load_default=None,
        default_timezone=UTC,
        validate=PLAUSIBLE_MOMENT,
        metadata={"description": description},
    )


class OparlListQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    elements_per_page = fields.Integer(
        data_key="elementsPerPage",
        load_default=None,
        validate=validate.Range(min=1, max=500),
        metadata={"description": "Objekte je Listenseite (sonst die Voreinstellung des Netzwerks)"},
    )
    created_since = _moment("nur Objekte, die ab diesem Zeitpunkt angelegt wurden")
    created_until = _moment("nur Objekte, die bis zu diesem Zeitpunkt angelegt wurden")
    modified_since = _moment("nur Objekte, die ab diesem Zeitpunkt geändert wurden")
    modified_until = _moment("nur Objekte, die bis zu diesem Zeitpunkt geändert wurden")
    omit_internal = fields.Boolean(
        load_default=False, metadata={"description": "eingebettete Objekte weglassen"}
    )
