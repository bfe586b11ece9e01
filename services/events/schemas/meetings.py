"""Marshmallow schemas of the events API: events, agendas, topic submissions, invitations, minutes."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from knotenpunkt.services.events.domain.meetings import EVENT_KINDS
from knotenpunkt.services.events.schemas import KEY, NAME, SANE_MOMENT, PageQuery
from knotenpunkt.shared.schema import patch_of

MAX_AGENDA_ITEMS = 100
MAX_GUESTS = 500
MAX_ATTENDEES = 500
MAX_DECISIONS = 100


class EventIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    body = fields.String(load_default=None, validate=KEY)
    working_group_id = fields.UUID(load_default=None)
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    description = fields.String(load_default=None, validate=validate.Length(max=20000))
    starts_at = fields.AwareDateTime(required=True, validate=SANE_MOMENT)
    ends_at = fields.AwareDateTime(required=True, validate=SANE_MOMENT)
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
    invited = fields.Boolean(
        metadata={"description": "ob der Anfragende eingeladen ist (nur mit Anmeldung)"}
    )
    my_answer = fields.String(
        allow_none=True,
        metadata={
            "description": "die Antwort des Anfragenden auf seine Einladung (yes, no, maybe)"
        },
    )


class EventQuery(PageQuery):
    body = fields.String(load_default=None, validate=KEY)
    kind = fields.String(load_default=None, validate=validate.OneOf(EVENT_KINDS))
    invited = fields.String(
        load_default=None,
        validate=validate.OneOf(("me",)),
        metadata={"description": "me: nur die Termine, zu denen der Anfragende eingeladen ist"},
    )


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
    name = fields.String(required=True, validate=NAME)
    email = fields.Email(required=True)


class InvitationIn(Schema):
    body = fields.String(
        load_default=None, validate=KEY, metadata={"description": "alle Mitglieder dieses Gremiums"}
    )
    working_group_id = fields.UUID(
        load_default=None, metadata={"description": "alle Mitglieder dieser Arbeitsgruppe"}
    )
    all_partners = fields.Boolean(load_default=False)
    guests = fields.List(
        fields.Nested(GuestIn),
        load_default=list,
        validate=validate.Length(max=MAX_GUESTS),
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
    reachable = fields.Boolean(
        metadata={"description": "false: ohne E-Mail-Adresse, die Einladung erreicht sie nicht"}
    )


ANSWERS = ("yes", "no", "maybe")


class ReplyIn(Schema):
    answer = fields.String(required=True, validate=validate.OneOf(ANSWERS))


class LinkQuery(Schema):
    email = fields.Email(required=True)
    token = fields.String(required=True, validate=validate.Length(min=10, max=200))


class LinkReplyIn(LinkQuery):
    answer = fields.String(required=True, validate=validate.OneOf(ANSWERS))


class LinkInvitationOut(Schema):
    event = fields.Nested(EventOut)
    name = fields.String()
    answer = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)


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
