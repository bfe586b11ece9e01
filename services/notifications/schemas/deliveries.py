"""Marshmallow schemas of the notifications API's delivery log."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_PAGE, MAX_OFFSET = 1000, 1_000_000


class NotificationOut(Schema):
    id = fields.UUID()
    event_id = fields.UUID()
    event_type = fields.String()
    channel = fields.String()
    recipient = fields.String()
    recipient_name = fields.String(allow_none=True)
    template = fields.String()
    language = fields.String()
    category = fields.String()
    mandatory = fields.Boolean()
    subject = fields.String(allow_none=True)
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class NotificationQuery(Schema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(("queued", "sent", "retrying", "failed", "suppressed")),
    )
    channel = fields.String(load_default=None, validate=validate.OneOf(("email", "webhook")))
    recipient = fields.String(load_default=None, validate=validate.Length(max=320))
    event_type = fields.String(load_default=None, validate=validate.Length(max=200))
    limit = fields.Integer(
        load_default=200,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": f"höchstens so viele Zustellungen (1 bis {MAX_PAGE})"},
    )
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_OFFSET),
        metadata={"description": "so viele der neuesten überspringen"},
    )
