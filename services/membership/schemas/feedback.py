"""Schemas of the feedback on the accessibility of the network's pages (BITV 2.0 § 7 Abs. 1)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

PAGE_LANGUAGES = ("de", "en", "ar")


class FeedbackIn(Schema):
    name = fields.String(load_default=None, validate=validate.Length(max=200))
    email = fields.Email(required=True)
    page = fields.String(load_default=None, validate=validate.Length(max=500))
    message = fields.String(required=True, validate=validate.Length(min=3, max=5000))
    language = fields.String(load_default="de", validate=validate.OneOf(PAGE_LANGUAGES))


class FeedbackOut(Schema):
    id = fields.String()
    received_at = fields.DateTime()
