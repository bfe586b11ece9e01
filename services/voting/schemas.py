"""Marshmallow schemas of the voting API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

SUBJECT_KINDS = ("admission", "resolution", "recommendation", "working_group_founding", "general")
CHOICES = ("yes", "no", "abstain", "agree", "stand_aside", "object")


class VoterOut(Schema):
    person_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.String()


class SubjectIn(Schema):
    kind = fields.String(load_default="general", validate=validate.OneOf(SUBJECT_KINDS))
    id = fields.String(load_default=None, validate=validate.Length(max=200))


class BallotIn(Schema):
    body = fields.String(required=True)
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    text = fields.String(load_default=None, validate=validate.Length(max=20000))
    subject = fields.Nested(SubjectIn, load_default=dict)
    deadline = fields.AwareDateTime(
        load_default=None, metadata={"description": "Frist (mit Zeitzone); Standard: 14 Tage"}
    )


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


class VoterStatus(Schema):
    person_id = fields.String()
    name = fields.String()
    voted = fields.Boolean()


class BallotOut(Schema):
    id = fields.UUID()
    body = fields.String()
    title = fields.String()
    text = fields.String(allow_none=True)
    subject = fields.Dict()
    decision_rule = fields.String()
    quorum = fields.Float()
    reasons_required_for = fields.List(fields.String())
    choices = fields.List(fields.String())
    secret = fields.Boolean()
    binding = fields.Boolean()
    kind = fields.String(
        metadata={"description": "resolution (Beschluss) oder recommendation (Empfehlung)"}
    )
    outcome_to = fields.String(allow_none=True)
    status = fields.String()
    opened_at = fields.DateTime()
    deadline = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    electorate_size = fields.Integer()
    voters = fields.List(fields.Nested(VoterStatus))
    voted = fields.Integer()
    tally = fields.Dict(allow_none=True)
    outcome = fields.String(allow_none=True)
    outcome_text = fields.String(allow_none=True)
    dissent = fields.List(fields.Dict(), allow_none=True)


class BallotQuery(Schema):
    status = fields.String(
        load_default=None, validate=validate.OneOf(("open", "closed", "cancelled"))
    )
    body = fields.String(load_default=None)


class RecordOut(Schema):
    ballot_id = fields.UUID()
    valid = fields.Boolean()
    problems = fields.List(fields.String())
    entries = fields.List(fields.Dict())
