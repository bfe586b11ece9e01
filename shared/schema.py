"""Schema parts every service's API uses: PATCH schemas, plausible moments, paged lists."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from marshmallow import Schema, fields, missing, validate


def patch_of(schema_cls: type[Schema], name: str) -> type[Schema]:
    """A schema for PATCH: the same fields, none required, no defaults filled in.

    A plain partial load would still apply load_default values and so
    overwrite fields the caller never sent.
    """
    fields_ = {}
    for field_name, field in schema_cls._declared_fields.items():
        clone = copy.copy(field)
        clone.required = False
        clone.load_default = missing
        fields_[field_name] = clone
    return Schema.from_dict(fields_, name=name)


# A moment or day outside these years is a typing error (and breaks calendars and mails
# downstream). The message is English, like marshmallow's own: shared.i18n turns it into
# German (the default) and leaves it English for Accept-Language: en.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 12, 31, tzinfo=UTC)
_YEARS = "Must be no earlier than 1900 and no later than 2200."
SANE_MOMENT = validate.Range(min=EARLIEST, max=LATEST, error=_YEARS)
SANE_DAY = validate.Range(min=EARLIEST.date(), max=LATEST.date(), error=_YEARS)

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200
# The OpenAPI description of the header every paged list answers with.
TOTAL_HEADER = {"description": "Zahl aller Treffer", "schema": {"type": "integer"}}


def page_query(default_size: int = 20, name: str = "PageQuery") -> type[Schema]:
    """The query of a paged list: page (from 1) and page_size (default ``default_size``, at most
    MAX_PAGE_SIZE); the total comes in the header X-Total-Count (:func:`total_header`)."""
    return Schema.from_dict(
        {
            "page": fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE)),
            "page_size": fields.Integer(
                load_default=default_size, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
            ),
        },
        name=name,
    )


PageQuery = page_query()


def total_header(total: int) -> dict[str, str]:
    """The headers of a page of a list: how many match in all."""
    return {"X-Total-Count": str(total)}
