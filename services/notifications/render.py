"""Rendering the e-mail templates (Jinja2): per event type and language, overridable per tenant."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)

from knotenpunkt.shared import choices

BUILTIN = Path(__file__).parent / "templates"
RULE_DE = {
    "simple_majority": "einfache Mehrheit",
    "absolute_majority": "absolute Mehrheit",
    "two_thirds": "Zweidrittelmehrheit",
    "unanimity": "Einstimmigkeit",
    "consensus": "Konsens",
}

RULE_EN = {
    "simple_majority": "simple majority",
    "absolute_majority": "absolute majority",
    "two_thirds": "two-thirds majority",
    "unanimity": "unanimity",
    "consensus": "consensus",
}
OUTCOMES = {
    "de": {
        "adopted": "angenommen",
        "rejected": "abgelehnt",
        "no_quorum": "nicht beschlussfähig",
        "recommended": "empfohlen",
        "not_recommended": "nicht empfohlen",
        "consensus": "Konsens erreicht",
        "no_consensus": "kein Konsens",
    },
    "en": {
        "adopted": "adopted",
        "rejected": "rejected",
        "no_quorum": "no quorum",
        "recommended": "recommended",
        "not_recommended": "not recommended",
        "consensus": "consensus reached",
        "no_consensus": "no consensus",
    },
}
QUOTES = {"de": ("„", "“"), "en": ('"', '"')}


def choice_words(values, language: str = "de") -> list[str]:
    """Ballot choices as quoted words of the language („Nein“, "no"); unknown ones as they are."""
    left, right = QUOTES.get(language, ("", ""))
    return [f"{left}{choices.word(v, language)}{right}" for v in values or []]


def outcome_word(value, language: str = "de") -> str:
    """A ballot's outcome in the language's words (angenommen, no quorum …)."""
    return OUTCOMES.get(language, OUTCOMES["de"]).get(value, value or "")


@pass_context
def datetime_de(context, value) -> str:
    """A moment as the network reads it: "31.03.2027, 13:00 Uhr" in the tenant's time zone."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(ZoneInfo(context["tz"])).strftime("%d.%m.%Y, %H:%M Uhr")


class Renderer:
    """Finds `<tenant>/<template>.<lang>.txt` in the override folder first, then the built-in one."""

    def __init__(self, override_dir: Path | None = None):
        loaders = []
        if override_dir and Path(override_dir).is_dir():
            loaders.append(FileSystemLoader(str(override_dir)))
        loaders.append(FileSystemLoader(str(BUILTIN)))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )
        self.env.filters["datetime_de"] = datetime_de
        self.env.filters["choices"] = choice_words
        self.env.filters["outcome"] = outcome_word

    def render(
        self, tenant_key: str, template: str, language: str, context: dict
    ) -> tuple[str, str]:
        """(subject, body). Falls back to German when a language has no template."""
        names = [
            f"{tenant_key}/{template}.{language}.txt",
            f"{template}.{language}.txt",
            f"{tenant_key}/{template}.de.txt",
            f"{template}.de.txt",
        ]
        tpl = self.env.select_template(names)
        text = tpl.render(**context)
        first, _, rest = text.partition("\n")
        if not first.startswith("Subject: "):
            raise ValueError(f"template {tpl.name} must start with 'Subject: '")
        return first.removeprefix("Subject: ").strip(), rest.lstrip("\n")


def context(
    tenant_rules: dict,
    data: dict,
    recipient_name: str | None,
    unsubscribe_url: str | None,
    withdraw_url: str | None = None,
) -> dict:
    """What a template sees: the tenant's rules, the event's data, the recipient, the time zone,
    the unsubscribe link and (to a contact held on consent) the link to withdraw the consent."""
    body = next((b for b in tenant_rules["bodies"] if b["key"] == data.get("body")), None)
    return {
        "tenant": tenant_rules,
        "tz": tenant_rules["timezone"],
        "cp": tenant_rules["contact_point"],
        "data": data,
        "recipient_name": recipient_name or "",
        "body_name": body["name"] if body else data.get("body", ""),
        "rule_de": RULE_DE.get(data.get("decision_rule"), data.get("decision_rule", "")),
        "rule_en": RULE_EN.get(data.get("decision_rule"), data.get("decision_rule", "")),
        "unsubscribe_url": unsubscribe_url,
        "withdraw_url": withdraw_url,
    }


_PAGES = Environment(
    loader=FileSystemLoader(str(BUILTIN)),
    undefined=StrictUndefined,
    autoescape=select_autoescape(["html"]),
)


def unsubscribe_page(
    tenant_name: str, title: str, detail: str, email: str, action: str | None = None
) -> str:
    """The unsubscribe link's HTML page (German, escaped, no script or inline style, so the
    strict CSP holds); with `action`, a form that POSTs there."""
    return _link_page(tenant_name, title, detail, email, action, "Ja, abmelden", one_click=True)


def withdrawal_page(
    tenant_name: str, title: str, detail: str, email: str, action: str | None = None
) -> str:
    """The consent withdrawal link's HTML page (the same page); with `action`, a form that POSTs
    the withdrawal there."""
    button = "Ja, Einwilligung widerrufen und Daten löschen"
    return _link_page(tenant_name, title, detail, email, action, button, one_click=False)


def _link_page(tenant_name, title, detail, email, action, button, one_click) -> str:
    return _PAGES.get_template("unsubscribe.de.html").render(
        tenant_name=tenant_name,
        title=title,
        detail=detail,
        email=email,
        action=action,
        button=button,
        one_click=one_click,
    )
