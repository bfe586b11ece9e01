"""Schemas of applications (Beitrittserklärung) and their check."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from knotenpunkt.services.membership.domain.applications import APPLICATION_STATES
from knotenpunkt.services.membership.domain.partners import PARTNER_KINDS
from knotenpunkt.services.membership.schemas.common import PageOut
from knotenpunkt.services.membership.schemas.partners import OrganisationFields
from knotenpunkt.shared.schema import PageQuery, patch_of


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
        validate=validate.Length(max=50),
        metadata={
            "description": 'Bestätigung jedes Aufnahmekriteriums des Netzwerks, z. B. {"migrant_interests": true}'
        },
    )
    motivation = fields.String(load_default=None, validate=validate.Length(max=5000))


class ApplicationPatch(Schema):
    organisation = fields.Nested(patch_of(OrganisationIn, "OrganisationPatch"))
    contact = fields.Nested(patch_of(ApplicantIn, "ApplicantPatch"))
    statements = fields.Dict(
        keys=fields.String(), values=fields.Boolean(), validate=validate.Length(max=50)
    )
    motivation = fields.String(validate=validate.Length(max=5000))


class ApplicationQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(APPLICATION_STATES))


class TokenQuery(Schema):
    token = fields.String(
        load_default=None, metadata={"description": "Status-Token aus der Antwort auf den Antrag"}
    )


class ConfirmationQuery(Schema):
    token = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "Token aus dem Link der Bestätigungsmail"},
    )


class ConfirmationOut(Schema):
    id = fields.UUID()
    status = fields.String()
    detail = fields.String()


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
    informed_after = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "Nur für den Antragsteller, während abgestimmt wird: der Zeitpunkt, nach dem"
            " das Netzwerk das Ergebnis mitteilt (inform_applicant after_deadline), sonst null."
        },
    )
    token = fields.String(
        metadata={
            "description": "Nur in der Antwort auf den Antrag: damit verfolgt der Antragsteller den Status."
        }
    )


class ApplicationPage(PageOut):
    items = fields.List(fields.Nested(ApplicationOut))
