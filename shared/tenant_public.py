"""The sections of a tenant file that a public body's website must carry (issue 25): the
Impressum (§ 5 DDG, § 18 MStV), the data protection officer and supervisory authority of the
Datenschutzerklärung (Art. 13/14 DSGVO), the Erklärung zur Barrierefreiheit (BITV 2.0 § 7) and
the Leichte Sprache / Deutsche Gebärdensprache of the home page (BITV 2.0 § 4).

``shared.tenant_schema`` nests them into the tenant file; `knotenpunkt tenants check` names a
missing field (``imprint.represented_by: Missing data for required field``)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

RTL_LANGUAGES = frozenset({"ar", "fa", "ps", "he", "ur", "ku"})


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class AuthoritySchema(_Strict):
    """An authority the pages name (supervisory, data protection, enforcement): name, address,
    and where to find it."""

    name = fields.String(required=True, validate=validate.Length(min=3))
    street = fields.String(load_default=None)
    postcode = fields.String(load_default=None)
    city = fields.String(load_default=None)
    email = fields.Email(load_default=None)
    phone = fields.String(load_default=None)
    url = fields.Url(load_default=None)


class EditorSchema(_Strict):
    """§ 18 Abs. 2 MStV: who is responsible for the content (a person's role and name, with an
    address)."""

    name = fields.String(required=True, validate=validate.Length(min=3))
    address = fields.String(required=True, validate=validate.Length(min=3))


class ImprintSchema(_Strict):
    """§ 5 DDG (Anbieterkennzeichnung), § 18 MStV: the public body that offers the site."""

    body = fields.String(required=True, validate=validate.Length(min=3))
    legal_form = fields.String(load_default=None)
    street = fields.String(required=True, validate=validate.Length(min=3))
    postcode = fields.String(
        required=True, validate=validate.Regexp(r"^\d{5}$", error="must be five digits")
    )
    city = fields.String(required=True, validate=validate.Length(min=2))
    represented_by = fields.String(required=True, validate=validate.Length(min=3))
    email = fields.Email(required=True)
    phone = fields.String(load_default=None)
    vat_id = fields.String(load_default=None)
    supervisory_authority = fields.Nested(AuthoritySchema, load_default=None)
    editor = fields.Nested(EditorSchema, required=True)


class DataProtectionSchema(_Strict):
    """Art. 13 Abs. 1 lit. a, b DSGVO: the data protection officer; Art. 77: the authority."""

    officer = fields.Nested(AuthoritySchema, required=True)
    supervisory_authority = fields.Nested(AuthoritySchema, required=True)


CONFORMITY = ("full", "partial", "none")


class AccessibilitySchema(_Strict):
    """BITV 2.0 § 7 with the EU model statement (Durchführungsbeschluss (EU) 2018/1523)."""

    conformity = fields.String(required=True, validate=validate.OneOf(CONFORMITY))
    known_issues = fields.List(fields.String(), load_default=list)
    assessed_on = fields.Date(required=True)
    method = fields.String(required=True, validate=validate.Length(min=3))
    statement_on = fields.Date(required=True)
    enforcement = fields.Nested(AuthoritySchema, required=True)


class EasyLanguageSchema(_Strict):
    """Leichte Sprache on the home page (each a list of short sentences; empty: the portal's
    own text) and the Deutsche Gebärdensprache video (shown only when a URL is given)."""

    content = fields.List(fields.String(), load_default=list)
    navigation = fields.List(fields.String(), load_default=list)
    accessibility = fields.List(fields.String(), load_default=list)
    contact = fields.List(fields.String(), load_default=list)
    sign_language_video = fields.Url(load_default=None, schemes={"https"})


def text_dir(language: str | None) -> str:
    """The writing direction of a language code: rtl for Arabic, Persian, Pashto and the like."""
    return "rtl" if (language or "")[:2] in RTL_LANGUAGES else "ltr"
