"""Marshmallow schemas of the network's list of topic submissions (across its events; the
submissions of one event are in meetings)."""

from __future__ import annotations

from marshmallow import fields, validate

from knotenpunkt.services.events.schemas import PageQuery
from knotenpunkt.services.events.schemas.meetings import SubmissionOut

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
