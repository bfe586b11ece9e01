"""Marshmallow schemas of the voting API's ballots: opening one, a ballot as read, the list's query."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from knotenpunkt.shared.schema import SANE_MOMENT, page_query

SUBJECT_KINDS = ("admission", "resolution", "recommendation", "working_group_founding", "general")


class SubjectIn(Schema):
    kind = fields.String(load_default="general", validate=validate.OneOf(SUBJECT_KINDS))
    id = fields.String(load_default=None, validate=validate.Length(max=200))


class BallotIn(Schema):
    body = fields.String(required=True, validate=validate.Length(max=100))
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    text = fields.String(load_default=None, validate=validate.Length(max=20000))
    subject = fields.Nested(SubjectIn, load_default=dict)
    secret = fields.Boolean(
        load_default=None,
        metadata={
            "description": "geheim (true) oder namentlich (false), wie es die Regeln des Gremiums "
            "sagen; ohne Angabe: nach den Regeln des Gremiums"
        },
    )
    deadline = fields.AwareDateTime(
        load_default=None,
        validate=SANE_MOMENT,
        metadata={
            "description": "Frist (mit Zeitzone) in der Zukunft, höchstens 3 Jahre; Standard: die Tage des Gremiums"
        },
    )


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
    voted = fields.Integer(
        allow_none=True,
        metadata={
            "description": "wie viele abgestimmt haben; leer für Leser außerhalb des Gremiums bei "
            "Aufnahmeanträgen, deren Ergebnis erst nach der Frist mitgeteilt wird"
        },
    )
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


class BallotQuery(page_query(50, "BallotPage")):
    status = fields.String(
        load_default=None, validate=validate.OneOf(("open", "closed", "cancelled"))
    )
    body = fields.String(load_default=None, validate=validate.Length(max=100))
