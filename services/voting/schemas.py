"""Marshmallow schemas of the voting API."""

from __future__ import annotations

from marshmallow import Schema, fields


class VoterOut(Schema):
    person_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.String()
