"""Marshmallow schemas of the events API: consultations and ideas."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from knotenpunkt.services.events.schemas import NAME, PageQuery
from knotenpunkt.shared.schema import SANE_DAY

MAX_TOPICS = 50


class ConsultationIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    opens = fields.Date(required=True, validate=SANE_DAY)
    closes = fields.Date(required=True, validate=SANE_DAY)
    topics = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=None,
        validate=validate.Length(max=MAX_TOPICS),
        metadata={"description": "Standard: die Handlungsfelder des Netzwerks"},
    )
    anonymous = fields.Boolean(load_default=True)

    @validates_schema
    def _window(self, data, **_):
        if data["closes"] < data["opens"]:
            raise ValidationError("must not be before opens", field_name="closes")


class ConsultationOut(Schema):
    id = fields.UUID()
    title = fields.String()
    opens = fields.Date()
    closes = fields.Date()
    topics = fields.List(fields.String())
    anonymous = fields.Boolean()


class IdeaIn(Schema):
    topic = fields.String(required=True, validate=NAME)
    text = fields.String(required=True, validate=validate.Length(min=3, max=5000))
    author = fields.String(load_default=None, validate=validate.Length(max=200))


class IdeaOut(Schema):
    id = fields.UUID()
    topic = fields.String()
    text = fields.String()
    author = fields.String(allow_none=True)
    status = fields.String()
    hidden_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ModerationIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("published", "hidden")))
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class IdeaQuery(PageQuery):
    pass
