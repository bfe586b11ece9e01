"""Routes of a person's requests across the services (DSGVO Art. 15, 17) and of the record of
processing (Art. 30)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import privacy_requests as handlers
from knotenpunkt.services.membership.schemas.privacy import PrivacyRequestIn, PrivacyRequestOut
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, principal, uow

privacy_bp = Blueprint(
    "privacy",
    __name__,
    url_prefix="/api/v1/<tenant>/privacy",
    description="Datenschutz: Auskunft, Löschung, Verzeichnis der Verarbeitungstätigkeiten",
)


@privacy_bp.route("/requests")
class PrivacyRequests(MethodView):
    @allows("manage")
    @privacy_bp.arguments(PrivacyRequestIn)
    @privacy_bp.response(202, PrivacyRequestOut)
    def post(self, data, tenant):
        """Auskunft oder Löschung für eine Person in allen Diensten (oder das Verzeichnis) anfordern."""
        cmd = handlers.RequestPrivacy(**data, requested_by=principal().sub)
        with uow() as conn:
            return handlers.request_privacy(cmd, conn, context())


@privacy_bp.route("/requests/<uuid:request_id>")
class PrivacyRequest(MethodView):
    @allows("manage")
    @privacy_bp.response(200, PrivacyRequestOut)
    def get(self, tenant, request_id):
        """Das Ersuchen mit der Antwort jedes Dienstes; vollständig, sobald alle vier geantwortet haben."""
        with uow() as conn:
            return handlers.get_privacy_request(conn, context(), request_id=request_id)


@privacy_bp.route("/requests/<uuid:request_id>/export.json")
class PrivacyExport(MethodView):
    @allows("manage")
    @privacy_bp.response(200)
    @privacy_bp.alt_response(409, response="CONFLICT")
    def get(self, tenant, request_id):
        """Die Auskunft als ein JSON-Dokument: jedes Datum mit Zweck und Rechtsgrundlage."""
        with uow() as conn:
            return handlers.privacy_export(conn, context(), request_id=request_id)


@privacy_bp.route("/requests/<uuid:request_id>/summary.html")
class PrivacySummary(MethodView):
    @allows("manage")
    @privacy_bp.response(200, content_type="text/html")
    @privacy_bp.alt_response(409, response="CONFLICT")
    def get(self, tenant, request_id):
        """Die Auskunft als lesbare HTML-Seite: je Dienst die Daten mit Zweck, Rechtsgrundlage und
        Speicherdauer."""
        with uow() as conn:
            page = handlers.privacy_summary(conn, context(), request_id=request_id)
        return Response(page, mimetype="text/html")


@privacy_bp.route("/record")
class ProcessingRecord(MethodView):
    @allows("manage")
    @privacy_bp.response(200)
    def get(self, tenant):
        """Das Verzeichnis der Verarbeitungstätigkeiten (Art. 30 DSGVO) aus den Katalogen der Dienste."""
        with uow() as conn:
            return handlers.processing_record(conn, context())
