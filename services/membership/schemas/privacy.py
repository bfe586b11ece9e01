"""Schemas of a person's requests (DSGVO) across the services."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from knotenpunkt.shared.privacy import KINDS


class PrivacyRequestIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    email = fields.Email(load_default=None)
    person_id = fields.String(load_default=None, validate=validate.Length(min=1, max=200))

    @validates_schema
    def _person(self, data, **_):
        if data["kind"] != "record" and not (data.get("email") or data.get("person_id")):
            raise ValidationError("email or person_id is required", field_name="email")


class PrivacyRequestOut(Schema):
    id = fields.String()
    kind = fields.String()
    subject = fields.Dict(allow_none=True)
    created_at = fields.String()
    completed_at = fields.String(allow_none=True)
    answers = fields.Dict()
    pending = fields.List(fields.String())
    complete = fields.Boolean()
    federation = fields.Dict(
        metadata={
            "description": "Löschersuchen: die geteilten Einträge, die den Partnernetzwerken als "
            "gelöscht gemeldet werden, und je Partner-Knoten, ob sein Abgleich die Löschung "
            "abgerufen hat (state: „an Partnernetzwerke weitergegeben“ oder „noch nicht bestätigt“)"
        }
    )
