"""The schema of a tenant file (deploy/tenants/<key>.yaml): every rule a network may set, its
defaults, and the checks across rules (``shared.tenants`` loads the files with it)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from knotenpunkt.shared.tenant_public import (
    AccessibilitySchema,
    DataProtectionSchema,
    EasyLanguageSchema,
    ImprintSchema,
)

MEMBERSHIP_MODES = ("application", "open", "appointed")
DECISION_RULES = ("simple_majority", "absolute_majority", "two_thirds", "consensus", "unanimity")
CHOICES = ("yes", "no", "abstain", "agree", "stand_aside", "object")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
KEY = validate.Regexp(r"^[a-z][a-z0-9_-]*$", error="must be a lower-case key (a-z, 0-9, _ and -)")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Strict(Schema):
    """Unknown keys are mistakes, not extensions; a missing section gets its defaults."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _fill_sections(self, data, **_):
        # A Nested field's load_default is returned as is, without the nested
        # schema's own defaults; loading an empty mapping instead fills them in.
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, field in self.fields.items():
            if isinstance(field, fields.Nested) and field.load_default is dict and name not in data:
                data[name] = {}
        return data


class ContactPointSchema(Strict):
    name = fields.String(required=True)
    organisation = fields.String(load_default=None)
    department = fields.String(load_default=None)
    street = fields.String(load_default=None)
    postcode = fields.String(load_default=None)
    city = fields.String(load_default=None)
    email = fields.Email(load_default=None)
    phones = fields.List(fields.String(), load_default=list)
    opening_hours = fields.String(load_default=None)
    website = fields.Url(load_default=None)
    responsibilities = fields.List(fields.String(), load_default=list)


class MailSchema(Strict):
    """The sender of the network's mail: `From` and `Reply-To` (the contact point by default)."""

    from_name = fields.String(load_default=None, validate=validate.Length(min=1, max=120))
    from_address = fields.Email(load_default=None)
    reply_to = fields.Email(load_default=None)


class CriterionSchema(Strict):
    key = fields.String(required=True, validate=KEY)
    text = fields.String(required=True)
    # the text in other languages (ISO 639-1 code → text); a page in a language given here
    # shows it, any other shows the German text marked lang="de"
    translations = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[a-z]{2}$")),
        values=fields.String(),
        load_default=dict,
    )


class IntroductionSchema(Strict):
    enabled = fields.Boolean(load_default=False)
    lead_days = fields.Integer(load_default=21, validate=validate.Range(min=0, max=365))
    event_kind = fields.String(load_default="network_event")
    minutes = fields.Integer(load_default=10, validate=validate.Range(min=1, max=120))


class MembershipSchema(Strict):
    mode = fields.String(required=True, validate=validate.OneOf(MEMBERSHIP_MODES))
    admitting_body = fields.String(load_default=None)
    decision_days = fields.Integer(load_default=None, validate=validate.Range(min=1, max=365))
    criteria = fields.List(fields.Nested(CriterionSchema), load_default=list)
    checked_by = fields.String(load_default="coordinator")
    check = fields.List(
        fields.String(validate=validate.OneOf(("complete", "plausible"))), load_default=list
    )
    inform_applicant = fields.String(
        load_default="after_deadline", validate=validate.OneOf(("after_deadline", "at_close"))
    )
    introduction = fields.Nested(IntroductionSchema, load_default=dict)
    refusal = fields.String(load_default=None)
    confirm_applicant_email = fields.Boolean(
        load_default=False,
        metadata={
            "description": "an anonymous application waits (status unconfirmed, nothing else "
            "sent) until the applicant follows the one confirmation mail to the address given"
        },
    )
    unconfirmed_days = fields.Integer(
        load_default=7,
        validate=validate.Range(min=1, max=90),
        metadata={"description": "unconfirmed applications are deleted after this many days"},
    )

    @validates_schema
    def _mode_needs(self, data, **_):
        if data["mode"] == "application":
            missing = [k for k in ("admitting_body", "decision_days") if data.get(k) is None]
            if missing:
                raise ValidationError(
                    "is required when mode is 'application'", field_name=missing[0]
                )


class WindowSchema(Strict):
    start = fields.String(required=True)
    end = fields.String(required=True)

    @validates_schema
    def _window(self, data, **_):
        for k in ("start", "end"):
            if not HHMM.match(data[k]):
                raise ValidationError("must be a time of day as HH:MM", field_name=k)
        if data["start"] >= data["end"]:
            raise ValidationError("must be later than start", field_name="end")


class CadenceSchema(Strict):
    every_months = fields.Integer(required=True, validate=validate.Range(min=1, max=60))
    at_least = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100))
    planned_by = fields.String(load_default=None)
    # the cadence report says "due" this many days before the next meeting is late
    due_within_days = fields.Integer(load_default=30, validate=validate.Range(min=1, max=365))


class MeetingSchema(Strict):
    cadence = fields.Nested(CadenceSchema, load_default=None)
    weekdays = fields.List(fields.String(validate=validate.OneOf(WEEKDAYS)), load_default=list)
    window = fields.Nested(WindowSchema, load_default=None)
    max_minutes = fields.Integer(load_default=None, validate=validate.Range(min=5, max=24 * 60))
    blackout_dates = fields.List(fields.Date(), load_default=list)
    avoid = fields.List(fields.String(), load_default=list)
    extra_meetings_allowed = fields.Boolean(load_default=True)
    convened_by = fields.String(load_default="coordinator")
    guests_allowed = fields.Boolean(load_default=True)


class BodySchema(Strict):
    key = fields.String(required=True, validate=KEY)
    name = fields.String(required=True)
    description = fields.String(load_default=None)
    decision_rule = fields.String(required=True, validate=validate.OneOf(DECISION_RULES))
    quorum = fields.Float(load_default=0.0, validate=validate.Range(min=0.0, max=1.0))
    binding = fields.Boolean(load_default=True)
    outcome_to = fields.String(load_default=None)
    reasons_required_for = fields.List(
        fields.String(validate=validate.OneOf(CHOICES)), load_default=list
    )
    reasons_shared_with = fields.String(load_default="body")
    secret = fields.Boolean(load_default=False)
    close_when_all_voted = fields.Boolean(load_default=True)
    ballot_days = fields.Integer(
        load_default=14,
        validate=validate.Range(min=1, max=365),
        metadata={
            "description": "default voting period of a ballot opened by hand or by a proposal"
        },
    )
    decides_for_network = fields.Boolean(load_default=False)
    members_appointed = fields.Boolean(load_default=False)
    composition = fields.List(fields.String(), load_default=list)
    meeting = fields.Nested(MeetingSchema, load_default=dict)

    @validates_schema
    def _choices_fit_rule(self, data, **_):
        consensus = data["decision_rule"] == "consensus"
        allowed = ("agree", "stand_aside", "object") if consensus else ("yes", "no", "abstain")
        for choice in data.get("reasons_required_for", []):
            if choice not in allowed:
                raise ValidationError(
                    f"'{choice}' is no choice under {data['decision_rule']} (choices: {', '.join(allowed)})",
                    field_name="reasons_required_for",
                )


class NetworkEventsSchema(Strict):
    name = fields.String(load_default="Netzwerkveranstaltung")
    cadence = fields.Nested(CadenceSchema, load_default=None)
    organised_by = fields.String(load_default=None)
    invitations_by = fields.String(load_default="coordinator")
    agenda_topics_from = fields.String(
        load_default="members", validate=validate.OneOf(("members", "anyone", "coordinator"))
    )


class DirectorySchema(Strict):
    publication_months = fields.Integer(load_default=None, validate=validate.Range(min=1, max=60))
    mark_new_partners = fields.Boolean(load_default=False)
    # the first overview (no previous one) marks as new who was admitted this many months back
    # (default: the publication interval, else 6)
    new_within_months = fields.Integer(load_default=None, validate=validate.Range(min=1, max=60))
    doctors = fields.Boolean(load_default=False)
    offers = fields.Boolean(load_default=False)
    responsibility_matrix = fields.Boolean(load_default=False)
    welcome_packages = fields.Boolean(load_default=False)
    doctors_verify_months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=60))


class WorkingGroupRuleSchema(Strict):
    name = fields.String(required=True)
    topic = fields.String(load_default=None)


class WorkingGroupsSchema(Strict):
    founding = fields.String(
        load_default="coordinator", validate=validate.OneOf(("body", "coordinator", "anyone"))
    )
    founding_body = fields.String(load_default=None)
    proposals_by = fields.String(
        load_default="partners", validate=validate.OneOf(("partners", "anyone", "coordinator"))
    )
    open_to = fields.String(
        load_default="partners", validate=validate.OneOf(("partners", "registered", "anyone"))
    )
    temporary = fields.Boolean(load_default=False)
    smart_goals = fields.Boolean(load_default=False)
    working_paper = fields.Boolean(load_default=False)
    report_results = fields.Boolean(load_default=False)
    leaders_join_body = fields.String(load_default=None)
    existing = fields.List(fields.Nested(WorkingGroupRuleSchema), load_default=list)

    @validates_schema
    def _body_founding(self, data, **_):
        if data["founding"] == "body" and not data.get("founding_body"):
            raise ValidationError("is required when founding is 'body'", field_name="founding_body")


class ConsultationSchema(Strict):
    key = fields.String(required=True, validate=KEY)
    title = fields.String(required=True)
    opens = fields.Date(required=True)
    closes = fields.Date(required=True)
    anonymous = fields.Boolean(load_default=True)

    @validates_schema
    def _window(self, data, **_):
        if data["closes"] < data["opens"]:
            raise ValidationError("must not be before opens", field_name="closes")


class MonitoringSchema(Strict):
    enabled = fields.Boolean(load_default=False)
    basis = fields.String(load_default=None)
    reported_to = fields.String(load_default=None)


def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"'{name}' is not an IANA time zone (e.g. Europe/Berlin)") from exc
    return True


class WebhooksSchema(Strict):
    allowed_internal_hosts = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "hosts on internal addresses that webhooks may call"},
    )


class LegislativeTermSchema(Strict):
    """A legislative term (OParl LegislativeTerm): e.g. the period a body was constituted for."""

    key = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,62}$"),
        metadata={"description": "the term's key in its OParl id (a-z, 0-9, -)"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    start_date = fields.Date(load_default=None)
    end_date = fields.Date(load_default=None)

    @validates_schema
    def _ordered(self, data, **kwargs):
        if (
            data.get("start_date")
            and data.get("end_date")
            and data["end_date"] < data["start_date"]
        ):
            raise ValidationError("ends before it starts", "end_date")


class OparlSchema(Strict):
    """The OParl 1.1 read API (/oparl/v1/<tenant>/): licence of the data, who appears, page size."""

    license = fields.Url(
        load_default=None,
        metadata={
            "description": "URL of the licence of the published data (none: no licence named)"
        },
    )
    ags = fields.String(
        load_default=None,
        metadata={"description": "Amtlicher Gemeindeschlüssel of the network's area"},
    )
    persons = fields.String(
        load_default="public_contacts",
        validate=validate.OneOf(("public_contacts", "none")),
        metadata={
            "description": "public_contacts: a body member whose e-mail address belongs to a contact "
            "marked public (names only); none: no persons at all"
        },
    )
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    legislative_terms = fields.List(
        fields.Nested(LegislativeTermSchema),
        load_default=list,
        metadata={
            "description": "the network's legislative terms (OParl LegislativeTerm); none: one "
            "open term, 'Laufende Arbeitsperiode'"
        },
    )


class PrivacySchema(Strict):
    """Retention (Art. 5 Abs. 1 lit. e DSGVO): how long what is no longer needed is kept."""

    applications_months = fields.Integer(
        load_default=6,
        validate=validate.Range(min=1, max=120),
        metadata={"description": "rejected or withdrawn applications, after their last change"},
    )
    delivery_log_days = fields.Integer(
        load_default=90,
        validate=validate.Range(min=1, max=3650),
        metadata={"description": "sent, failed or suppressed deliveries, after they were created"},
    )
    idea_author_days = fields.Integer(
        load_default=30,
        validate=validate.Range(min=0, max=3650),
        metadata={"description": "ideas' author data, after the consultation closes"},
    )
    former_member_months = fields.Integer(
        load_default=12,
        validate=validate.Range(min=1, max=120),
        metadata={"description": "contact data of partners that left, after they left"},
    )


class TenantSchema(Strict):
    key = fields.String(required=True, validate=KEY)
    name = fields.String(required=True)
    short_name = fields.String(load_default=None)
    kind = fields.String(load_default="network")
    language = fields.String(load_default="de", validate=validate.OneOf(("de", "en")))
    timezone = fields.String(load_default="Europe/Berlin", validate=lambda v: _zone_ok(v))
    description = fields.String(load_default=None)
    sources = fields.List(fields.String(), load_default=list)
    contact_point = fields.Nested(ContactPointSchema, required=True)
    mail = fields.Nested(MailSchema, load_default=dict)
    membership = fields.Nested(MembershipSchema, required=True)
    bodies = fields.List(fields.Nested(BodySchema), load_default=list)
    network_events = fields.Nested(NetworkEventsSchema, load_default=dict)
    directory = fields.Nested(DirectorySchema, load_default=dict)
    working_groups = fields.Nested(WorkingGroupsSchema, load_default=dict)
    policy_fields = fields.List(fields.String(), load_default=list)
    target_groups = fields.List(fields.String(), load_default=list)
    consultations = fields.List(fields.Nested(ConsultationSchema), load_default=list)
    monitoring = fields.Nested(MonitoringSchema, load_default=dict)
    sharing = fields.Boolean(load_default=True)
    webhooks = fields.Nested(WebhooksSchema, load_default=dict)
    privacy = fields.Nested(PrivacySchema, load_default=dict)
    oparl = fields.Nested(OparlSchema, load_default=dict)
    imprint = fields.Nested(ImprintSchema, required=True)
    data_protection = fields.Nested(DataProtectionSchema, required=True)
    accessibility = fields.Nested(AccessibilitySchema, required=True)
    easy_language = fields.Nested(EasyLanguageSchema, load_default=dict)


def defaults_from_other_rules(data: dict) -> None:
    """Defaults that follow from other rules of the same file."""
    directory = data["directory"]
    if directory.get("new_within_months") is None:
        directory["new_within_months"] = directory.get("publication_months") or 6


def cross_checks(data: dict) -> list[tuple[str, str]]:
    """Rules that span sections: every body named anywhere must exist, keys unique."""
    problems = []
    keys = [b["key"] for b in data["bodies"]]
    for i, key in enumerate(keys):
        if keys.index(key) != i:
            problems.append((f"bodies.{i}.key", f"'{key}' is used by two bodies"))
    known = ", ".join(keys) or "none"
    refs = [
        ("membership.admitting_body", data["membership"].get("admitting_body")),
        ("working_groups.founding_body", data["working_groups"].get("founding_body")),
        ("working_groups.leaders_join_body", data["working_groups"].get("leaders_join_body")),
    ]
    for path, ref in refs:
        if ref and ref not in keys:
            problems.append((path, f"names no body of this network: '{ref}' (bodies: {known})"))
    return problems


def problems_of(messages, prefix="") -> list[tuple[str, str]]:
    """marshmallow's messages as (field path, problem) pairs, for one error line per problem."""
    out = []
    if isinstance(messages, dict):
        for k, v in messages.items():
            path = f"{prefix}.{k}" if prefix and k != "_schema" else (prefix or str(k))
            out.extend(problems_of(v, path))
    elif isinstance(messages, list):
        for m in messages:
            if isinstance(m, (dict, list)):
                out.extend(problems_of(m, prefix))
            else:
                out.append((prefix, _phrase(str(m))))
    else:
        out.append((prefix, _phrase(str(messages))))
    return out


def _phrase(msg: str) -> str:
    return "unknown key" if msg == "Unknown field." else msg.rstrip(".")
