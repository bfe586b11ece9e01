"""Marshmallow schemas of the membership API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.membership.domain import BODY_ROLES, PARTNER_KINDS
from shared.schema import patch_of

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
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)
    languages = fields.List(
        fields.String(validate=validate.Length(min=2, max=35)), load_default=list
    )


class PartnerIn(OrganisationFields):
    kind = fields.String(required=True, validate=validate.OneOf(PARTNER_KINDS))
    since = fields.Date(load_default=None)
    public = fields.Boolean(load_default=True)
    shared = fields.Boolean(load_default=False)


class PartnerPatch(patch_of(PartnerIn, "PartnerPatchFields")):
    status = fields.String(validate=validate.OneOf(("active", "left")))
    left_on = fields.Date(allow_none=True)

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
    admitted_at = fields.DateTime(allow_none=True)


class PartnerQuery(Schema):
    q = fields.String(load_default=None, metadata={"description": "Text im Namen"})
    kind = fields.String(load_default=None, validate=validate.OneOf(PARTNER_KINDS))
    topic = fields.String(load_default=None)
    language = fields.String(load_default=None)
    status = fields.String(
        load_default="active", validate=validate.OneOf(("active", "left", "all"))
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class PartnerPage(Schema):
    items = fields.List(fields.Nested(PartnerOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


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
    languages = fields.List(
        fields.String(validate=validate.Length(min=2, max=35)), load_default=list
    )
    responsibilities = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)), load_default=list
    )
    legal_basis = fields.String(
        required=True,
        validate=validate.OneOf(LEGAL_BASES),
        metadata={"description": "Rechtsgrundlage der Verarbeitung (DSGVO Art. 6)"},
    )
    consent_at = fields.AwareDateTime(load_default=None)
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


class OrganisationIn(OrganisationFields):
    kind = fields.String(load_default="other", validate=validate.OneOf(PARTNER_KINDS))


class ApplicantIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    email = fields.Email(required=True)
    phone = fields.String(load_default=None, validate=validate.Length(max=50))
    role = fields.String(load_default=None, validate=validate.Length(max=200))
    language = fields.String(load_default="de", validate=validate.OneOf(("de", "en")))


class ApplicationIn(Schema):
    organisation = fields.Nested(OrganisationIn, required=True)
    contact = fields.Nested(ApplicantIn, required=True)
    statements = fields.Dict(
        keys=fields.String(),
        values=fields.Boolean(),
        required=True,
        metadata={
            "description": 'Bestätigung jedes Aufnahmekriteriums des Netzwerks, z. B. {"migrant_interests": true}'
        },
    )
    motivation = fields.String(load_default=None, validate=validate.Length(max=5000))


class ApplicationPatch(Schema):
    organisation = fields.Nested(patch_of(OrganisationIn, "OrganisationPatch"))
    contact = fields.Nested(patch_of(ApplicantIn, "ApplicantPatch"))
    statements = fields.Dict(keys=fields.String(), values=fields.Boolean())
    motivation = fields.String(validate=validate.Length(max=5000))


class TokenQuery(Schema):
    token = fields.String(
        load_default=None, metadata={"description": "Status-Token aus der Antwort auf den Antrag"}
    )


class CheckIn(Schema):
    complete = fields.Boolean(required=True)
    plausible = fields.Boolean(required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=5000))


class ApplicationOut(Schema):
    id = fields.UUID()
    status = fields.String()
    organisation = fields.Dict()
    contact = fields.Dict()
    statements = fields.Dict()
    motivation = fields.String(allow_none=True)
    check_note = fields.String(allow_none=True)
    decision = fields.Dict(allow_none=True)
    partner_id = fields.UUID(allow_none=True)
    history = fields.List(fields.Dict())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    token = fields.String(
        metadata={
            "description": "Nur in der Antwort auf den Antrag: damit verfolgt der Antragsteller den Status."
        }
    )


class ProposalIn(Schema):
    topic = fields.String(required=True, validate=validate.Length(min=3, max=200))
    aims = fields.String(required=True, validate=validate.Length(min=3, max=5000))
    planned_months = fields.Integer(load_default=None, validate=validate.Range(min=1, max=60))


class DecisionIn(Schema):
    approved = fields.Boolean(required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=5000))


class ProposalOut(Schema):
    id = fields.UUID()
    topic = fields.String()
    aims = fields.String()
    planned_months = fields.Integer(allow_none=True)
    proposed_by = fields.String()
    partner_id = fields.UUID(allow_none=True)
    status = fields.String()
    decided_by = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    working_group_id = fields.UUID(allow_none=True)
    created_at = fields.DateTime()


class GoalIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=3, max=1000))
    measure = fields.String(
        load_default=None, metadata={"description": "SMART: woran der Erfolg gemessen wird"}
    )
    due = fields.Date(load_default=None)


class WorkingGroupIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=3, max=200))
    topic = fields.String(load_default=None, validate=validate.Length(max=200))
    goals = fields.List(fields.Nested(GoalIn), load_default=list)
    ends_on = fields.Date(load_default=None)


class GroupMemberIn(Schema):
    person_id = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^[A-Za-z0-9._@-]{1,100}$", error="may hold letters, digits and . _ @ - only"
        ),
    )
    name = fields.String(load_default=None, validate=validate.Length(min=2, max=200))
    partner_id = fields.UUID(load_default=None)
    role = fields.String(load_default="member", validate=validate.OneOf(("leader", "member")))


class GroupMemberOut(Schema):
    person_id = fields.String()
    name = fields.String()
    partner_id = fields.UUID(allow_none=True)
    role = fields.String()
    joined_at = fields.DateTime()


class WorkingGroupOut(Schema):
    id = fields.UUID()
    name = fields.String()
    topic = fields.String(allow_none=True)
    goals = fields.List(fields.Dict())
    ends_on = fields.Date(allow_none=True)
    status = fields.String()
    proposal_id = fields.UUID(allow_none=True)
    members = fields.List(fields.Nested(GroupMemberOut))


class PaperIn(Schema):
    goals = fields.List(fields.Nested(GoalIn), load_default=list)
    measures = fields.List(fields.String(), load_default=list)
    timeline = fields.List(fields.Dict(), load_default=list)
    results = fields.String(load_default=None)


class PaperOut(Schema):
    version = fields.Integer()
    content = fields.Dict()
    changed_by = fields.String()
    changed_at = fields.DateTime()
    versions = fields.Integer()


class MeasureIn(Schema):
    policy_field = fields.String(required=True)
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    responsible = fields.String(load_default=None)
    indicator = fields.String(required=True, validate=validate.Length(min=3, max=300))
    unit = fields.String(load_default=None)
    baseline = fields.Decimal(load_default=None, as_string=False)
    target = fields.Decimal(load_default=None, as_string=False)
    current_value = fields.Decimal(load_default=None, as_string=False)
    status = fields.String(
        load_default="planned", validate=validate.OneOf(("planned", "running", "done", "stopped"))
    )


class MeasurePatch(patch_of(MeasureIn, "MeasurePatchFields")):
    pass


class MeasureOut(Schema):
    id = fields.UUID()
    policy_field = fields.String()
    title = fields.String()
    responsible = fields.String(allow_none=True)
    indicator = fields.String()
    unit = fields.String(allow_none=True)
    baseline = fields.Float(allow_none=True)
    target = fields.Float(allow_none=True)
    current_value = fields.Float(allow_none=True)
    status = fields.String()
    updated_at = fields.DateTime()


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
    street = fields.String(load_default=None)
    postcode = fields.String(
        load_default=None,
        validate=POSTCODE,
    )
    city = fields.String(load_default=None)
    phone = fields.String(load_default=None)
    languages = fields.List(
        fields.String(validate=validate.Length(min=2, max=35)),
        required=True,
        validate=validate.Length(min=1),
    )
    last_verified = fields.Date(required=True)


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
    language = fields.String(load_default=None)
    specialty = fields.String(load_default=None)


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
    provider = fields.String(required=True)
    target_groups = fields.List(fields.String(), load_default=list)
    languages = fields.List(fields.String(), load_default=list)
    place = fields.String(load_default=None)
    contact = fields.String(load_default=None)
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
    language = fields.String(load_default=None)
    target_group = fields.String(load_default=None)
    kind = fields.String(load_default=None)


class ResponsibilityIn(Schema):
    actor = fields.String(required=True, validate=validate.Length(min=2, max=200))
    topic = fields.String(required=True, validate=validate.Length(min=2, max=200))
    responsibility = fields.String(required=True, validate=validate.Length(min=2, max=2000))
    contact_name = fields.String(load_default=None)
    contact_email = fields.Email(load_default=None)
    contact_phone = fields.String(load_default=None)


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
