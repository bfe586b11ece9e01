"""Marshmallow schemas of the voting API's votes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

CHOICES = ("yes", "no", "abstain", "agree", "stand_aside", "object")


class VoteIn(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(CHOICES))
    reason = fields.String(load_default=None, validate=validate.Length(max=5000))


class VoteOut(Schema):
    person_id = fields.String()
    choice = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    cast_at = fields.DateTime()
    changes = fields.Integer()
    secret = fields.Boolean()
    ballot_status = fields.String()
