"""Marshmallow schemas of events (meetings): planning, changing, listing and showing them."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from knotenpunkt.services.events.domain.meetings import EVENT_KINDS
from knotenpunkt.services.events.schemas import KEY, PageQuery
from knotenpunkt.services.events.schemas.agendas import AgendaItemOut
from knotenpunkt.shared.schema import SANE_MOMENT, patch_of


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
