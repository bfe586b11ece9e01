"""The Datenschutzerklärung's part of one service (Art. 13/14 DSGVO), generated from the
service's data catalogue and the tenant's retention settings, so that it cannot drift from what
the code stores: each table with personal data becomes one processing (its sentence, purpose,
legal basis, recipients, retention with the tenant's figures).

Every service serves its part at ``GET /api/v1/<tenant>/privacy-statement/<service>``
(public; a path of its own, so the gateway routes it); the
portal's page (/<tenant>/datenschutz) puts the four together."""

from __future__ import annotations

import re

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.shared.access import allows
from knotenpunkt.shared.privacy import LEGAL_BASES
from knotenpunkt.shared.web import current_tenant

_SETTING = re.compile(r"privacy\.(\w+)")


class MissingNotice(Exception):
    """A catalogue table with personal data has no sentence for the Datenschutzerklärung."""


def retention_text(text: str, privacy_rules: dict) -> str:
    """The catalogue's retention with the tenant's figures (``privacy.applications_months`` →
    ``6``); raises KeyError for a setting the tenant schema does not know."""
    return _SETTING.sub(lambda m: str(privacy_rules[m.group(1)]), text)


def missing_notices(catalogue: dict, notices: dict) -> list[str]:
    """The tables with personal fields whose sentence is missing or empty."""
    return sorted(t for t, e in catalogue.items() if e["personal"] and not notices.get(t))


def processings(service: str, catalogue: dict, notices: dict, privacy_rules: dict) -> list[dict]:
    """One entry per table with personal data: service, table, sentence, purpose, legal basis
    (spelled out and as its key), recipients and retention (tenant's figures); raises
    MissingNotice naming a table without a sentence."""
    missing = missing_notices(catalogue, notices)
    if missing:
        raise MissingNotice(f"{service}: kein Satz für die Datenschutzerklärung: {missing}")
    return [
        {
            "service": service,
            "table": table,
            "sentence": notices[table],
            "purpose": entry["purpose"],
            "legal_basis": entry["legal_basis"],
            "legal_basis_text": LEGAL_BASES[entry["legal_basis"]],
            "recipients": list(entry["recipients"]),
            "retention": retention_text(entry["retention"], privacy_rules),
        }
        for table, entry in sorted(catalogue.items())
        if entry["personal"]
    ]


def statement_blueprint(service: str, catalogue: dict, notices: dict) -> Blueprint:
    """The service's public route of its part of the Datenschutzerklärung."""
    bp = Blueprint(
        "privacy_statement",
        __name__,
        url_prefix=f"/api/v1/<tenant>/privacy-statement/{service}",
        description="Datenschutzerklärung: die Verarbeitungen dieses Dienstes (öffentlich)",
    )

    @bp.route("")
    class Statement(MethodView):
        @allows("public")
        @bp.response(200)
        def get(self, tenant):
            """Die Verarbeitungen personenbezogener Daten dieses Dienstes mit Zweck,
            Rechtsgrundlage, Empfängern und Speicherdauer (aus dem Datenkatalog und den
            Löschfristen des Netzwerks)."""
            rules = current_tenant().rules.get("privacy") or {}
            return {
                "service": service,
                "processings": processings(service, catalogue, notices, rules),
            }

    return bp
