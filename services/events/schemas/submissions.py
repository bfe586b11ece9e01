"""Marshmallow schemas of topic submissions: proposing a topic for an event's agenda, deciding
on it, and the network's list of them (across its events)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from knotenpunkt.services.events.schemas import PageQuery


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


SUBMISSION_STATUS = ("submitted", "accepted", "declined")


class SubmissionQuery(PageQuery):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(SUBMISSION_STATUS),
        metadata={"description": "submitted: die noch nicht entschiedenen"},
    )


class NetworkSubmissionOut(SubmissionOut):
    event_id = fields.UUID()
    event_title = fields.String()
    event_starts_at = fields.DateTime()
    event_status = fields.String()
