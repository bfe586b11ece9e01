"""Marshmallow schemas of the voting API's electorates (the copy from membership)."""

from __future__ import annotations

from marshmallow import Schema, fields


class VoterOut(Schema):
    person_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.String()
