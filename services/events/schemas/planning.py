"""Marshmallow schemas of the events API: cadence, schedule proposals, time polls, processes."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from knotenpunkt.services.events.schemas import KEY, NAME
from knotenpunkt.shared.schema import SANE_DAY

MAX_PHASES = 50
MAX_POLL_ANSWERS = 100


class CadenceOut(Schema):
    rule = fields.String()
    label = fields.String()
    every_months = fields.Integer()
    last = fields.DateTime(allow_none=True)
    next = fields.DateTime(allow_none=True)
    due = fields.DateTime(allow_none=True)
    status = fields.String()


def _one_year_at_most(data: dict) -> None:
    if data["to"] < data["from_"]:
        raise ValidationError("must not be before from", field_name="to")
    if (data["to"] - data["from_"]).days > 366:
        raise ValidationError("the range may span one year at most", field_name="to")


class ProposalQuery(Schema):
    body = fields.String(required=True, validate=KEY)
    from_ = fields.Date(required=True, data_key="from", validate=SANE_DAY)
    to = fields.Date(required=True, validate=SANE_DAY)

    @validates_schema
    def _range(self, data, **_):
        _one_year_at_most(data)


class CalendarLinkQuery(Schema):
    """The personal subscription link's part of a body calendar's address (without a token)."""

    person = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    token = fields.String(load_default=None, validate=validate.Length(min=10, max=200))


class CalendarLinkOut(Schema):
    body = fields.String()
    name = fields.String()
    person = fields.String()
    url = fields.String()
    webcal = fields.String()


class SlotOut(Schema):
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    keeps_cadence = fields.Boolean()


class PollIn(Schema):
    body = fields.String(required=True, validate=KEY)
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    from_ = fields.Date(required=True, data_key="from", validate=SANE_DAY)
    to = fields.Date(required=True, validate=SANE_DAY)
    max_options = fields.Integer(load_default=6, validate=validate.Range(min=1, max=20))

    @validates_schema
    def _range(self, data, **_):
        _one_year_at_most(data)


class PollOptionOut(Schema):
    id = fields.UUID()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    yes = fields.Integer()
    maybe = fields.Integer()
    no = fields.Integer()


class PollOut(Schema):
    id = fields.UUID()
    body = fields.String()
    title = fields.String()
    status = fields.String()
    chosen = fields.UUID(allow_none=True)
    event_id = fields.UUID(allow_none=True)
    options = fields.List(fields.Nested(PollOptionOut))
    created_at = fields.DateTime()
    respondents = fields.Integer(metadata={"description": "wie viele geantwortet haben"})
    my_answers = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "die Antworten des Anfragenden je Termin (option_id → answer)"},
    )


class PollQuery(Schema):
    body = fields.String(load_default=None, validate=KEY)
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "closed")))


class PollAnswerIn(Schema):
    option_id = fields.UUID(required=True)
    answer = fields.String(required=True, validate=validate.OneOf(("yes", "maybe", "no")))


class PollAnswersIn(Schema):
    answers = fields.List(
        fields.Nested(PollAnswerIn),
        required=True,
        validate=validate.Length(min=1, max=MAX_POLL_ANSWERS),
    )


class PollCloseIn(Schema):
    create_event = fields.Boolean(load_default=True)
    place = fields.String(load_default=None, validate=NAME)


class PhaseIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    kind = fields.String(
        required=True, validate=validate.OneOf(("event", "consultation", "milestone"))
    )
    event_id = fields.UUID(load_default=None)
    consultation_id = fields.UUID(load_default=None)
    starts_on = fields.Date(load_default=None, validate=SANE_DAY)
    ends_on = fields.Date(load_default=None, validate=SANE_DAY)

    @validates_schema
    def _link(self, data, **_):
        if data["kind"] == "event" and not data.get("event_id"):
            raise ValidationError("is required for a phase of kind event", field_name="event_id")
        if data["kind"] == "consultation" and not data.get("consultation_id"):
            raise ValidationError(
                "is required for a phase of kind consultation", field_name="consultation_id"
            )


class ProcessIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    description = fields.String(load_default=None, validate=validate.Length(max=20000))
    phases = fields.List(
        fields.Nested(PhaseIn), required=True, validate=validate.Length(min=1, max=MAX_PHASES)
    )


class PhaseOut(Schema):
    position = fields.Integer()
    title = fields.String()
    kind = fields.String()
    event_id = fields.UUID(allow_none=True)
    consultation_id = fields.UUID(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    event_status = fields.String(allow_none=True)


class ProcessOut(Schema):
    id = fields.UUID()
    title = fields.String()
    description = fields.String(allow_none=True)
    phases = fields.List(fields.Nested(PhaseOut))
    current_phase = fields.Integer(allow_none=True)
