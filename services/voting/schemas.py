"""Marshmallow schemas of the voting API."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, fields, validate

# A moment outside these years is a typing error, and would break the mails downstream.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 12, 31, tzinfo=UTC)
# English, like marshmallow's own messages: shared.i18n turns it into German (the default).
SANE_MOMENT = validate.Range(
    min=EARLIEST, max=LATEST, error="Must be no earlier than 1900 and no later than 2200."
)
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200

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
    body = fields.String(required=True, validate=validate.Length(max=100))
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    text = fields.String(load_default=None, validate=validate.Length(max=20000))
    subject = fields.Nested(SubjectIn, load_default=dict)
    deadline = fields.AwareDateTime(
        load_default=None,
        validate=SANE_MOMENT,
        metadata={
            "description": "Frist (mit Zeitzone) in der Zukunft, höchstens 3 Jahre; Standard: die Tage des Gremiums"
        },
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
    voters = fields.List(
        fields.Nested(VoterStatus),
        metadata={"description": "nur für Mitglieder des Gremiums und die Koordinierungsstelle"},
    )
    voted = fields.Integer()
    tally = fields.Dict(allow_none=True)
    outcome = fields.String(allow_none=True)
    outcome_text = fields.String(allow_none=True)
    dissent = fields.List(
        fields.Dict(),
        allow_none=True,
        metadata={
            "description": "je Gegenstimme choice, reason, person_id, name; "
            "person_id und name sind leer in geheimen Abstimmungen und für Leser außerhalb des Gremiums"
        },
    )
    origin = fields.String(
        metadata={
            "description": "manual (von Hand eröffnet), application.checked oder working_group_proposal.submitted"
        }
    )


class BallotQuery(Schema):
    status = fields.String(
        load_default=None, validate=validate.OneOf(("open", "closed", "cancelled"))
    )
    body = fields.String(load_default=None, validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class RecordOut(Schema):
    ballot_id = fields.UUID()
    valid = fields.Boolean()
    problems = fields.List(fields.String())
    entries = fields.List(
        fields.Dict(),
        metadata={
            "description": "solange offen: nur wer teilgenommen hat, ohne Wahl, Begründung und Hashes"
        },
    )
