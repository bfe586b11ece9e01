"""Marshmallow schemas of the events API, one module per aggregate: meetings, planning, consultations.

This module holds what they share: the years a date may lie in, the length of
keys and names, and the page of a list.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from marshmallow import Schema, fields, validate

# A date outside these years is a typing error (and breaks calendars and mails downstream).
# The messages are English, like marshmallow's own: shared.i18n turns them into German (the
# default) and leaves them English for Accept-Language: en.
SANE_MOMENT = validate.Range(
    min=datetime(1900, 1, 1, tzinfo=UTC),
    max=datetime(2200, 12, 31, tzinfo=UTC),
    error="Must be no earlier than 1900 and no later than 2200.",
)
SANE_DAY = validate.Range(
    min=date(1900, 1, 1),
    max=date(2200, 12, 31),
    error="Must be no earlier than 1900 and no later than 2200.",
)
KEY = validate.Length(max=100)
NAME = validate.Length(max=300)
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200


class PageQuery(Schema):
    """page and page_size of a list (the total comes in the header X-Total-Count)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
