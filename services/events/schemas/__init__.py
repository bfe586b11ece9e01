"""Marshmallow schemas of the events API, one module per aggregate: meetings, planning, consultations.

This module holds what they share: the years a date may lie in, the length of
keys and names, and the page of a list.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from marshmallow import Schema, fields, validate

# A date outside these years is a typing error (and breaks calendars and mails downstream).
SANE_MOMENT = validate.Range(
    min=datetime(1900, 1, 1, tzinfo=UTC),
    max=datetime(2200, 12, 31, tzinfo=UTC),
    error="Erlaubt ist ein Zeitpunkt zwischen 1900 und 2200.",
)
SANE_DAY = validate.Range(
    min=date(1900, 1, 1),
    max=date(2200, 12, 31),
    error="Erlaubt ist ein Datum zwischen 1900 und 2200.",
)
KEY = validate.Length(max=100)
NAME = validate.Length(max=300)
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200


class PageQuery(Schema):
    """page and page_size of a list (the total comes in the header X-Total-Count)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
