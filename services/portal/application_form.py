"""The application (Beitrittserklärung) between its form and the membership API: the form's
fields in order, the API's ApplicationIn from a filled-in form, an application as the form's
values (the correction form)."""

from __future__ import annotations

from flask_babel import gettext as _

from .forms import Errors

ORG_FIELDS = ("name", "kind", "street", "postcode", "city", "website", "email", "phone")
CONTACT_FIELDS = ("name", "email", "phone", "role")


def application_order(rules: dict) -> list[str]:
    crit = [f"statements.{c['key']}" for c in rules["membership"].get("criteria", [])]
    return (
        [f"organisation.{f}" for f in ORG_FIELDS]
        + ["organisation.topics", "organisation.languages"]
        + [f"contact.{f}" for f in CONTACT_FIELDS]
        + crit
        + ["motivation"]
    )


def application_body(form, rules: dict, errors: Errors) -> dict:
    """The API's ApplicationIn from the form; required fields checked here too, in plain words."""
    org = {f: form.get(f"organisation.{f}", "").strip() for f in ORG_FIELDS}
    contact = {f: form.get(f"contact.{f}", "").strip() for f in CONTACT_FIELDS}
    if not org["name"]:
        errors.add("organisation.name", _("Bitte geben Sie den Namen der Organisation an."))
    if not contact["name"]:
        errors.add("contact.name", _("Bitte geben Sie den Namen der Kontaktperson an."))
    if not contact["email"]:
        errors.add(
            "contact.email",
            _("Bitte geben Sie eine E-Mail-Adresse an, unter der wir Sie erreichen."),
        )
    elif "@" not in contact["email"]:
        errors.add(
            "contact.email", _("Die E-Mail-Adresse braucht ein @, zum Beispiel name@beispiel.de.")
        )
    statements = {}
    for c in rules["membership"].get("criteria", []):
        checked = form.get(f"statements.{c['key']}") == "yes"
        statements[c["key"]] = checked
        if not checked:
            errors.add(
                f"statements.{c['key']}",
                _("Bitte bestätigen Sie: %(text)s", text=c["text"]),
            )
    topics = [t for t in form.getlist("organisation.topics") if t in rules.get("policy_fields", [])]
    languages = [
        s.strip().lower()
        for s in form.get("organisation.languages", "").replace(";", ",").split(",")
        if s.strip()
    ]
    organisation = {k: v for k, v in org.items() if v}
    organisation["topics"] = topics
    organisation["languages"] = languages
    body = {
        "organisation": organisation,
        "contact": {k: v for k, v in contact.items() if v},
        "statements": statements,
    }
    motivation = form.get("motivation", "").strip()
    if motivation:
        body["motivation"] = motivation
    return body


def form_values(app: dict) -> dict:
    """An application as the form's values (for the correction form)."""
    values = {}
    for f in ORG_FIELDS:
        values[f"organisation.{f}"] = (app.get("organisation") or {}).get(f) or ""
    values["organisation.topics"] = (app.get("organisation") or {}).get("topics") or []
    values["organisation.languages"] = ", ".join(
        (app.get("organisation") or {}).get("languages") or []
    )
    for f in CONTACT_FIELDS:
        values[f"contact.{f}"] = (app.get("contact") or {}).get(f) or ""
    for k, v in (app.get("statements") or {}).items():
        values[f"statements.{k}"] = "yes" if v else ""
    values["motivation"] = app.get("motivation") or ""
    return values


class FormValues(dict):
    """Form values the templates read like a submitted form (get, getlist)."""

    @classmethod
    def of(cls, form) -> FormValues:
        """A submitted form's values: the topics (checkboxes) as a list, the rest as text."""
        return cls(
            {k: form.getlist(k) if k == "organisation.topics" else form.get(k, "") for k in form}
        )

    def getlist(self, key):
        value = self.get(key, [])
        return value if isinstance(value, list) else [value]
