"""Marshmallow schemas of the events API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.events.domain import EVENT_KINDS
from shared.schema import patch_of


class EventIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    body = fields.String(load_default=None)
    working_group_id = fields.UUID(load_default=None)
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    description = fields.String(load_default=None, validate=validate.Length(max=20000))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    place = fields.String(load_default=None, validate=validate.Length(max=300))
    online_url = fields.Url(load_default=None)
    public = fields.Boolean(load_default=False)

    @validates_schema
    def _order(self, data, **_):
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError("must be after starts_at", field_name="ends_at")


class EventPatch(patch_of(EventIn, "EventPatchFields")):
    status = fields.String(validate=validate.OneOf(("planned", "invited", "held", "cancelled")))


class AgendaItemIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=300))
    minutes = fields.Integer(load_default=None, validate=validate.Range(min=1, max=600))
    presenter = fields.String(load_default=None)
    kind = fields.String(
        load_default="topic",
        validate=validate.OneOf(("topic", "report", "introduction", "decision")),
    )
    ballot_id = fields.String(load_default=None)
    partner_id = fields.String(load_default=None)
    submission_id = fields.UUID(load_default=None)


class AgendaIn(Schema):
    items = fields.List(fields.Nested(AgendaItemIn), required=True)


class AgendaItemOut(AgendaItemIn):
    id = fields.UUID()
    position = fields.Integer()


class EventOut(Schema):
    id = fields.UUID()
    kind = fields.String()
    body = fields.String(allow_none=True)
    working_group_id = fields.UUID(allow_none=True)
    title = fields.String()
    description = fields.String(allow_none=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    place = fields.String(allow_none=True)
    online_url = fields.String(allow_none=True)
    public = fields.Boolean()
    status = fields.String()
    agenda_published_at = fields.DateTime(allow_none=True)
    warnings = fields.List(fields.String())
    agenda = fields.List(fields.Nested(AgendaItemOut))


class EventQuery(Schema):
    body = fields.String(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(EVENT_KINDS))


class SubmissionIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    description = fields.String(load_default=None, validate=validate.Length(max=5000))


class SubmissionDecisionIn(Schema):
    accepted = fields.Boolean(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class SubmissionOut(Schema):
    id = fields.UUID()
    title = fields.String()
    description = fields.String(allow_none=True)
    submitted_by = fields.String()
    status = fields.String()
    reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class GuestIn(Schema):
    name = fields.String(required=True)
    email = fields.Email(required=True)


class InvitationIn(Schema):
    body = fields.String(
        load_default=None, metadata={"description": "alle Mitglieder dieses Gremiums"}
    )
    working_group_id = fields.UUID(
        load_default=None, metadata={"description": "alle Mitglieder dieser Arbeitsgruppe"}
    )
    all_partners = fields.Boolean(load_default=False)
    guests = fields.List(
        fields.Nested(GuestIn),
        load_default=list,
        metadata={"description": "z. B. Unternehmen oder Projekte, die berichten"},
    )

    @validates_schema
    def _someone(self, data, **_):
        wanted = ("body", "working_group_id", "all_partners", "guests")
        if not any(data.get(k) for k in wanted):
            raise ValidationError(
                "invite a body, a working group, all partners or named guests", field_name="_schema"
            )


class InviteeOut(Schema):
    invitee = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    via = fields.String()
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


class ReplyIn(Schema):
    answer = fields.String(required=True, validate=validate.OneOf(("yes", "no", "maybe")))


class NoteIn(Schema):
    item_id = fields.UUID(required=True)
    text = fields.String(required=True, validate=validate.Length(max=20000))


class MinutesIn(Schema):
    attendees = fields.List(fields.String(), load_default=list)
    notes = fields.List(fields.Nested(NoteIn), load_default=list)
    ballot_ids = fields.List(
        fields.String(),
        load_default=list,
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


class CadenceOut(Schema):
    rule = fields.String()
    label = fields.String()
    every_months = fields.Integer()
    last = fields.DateTime(allow_none=True)
    next = fields.DateTime(allow_none=True)
    due = fields.DateTime(allow_none=True)
    status = fields.String()


class ProposalQuery(Schema):
    body = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)

    @validates_schema
    def _range(self, data, **_):
        if data["to"] < data["from_"]:
            raise ValidationError("must not be before from", field_name="to")
        if (data["to"] - data["from_"]).days > 366:
            raise ValidationError("the range may span one year at most", field_name="to")


class SlotOut(Schema):
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    keeps_cadence = fields.Boolean()


class ConsultationIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    opens = fields.Date(required=True)
    closes = fields.Date(required=True)
    topics = fields.List(
        fields.String(),
        load_default=None,
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
    topic = fields.String(required=True)
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
    reason = fields.String(load_default=None)


class PollIn(Schema):
    body = fields.String(required=True)
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    max_options = fields.Integer(load_default=6, validate=validate.Range(min=1, max=20))

    @validates_schema
    def _range(self, data, **_):
        if data["to"] < data["from_"]:
            raise ValidationError("must not be before from", field_name="to")


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


class PollAnswerIn(Schema):
    option_id = fields.UUID(required=True)
    answer = fields.String(required=True, validate=validate.OneOf(("yes", "maybe", "no")))


class PollAnswersIn(Schema):
    answers = fields.List(
        fields.Nested(PollAnswerIn), required=True, validate=validate.Length(min=1)
    )


class PollCloseIn(Schema):
    create_event = fields.Boolean(load_default=True)
    place = fields.String(load_default=None)


class PhaseIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    kind = fields.String(
        required=True, validate=validate.OneOf(("event", "consultation", "milestone"))
    )
    event_id = fields.UUID(load_default=None)
    consultation_id = fields.UUID(load_default=None)
    starts_on = fields.Date(load_default=None)
    ends_on = fields.Date(load_default=None)

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
    description = fields.String(load_default=None)
    phases = fields.List(fields.Nested(PhaseIn), required=True, validate=validate.Length(min=1))


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
