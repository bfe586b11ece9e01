"""Marshmallow schemas of minutes: attendees, notes per agenda item, decisions from ballots."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from knotenpunkt.services.events.schemas import KEY, NAME
from knotenpunkt.services.events.schemas.agendas import MAX_AGENDA_ITEMS

MAX_ATTENDEES = 500


MAX_DECISIONS = 100


class NoteIn(Schema):
    item_id = fields.UUID(required=True)
    text = fields.String(required=True, validate=validate.Length(max=20000))


class MinutesIn(Schema):
    attendees = fields.List(
        fields.String(validate=NAME), load_default=list, validate=validate.Length(max=MAX_ATTENDEES)
    )
    notes = fields.List(
        fields.Nested(NoteIn), load_default=list, validate=validate.Length(max=MAX_AGENDA_ITEMS)
    )
    ballot_ids = fields.List(
        fields.String(validate=KEY),
        load_default=list,
        validate=validate.Length(max=MAX_DECISIONS),
        metadata={
            "description": "Abstimmungen, deren Ergebnis (mit abweichenden Meinungen) ins Protokoll kommt"
        },
    )


class MinutesOut(Schema):
    event_id = fields.UUID()
    status = fields.String()
    attendees = fields.List(fields.String())
    notes = fields.List(fields.Dict())
    decisions = fields.List(fields.Dict())
    published_at = fields.DateTime(allow_none=True)
