"""Schemas of partners, bodies (members) and contacts."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from knotenpunkt.services.membership.domain.partners import BODY_ROLES, PARTNER_KINDS
from knotenpunkt.services.membership.schemas.common import Day, Moment, PageOut, Texts
from knotenpunkt.shared.schema import PageQuery, patch_of

POSTCODE = validate.Regexp(r"^\d{5}$", error="must be a German postcode of five digits")


class OrganisationFields(Schema):
    """What describes an organisation, in a partner record and in a Beitrittserklärung."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    street = fields.String(load_default=None, validate=validate.Length(max=200))
    postcode = fields.String(load_default=None, validate=POSTCODE)
    city = fields.String(load_default=None, validate=validate.Length(max=100))
    website = fields.Url(load_default=None)
    email = fields.Email(load_default=None)
    phone = fields.String(load_default=None, validate=validate.Length(max=50))
    topics = Texts(50, 100, load_default=list)
    languages = Texts(50, 35, min_length=2, load_default=list)


class PartnerIn(OrganisationFields):
    kind = fields.String(required=True, validate=validate.OneOf(PARTNER_KINDS))
    since = Day(load_default=None)
    public = fields.Boolean(load_default=True)
    shared = fields.Boolean(load_default=False)


class PartnerPatch(patch_of(PartnerIn, "PartnerPatchFields")):
    status = fields.String(validate=validate.OneOf(("active", "left")))
    left_on = Day(allow_none=True)

    @validates_schema
    def _left(self, data, **_):
        if data.get("status") == "left" and not data.get("left_on"):
            raise ValidationError("is required when status is 'left'", field_name="left_on")


class PartnerOut(Schema):
    id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    street = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    topics = fields.List(fields.String())
    languages = fields.List(fields.String())
    since = fields.Date(allow_none=True)
    status = fields.String()
    left_on = fields.Date(allow_none=True)
    public = fields.Boolean()
    shared = fields.Boolean()
    warnings = fields.List(
        fields.String(),
        metadata={
            "description": "Hinweise zur Antwort auf eine Änderung (z. B. ein nicht öffentlicher "
            "Partner, den die Partnernetzwerke sehen)"
        },
    )
    admitted_at = fields.DateTime(allow_none=True)
    embargoed_until = fields.DateTime(
        allow_none=True,
        metadata={"description": "Aufnahme beschlossen, aber erst ab dann bekanntgegeben"},
    )


class PartnerQuery(PageQuery):
    q = fields.String(load_default=None, metadata={"description": "Text im Namen"})
    kind = fields.String(load_default=None, validate=validate.OneOf(PARTNER_KINDS))
    topic = fields.String(load_default=None)
    language = fields.String(load_default=None)
    status = fields.String(
        load_default="active", validate=validate.OneOf(("active", "left", "all"))
    )


class PartnerPage(PageOut):
    items = fields.List(fields.Nested(PartnerOut))


class MemberIn(Schema):
    person_id = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^[A-Za-z0-9._@-]{1,100}$", error="may hold letters, digits and . _ @ - only"
        ),
    )
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    email = fields.Email(load_default=None)
    partner_id = fields.UUID(load_default=None)
    department = fields.String(load_default=None, validate=validate.Length(max=200))
    role = fields.String(load_default="member", validate=validate.OneOf(BODY_ROLES))


class MemberOut(Schema):
    person_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    partner_id = fields.UUID(allow_none=True)
    department = fields.String(allow_none=True)
    role = fields.String()
    added_at = fields.DateTime()


class BodyOut(Schema):
    key = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    decision_rule = fields.String()
    binding = fields.Boolean()
    outcome_to = fields.String(allow_none=True)
    composition = fields.List(fields.String())
    meeting = fields.Dict()
    members = fields.List(fields.Nested(MemberOut), load_default=None)


LEGAL_BASES = ("consent", "public_task", "legitimate_interest", "contract")


class ContactIn(Schema):
    partner_id = fields.UUID(load_default=None)
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    role = fields.String(load_default=None, validate=validate.Length(max=200))
    email = fields.Email(load_default=None)
    phone = fields.String(load_default=None, validate=validate.Length(max=50))
    languages = Texts(50, 35, min_length=2, load_default=list)
    responsibilities = Texts(50, 200, load_default=list)
    legal_basis = fields.String(
        required=True,
        validate=validate.OneOf(LEGAL_BASES),
        metadata={"description": "Rechtsgrundlage der Verarbeitung (DSGVO Art. 6)"},
    )
    consent_at = Moment(load_default=None)
    public = fields.Boolean(load_default=False)
    shared = fields.Boolean(load_default=False)

    @validates_schema
    def _consent(self, data, **_):
        if data.get("legal_basis") == "consent" and not data.get("consent_at"):
            raise ValidationError(
                "is required when the legal basis is consent", field_name="consent_at"
            )


class ContactPatch(patch_of(ContactIn, "ContactPatchFields")):
    pass


class ContactOut(Schema):
    id = fields.UUID()
    partner_id = fields.UUID(allow_none=True)
    name = fields.String()
    role = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    responsibilities = fields.List(fields.String())
    legal_basis = fields.String()
    consent_at = fields.DateTime(allow_none=True)
    public = fields.Boolean()
    shared = fields.Boolean()
