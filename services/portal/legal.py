"""The pages a public body's website must carry (issue 25), per network from its tenant file:
Impressum (§ 5 DDG, § 18 MStV), Datenschutzerklärung (Art. 13/14 DSGVO, from the four services'
data catalogues), Erklärung zur Barrierefreiheit (BITV 2.0 § 7) with its feedback form, and
the explanations in Leichte Sprache (BITV 2.0 § 4). The footer of every page links them."""

from __future__ import annotations

import re

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from . import i18n, languages_page
from .client import ServiceUnavailable, api, public
from .forms import Errors
from .nav import network_of_url

bp = Blueprint("legal", __name__)
bp.url_value_preprocessor(network_of_url)

SERVICES = ("membership", "voting", "events", "notifications")
FEEDBACK_FIELDS = ["name", "email", "page", "message"]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@bp.route("/<tenant>/impressum")
def imprint(tenant):
    return render_template("legal/imprint.html", imprint=g.rules.get("imprint") or {})


@bp.route("/<tenant>/datenschutz")
def privacy(tenant):
    """Every processing of the four services, as each service's catalogue states it; a service
    that does not answer makes the page say so (never an incomplete statement shown as whole)."""
    parts, missing = [], []
    for service in SERVICES:
        reply = public(service, tenant, f"privacy-statement/{service}")
        if reply.ok and isinstance(reply.data, dict):
            parts.extend(reply.data.get("processings", []))
        else:
            missing.append(service)
    if missing:
        raise ServiceUnavailable(", ".join(missing))
    return render_template(
        "legal/privacy.html",
        processings=parts,
        imprint=g.rules.get("imprint") or {},
        protection=g.rules.get("data_protection") or {},
        retention=g.rules.get("privacy") or {},
    )


@bp.route("/<tenant>/barrierefreiheit", methods=["GET", "POST"])
def accessibility(tenant):
    errors = Errors(FEEDBACK_FIELDS)
    values = request.form if request.method == "POST" else {"page": request.args.get("seite", "")}
    if request.method == "POST":
        body = _feedback(request.form, errors)
        if not errors:
            reply = api().call("POST", "membership", tenant, "accessibility-feedback", json=body)
            if reply.ok:
                flash(
                    _(
                        "Danke! Ihre Rückmeldung ist bei der Koordinierungsstelle eingegangen; "
                        "Sie erhalten eine Bestätigung per E-Mail."
                    ),
                    "success",
                )
                return redirect(url_for("legal.accessibility", tenant=tenant))
            errors.from_reply(reply)
    return render_template(
        "legal/accessibility.html",
        statement=g.rules.get("accessibility") or {},
        errors=errors,
        values=values,
    ), (422 if errors else 200)


def _feedback(form, errors: Errors) -> dict:
    """The API body of the feedback form; the messages of what is missing or wrong in `errors`."""
    email = form.get("email", "").strip()
    message = form.get("message", "").strip()
    if not email:
        errors.add(
            "email", _("Bitte geben Sie Ihre E-Mail-Adresse an, damit wir antworten können.")
        )
    elif not EMAIL.match(email) or len(email) > 254:
        errors.add("email", _("Bitte geben Sie eine gültige E-Mail-Adresse an (name@beispiel.de)."))
    if len(message) < 3:
        errors.add("message", _("Bitte beschreiben Sie die Barriere oder Ihr Anliegen."))
    elif len(message) > 5000:
        errors.add("message", _("Ihre Nachricht ist zu lang (höchstens 5000 Zeichen)."))
    name, page = form.get("name", "").strip(), form.get("page", "").strip()
    if len(name) > 200:
        errors.add("name", _("Der Name ist zu lang (höchstens 200 Zeichen)."))
    if len(page) > 500:
        errors.add("page", _("Die Angabe der Seite ist zu lang (höchstens 500 Zeichen)."))
    body = {"email": email, "message": message, "language": i18n.current_language()}
    if name:
        body["name"] = name
    if page:
        body["page"] = page
    return body


@bp.route("/<tenant>/sprachen")
def languages(tenant):
    return render_template("legal/languages.html", sections=languages_page.sections(g.rules))


@bp.route("/<tenant>/leichte-sprache")
def easy_language(tenant):
    return render_template("legal/easy_language.html", easy=easy_texts(g.rules))


# --- Leichte Sprache --------------------------------------------------------------------------
# Written to the rules of Leichte Sprache (Netzwerk Leichte Sprache; DIN SPEC 33429): short
# sentences, one statement each, no passive, no abbreviations, hard words explained. German only:
# Leichte Sprache is a form of German. A tenant file's `easy_language` replaces a section.

EASY = {
    "content": [
        "Auf dieser Internet-Seite finden Sie Informationen über das Netzwerk {name}.",
        "Ein Netzwerk ist eine Gruppe.",
        "In der Gruppe arbeiten Menschen und Vereine zusammen.",
        "Sie helfen Menschen.",
        "Diese Menschen sind neu in Deutschland.",
        "Hier finden Sie die Partner von dem Netzwerk.",
        "Partner sind Vereine und Ämter in dem Netzwerk.",
        "Hier finden Sie auch die Termine von dem Netzwerk.",
        "Ein Termin ist zum Beispiel ein Treffen.",
    ],
    "navigation": [
        "Oben auf jeder Seite ist ein Menü.",
        "Das Menü ist eine Liste mit Links.",
        "Mit einem Link kommen Sie zu einer anderen Seite.",
        "Sie können die Seiten auch nur mit der Tastatur benutzen.",
        "Drücken Sie dafür die Taste Tab.",
        "Oben rechts können Sie eine andere Sprache wählen.",
        "Unten auf jeder Seite stehen wichtige Links.",
    ],
    "accessibility": [
        "Alle Menschen sollen unsere Seiten benutzen können.",
        "Das nennt man: barriere-frei.",
        "Eine Barriere ist ein Hindernis.",
        "Manche Teile sind noch nicht barriere-frei.",
        "Das steht in der Erklärung zur Barriere-Freiheit.",
        "Sie haben eine Barriere gefunden?",
        "Dann schreiben Sie uns bitte.",
        "Dafür gibt es ein Formular in der Erklärung.",
        "Wir antworten Ihnen.",
    ],
    "contact": [
        "Sie haben eine Frage?",
        "Dann schreiben Sie eine E-Mail an: {email}",
        "Sie können auch anrufen.",
        "Die Telefon-Nummer ist: {phone}",
    ],
}


def easy_texts(rules: dict) -> dict[str, list[str]]:
    """The four sections in Leichte Sprache: the tenant file's where it gives one, else the
    portal's, with the network's name, address and telephone number filled in."""
    own = rules.get("easy_language") or {}
    cp, imprint = rules.get("contact_point") or {}, rules.get("imprint") or {}
    phone = (cp.get("phones") or [None])[0] or imprint.get("phone")
    values = {
        "name": rules.get("short_name") or rules.get("name", ""),
        "email": cp.get("email") or imprint.get("email") or "",
        "phone": phone or "",
    }
    out = {}
    for key, sentences in EASY.items():
        if own.get(key):
            out[key] = list(own[key])
            continue
        out[key] = [
            s.format(**values)
            for s in sentences
            if not (("{phone}" in s or s == "Sie können auch anrufen.") and not phone)
        ]
    return out
