"""Marshmallow schemas of the notifications API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

CATEGORIES = ("applications", "decisions", "ballots", "coordination", "events")
MAX_PAGE, MAX_OFFSET, MAX_EVENT_TYPES = 1000, 1_000_000, 100


class ToldOut(Schema):
    """What a link's POST (unsubscribe, withdraw consent) tells the person, as JSON."""

    detail = fields.String(required=True)


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


class PreferenceIn(Schema):
    email = fields.Email(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    opted_out = fields.Boolean(load_default=False)
    language = fields.String(
        load_default=None,
        validate=validate.OneOf(("de", "en")),
        metadata={"description": "Sprache der Nachrichten dieser Kategorie"},
    )


class PreferenceOut(Schema):
    email = fields.String()
    category = fields.String()
    opted_out = fields.Boolean()
    language = fields.String(allow_none=True)
    updated_at = fields.DateTime()


class EmailQuery(Schema):
    email = fields.Email(required=True)


class UnsubscribeQuery(Schema):
    email = fields.Email(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    token = fields.String(required=True)


class WithdrawalQuery(Schema):
    email = fields.Email(required=True)
    token = fields.String(required=True, validate=validate.Length(max=200))
