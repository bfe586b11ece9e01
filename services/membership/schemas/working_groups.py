"""Schemas of working groups, founding proposals, members and working papers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from knotenpunkt.services.membership.schemas.common import Day, Texts


class ProposalIn(Schema):
    topic = fields.String(required=True, validate=validate.Length(min=3, max=200))
    aims = fields.String(required=True, validate=validate.Length(min=3, max=5000))
    planned_months = fields.Integer(load_default=None, validate=validate.Range(min=1, max=60))


class DecisionIn(Schema):
    approved = fields.Boolean(required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=5000))


class ProposalOut(Schema):
    id = fields.UUID()
    topic = fields.String()
    aims = fields.String()
    planned_months = fields.Integer(allow_none=True)
    proposed_by = fields.String()
    partner_id = fields.UUID(allow_none=True)
    status = fields.String()
    decided_by = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    working_group_id = fields.UUID(allow_none=True)
    created_at = fields.DateTime()


class GoalIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=3, max=1000))
    measure = fields.String(
        load_default=None,
        validate=validate.Length(max=1000),
        metadata={"description": "SMART: woran der Erfolg gemessen wird"},
    )
    due = Day(load_default=None)


class WorkingGroupIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=3, max=200))
    topic = fields.String(load_default=None, validate=validate.Length(max=200))
    goals = fields.List(fields.Nested(GoalIn), load_default=list, validate=validate.Length(max=50))
    ends_on = Day(load_default=None)


class GroupMemberIn(Schema):
    person_id = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^[A-Za-z0-9._@-]{1,100}$", error="may hold letters, digits and . _ @ - only"
        ),
    )
    name = fields.String(load_default=None, validate=validate.Length(min=2, max=200))
    partner_id = fields.UUID(load_default=None)
    role = fields.String(load_default="member", validate=validate.OneOf(("leader", "member")))


class GroupMemberOut(Schema):
    person_id = fields.String()
    name = fields.String()
    partner_id = fields.UUID(allow_none=True)
    role = fields.String()
    joined_at = fields.DateTime()


class WorkingGroupOut(Schema):
    id = fields.UUID()
    name = fields.String()
    topic = fields.String(allow_none=True)
    goals = fields.List(fields.Dict())
    ends_on = fields.Date(allow_none=True)
    status = fields.String()
    proposal_id = fields.UUID(allow_none=True)
    members = fields.List(fields.Nested(GroupMemberOut))


class PaperIn(Schema):
    goals = fields.List(fields.Nested(GoalIn), load_default=list, validate=validate.Length(max=50))
    measures = Texts(100, 1000, load_default=list)
    timeline = fields.List(fields.Dict(), load_default=list, validate=validate.Length(max=100))
    results = fields.String(load_default=None, validate=validate.Length(max=20000))


class PaperOut(Schema):
    version = fields.Integer()
    content = fields.Dict()
    changed_by = fields.String()
    changed_at = fields.DateTime()
    versions = fields.Integer()
