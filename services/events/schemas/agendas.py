"""Marshmallow schemas of an event's agenda: its items in their order."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from knotenpunkt.services.events.schemas import KEY, NAME

MAX_AGENDA_ITEMS = 100


class AgendaItemIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=300))
    minutes = fields.Integer(load_default=None, validate=validate.Range(min=1, max=600))
    presenter = fields.String(load_default=None, validate=NAME)
    kind = fields.String(
        load_default="topic",
        validate=validate.OneOf(("topic", "report", "introduction", "decision")),
    )
    ballot_id = fields.String(load_default=None, validate=KEY)
    partner_id = fields.String(load_default=None, validate=KEY)
    submission_id = fields.UUID(load_default=None)


class AgendaIn(Schema):
    items = fields.List(
        fields.Nested(AgendaItemIn), required=True, validate=validate.Length(max=MAX_AGENDA_ITEMS)
    )


class AgendaItemOut(AgendaItemIn):
    id = fields.UUID()
    position = fields.Integer()
