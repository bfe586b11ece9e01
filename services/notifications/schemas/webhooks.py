"""Marshmallow schemas of the notifications API's webhook subscriptions."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_EVENT_TYPES = 100


class WebhookIn(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False)
    event_types = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        required=True,
        validate=validate.Length(min=1, max=MAX_EVENT_TYPES),
    )
    secret = fields.String(load_default=None, validate=validate.Length(min=16, max=200))


class WebhookOut(Schema):
    id = fields.UUID()
    url = fields.String()
    event_types = fields.List(fields.String())
    active = fields.Boolean()
    secret = fields.String(metadata={"description": "Nur in der Antwort auf das Anlegen"})
    created_at = fields.DateTime()
