"""What every membership schema uses: bounded dates, lists and numbers, a page's figures (the
page query is shared.schema's)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from marshmallow import Schema, ValidationError, fields, validate

# Dates of the networks' business: partnerships, goals, checks, consents. Year 1 or 9999
# is a typing error, and arithmetic on it (months added, time zones) leaves the calendar.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
PLAUSIBLE_DATE = validate.Range(min=FIRST_DAY, max=LAST_DAY)
PLAUSIBLE_MOMENT = validate.Range(
    min=datetime(1900, 1, 1, tzinfo=UTC), max=datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)
)
# Figures of the monitoring: counts, euros, shares — never beyond a trillion.
FIGURE_LIMIT = 10**12


def Day(**kwargs) -> fields.Date:  # noqa: N802 (a field factory reads like a field class)
    """A date between 1900 and 2199."""
    return fields.Date(validate=PLAUSIBLE_DATE, **kwargs)


def Moment(**kwargs) -> fields.AwareDateTime:  # noqa: N802
    """A moment with time zone between 1900 and 2199."""
    return fields.AwareDateTime(validate=PLAUSIBLE_MOMENT, **kwargs)


def _plausible_figure(value) -> None:
    # Not validate.Range: the OpenAPI document would carry its bounds as Decimals (strings).
    if abs(value) > FIGURE_LIMIT:
        raise ValidationError(
            f"Muss zwischen -{FIGURE_LIMIT:_} und {FIGURE_LIMIT:_} liegen.".replace("_", ".")
        )


def Figure(**kwargs) -> fields.Decimal:  # noqa: N802
    """A figure of the monitoring (finite, at most a trillion either way)."""
    return fields.Decimal(
        as_string=False,
        validate=_plausible_figure,
        metadata={"minimum": -FIGURE_LIMIT, "maximum": FIGURE_LIMIT},
        **kwargs,
    )


def Texts(  # noqa: N802
    max_items: int, max_length: int, *, min_items: int = 0, min_length: int = 1, **kwargs
) -> fields.List:
    """A list of min_items to max_items texts of min_length to max_length characters."""
    return fields.List(
        fields.String(validate=validate.Length(min=min_length, max=max_length)),
        validate=validate.Length(min=min_items, max=max_items),
        **kwargs,
    )


class PageOut(Schema):
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class FiniteFloat(fields.Float):
    """A number out; a value beyond a float's range (stored before the bounds) leaves as null."""

    def _serialize(self, value, attr, obj, **kwargs):
        out = super()._serialize(value, attr, obj, **kwargs)
        return out if out is None or abs(out) != float("inf") and out == out else None
