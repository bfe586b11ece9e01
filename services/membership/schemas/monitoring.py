"""Schemas of the integration monitoring's measures."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from knotenpunkt.services.membership.schemas.common import Figure, FiniteFloat
from knotenpunkt.shared.schema import patch_of


class MeasureIn(Schema):
    policy_field = fields.String(required=True, validate=validate.Length(max=300))
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    responsible = fields.String(load_default=None, validate=validate.Length(max=300))
    indicator = fields.String(required=True, validate=validate.Length(min=3, max=300))
    unit = fields.String(load_default=None, validate=validate.Length(max=50))
    baseline = Figure(load_default=None)
    target = Figure(load_default=None)
    current_value = Figure(load_default=None)
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
    baseline = FiniteFloat(allow_none=True)
    target = FiniteFloat(allow_none=True)
    current_value = FiniteFloat(allow_none=True)
    status = fields.String()
    updated_at = fields.DateTime()
