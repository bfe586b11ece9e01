"""Schemas of partner overviews, the shared directory, doctors, offers and the matrix."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from knotenpunkt.services.membership.schemas.common import Day, Texts
from knotenpunkt.services.membership.schemas.partners import POSTCODE
from knotenpunkt.shared.schema import patch_of


class PublicationSummary(Schema):
    id = fields.UUID()
    published_at = fields.DateTime()
    previous_at = fields.DateTime(allow_none=True)
    trigger = fields.String()
    partners = fields.Integer()
    new = fields.Integer()


class PublicationOut(PublicationSummary):
    entries = fields.List(fields.Dict())


class DoctorIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    specialty = fields.String(required=True, validate=validate.Length(min=2, max=200))
    street = fields.String(load_default=None, validate=validate.Length(max=200))
    postcode = fields.String(load_default=None, validate=POSTCODE)
    city = fields.String(load_default=None, validate=validate.Length(max=100))
    phone = fields.String(load_default=None, validate=validate.Length(max=50))
    languages = Texts(50, 35, min_items=1, min_length=2, required=True)
    last_verified = Day(required=True)


class DoctorPatch(patch_of(DoctorIn, "DoctorPatchFields")):
    pass


class DoctorOut(Schema):
    id = fields.UUID()
    name = fields.String()
    specialty = fields.String()
    street = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    last_verified = fields.Date()
    verification_overdue = fields.Boolean()


class DoctorQuery(Schema):
    language = fields.String(load_default=None, validate=validate.Length(max=35))
    specialty = fields.String(load_default=None, validate=validate.Length(max=200))


class OfferIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            (
                "language_course",
                "counselling",
                "education",
                "work",
                "health",
                "housing",
                "leisure",
                "welcome_package",
                "other",
            )
        ),
    )
    provider = fields.String(required=True, validate=validate.Length(min=2, max=300))
    target_groups = Texts(50, 200, load_default=list)
    languages = Texts(50, 35, min_length=2, load_default=list)
    place = fields.String(load_default=None, validate=validate.Length(max=300))
    contact = fields.String(load_default=None, validate=validate.Length(max=300))
    description = fields.String(load_default=None, validate=validate.Length(max=5000))


class OfferPatch(patch_of(OfferIn, "OfferPatchFields")):
    pass


class OfferOut(Schema):
    id = fields.UUID()
    title = fields.String()
    kind = fields.String()
    provider = fields.String()
    target_groups = fields.List(fields.String())
    languages = fields.List(fields.String())
    place = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class OfferQuery(Schema):
    language = fields.String(load_default=None, validate=validate.Length(max=35))
    target_group = fields.String(load_default=None, validate=validate.Length(max=200))
    kind = fields.String(load_default=None, validate=validate.Length(max=50))


class ResponsibilityIn(Schema):
    actor = fields.String(required=True, validate=validate.Length(min=2, max=200))
    topic = fields.String(required=True, validate=validate.Length(min=2, max=200))
    responsibility = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    contact_name = fields.String(load_default=None, validate=validate.Length(max=200))
    contact_email = fields.Email(load_default=None)
    contact_phone = fields.String(load_default=None, validate=validate.Length(max=50))


class ResponsibilityOut(ResponsibilityIn):
    id = fields.UUID()


class MatrixOut(Schema):
    actors = fields.List(fields.String())
    topics = fields.List(fields.String())
    cells = fields.List(fields.Nested(ResponsibilityOut))


class SharedOut(Schema):
    network = fields.String()
    network_name = fields.String()
    partners = fields.List(fields.Dict())
    contacts = fields.List(fields.Dict())
