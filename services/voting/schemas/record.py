"""Marshmallow schemas of the voting API's record of a ballot."""

from __future__ import annotations

from marshmallow import Schema, fields


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
