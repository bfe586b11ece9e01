"""Schemas of the integration monitoring's measures."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.schema import patch_of


class MeasureIn(Schema):
    policy_field = fields.String(required=True)
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    responsible = fields.String(load_default=None)
    indicator = fields.String(required=True, validate=validate.Length(min=3, max=300))
    unit = fields.String(load_default=None)
    baseline = fields.Decimal(load_default=None, as_string=False)
    target = fields.Decimal(load_default=None, as_string=False)
    current_value = fields.Decimal(load_default=None, as_string=False)
    status = fields.String(
        load_default="planned", validate=validate.OneOf(("planned", "running", "done", "stopped"))
    )


class MeasurePatch(patch_of(MeasureIn, "MeasurePatchFields")):
    pass


class MeasureOut(Schema):
    id = fields.UUID()
    policy_field = fields.String()
    title = fields.String()
    responsible = fields.String(allow_none=True)
    indicator = fields.String()
    unit = fields.String(allow_none=True)
    baseline = fields.Float(allow_none=True)
    target = fields.Float(allow_none=True)
    current_value = fields.Float(allow_none=True)
    status = fields.String()
    updated_at = fields.DateTime()
