"""Marshmallow schemas of the notifications API's preferences and the links of a mail
(unsubscribe, withdraw the consent)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

CATEGORIES = ("applications", "decisions", "ballots", "coordination", "events")


class ToldOut(Schema):
    """What a link's POST (unsubscribe, withdraw consent) tells the person, as JSON."""

    detail = fields.String(required=True)


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
