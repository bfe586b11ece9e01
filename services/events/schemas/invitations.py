"""Marshmallow schemas of invitations: whom to invite, the invitees, their answers (signed in or
with the reply link of the invitation mail)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from knotenpunkt.services.events.schemas import KEY, NAME
from knotenpunkt.services.events.schemas.meetings import EventOut

MAX_GUESTS = 500


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


class SheetQuery(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))
