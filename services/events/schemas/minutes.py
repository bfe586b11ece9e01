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


HAND_OUTCOMES = ("adopted", "rejected")
DISSENT_CHOICES = ("no", "abstain", "object", "stand_aside")


class DissentIn(Schema):
    name = fields.String(required=True, validate=NAME)
    choice = fields.String(load_default="no", validate=validate.OneOf(DISSENT_CHOICES))
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class HandCountIn(Schema):
    yes = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))
    no = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))
    abstain = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))


class DecisionByHandIn(Schema):
    """A decision taken in the meeting without an electronic ballot (a show of hands)."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    outcome = fields.String(required=True, validate=validate.OneOf(HAND_OUTCOMES))
    count = fields.Nested(HandCountIn, load_default=None)
    dissent = fields.List(
        fields.Nested(DissentIn), load_default=list, validate=validate.Length(max=MAX_ATTENDEES)
    )


class MinutesIn(Schema):
    taken_by = fields.String(
        load_default=None,
        validate=NAME,
        metadata={"description": "wer das Protokoll führt (Name)"},
    )
    decisions_by_hand = fields.List(
        fields.Nested(DecisionByHandIn),
        load_default=list,
        validate=validate.Length(max=MAX_DECISIONS),
        metadata={
            "description": "Beschlüsse ohne elektronische Abstimmung, mit abweichenden Meinungen"
            " (Leitlinie 6: „Abweichende Meinungen werden protokollarisch festgehalten.“)"
        },
    )
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
    taken_by = fields.String(allow_none=True)
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    attendees = fields.List(fields.String())
    notes = fields.List(fields.Dict())
    decisions = fields.List(fields.Dict())
    published_at = fields.DateTime(allow_none=True)
