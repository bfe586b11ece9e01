"""Routes of applications (Beitrittserklärung) and their check."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import applications as handlers
from knotenpunkt.services.membership.schemas.applications import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    ApplicationPatch,
    ApplicationQuery,
    CheckIn,
    ConfirmationOut,
    ConfirmationQuery,
    TokenQuery,
)
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.docs import HTML_PAGE
from knotenpunkt.shared.web import context, principal, uow

applications_bp = Blueprint(
    "applications",
    __name__,
    url_prefix="/api/v1/<tenant>/applications",
    description="Beitrittserklärungen und Aufnahme",
)


@applications_bp.route("")
class Applications(MethodView):
    @allows("public")
    @applications_bp.arguments(ApplicationIn)
    @applications_bp.response(201, ApplicationOut)
    def post(self, data, tenant):
        """Beitrittserklärung einreichen (ohne Anmeldung).

        Netzwerke ohne Mitgliedschaft oder mit benannten Mitgliedern antworten 409.
        """
        with uow() as conn:
            return handlers.submit_application(handlers.SubmitApplication(**data), conn, context())

    @allows("manage")
    @applications_bp.arguments(ApplicationQuery, location="query")
    @applications_bp.response(200, ApplicationPage)
    def get(self, query, tenant):
        """Die Anträge seitenweise, älteste zuerst (Koordinierungsstelle)."""
        with uow() as conn:
            return handlers.list_applications(conn, context(), **query)


@applications_bp.route("/<uuid:application_id>")
class Application(MethodView):
    @allows("public")
    @applications_bp.arguments(TokenQuery, location="query")
    @applications_bp.response(200, ApplicationOut)
    def get(self, query, tenant, application_id):
        """Den Antrag verfolgen: mit ?token=… als Antragsteller oder als Koordinierungsstelle."""
        with uow() as conn:
            return handlers.get_application(
                conn,
                context(),
                application_id=application_id,
                token=query["token"],
                caller=principal(),
            )

    @allows("public")
    @applications_bp.arguments(TokenQuery, location="query")
    @applications_bp.arguments(ApplicationPatch)
    @applications_bp.response(200, ApplicationOut)
    def patch(self, query, data, tenant, application_id):
        """Einen zurückgegebenen Antrag ergänzen (Antragsteller mit Token); er wird erneut geprüft."""
        cmd = handlers.CorrectApplication(application_id, data, principal(), query["token"])
        with uow() as conn:
            return handlers.correct_application(cmd, conn, context())


@applications_bp.route("/<uuid:application_id>/withdraw")
class Withdraw(MethodView):
    @allows("public")
    @applications_bp.arguments(TokenQuery, location="query")
    @applications_bp.response(200, ApplicationOut)
    def post(self, query, tenant, application_id):
        """Den Antrag zurückziehen (Antragsteller mit Token)."""
        cmd = handlers.WithdrawApplication(application_id, principal(), query["token"])
        with uow() as conn:
            return handlers.withdraw_application(cmd, conn, context())


@applications_bp.route("/<uuid:application_id>/confirm")
class Confirm(MethodView):
    @allows("public")
    @applications_bp.arguments(ConfirmationQuery, location="query")
    @applications_bp.response(200, content_type="text/html")
    def get(self, query, tenant, application_id):
        """Der Link aus der Bestätigungsmail: eine Seite, die fragt, ob bestätigt werden soll
        (ändert nichts; Mail-Scanner folgen Links). Ihr Formular bestätigt per POST."""
        with uow() as conn:
            said = handlers.confirmation_preview(
                conn,
                context(),
                application_id=application_id,
                token=query["token"],
                action="?" + urlencode({"token": query["token"] or ""}),
            )
        return Response(said["page"], mimetype="text/html")

    @allows("public")
    @applications_bp.arguments(ConfirmationQuery, location="query")
    @applications_bp.response(200, ConfirmationOut)
    @applications_bp.alt_response(200, schema=HTML_PAGE, content_type="text/html")
    def post(self, query, tenant, application_id):
        """Die Adresse des Antragstellers bestätigen (Token aus der Bestätigungsmail, wo das
        Netzwerk das verlangt): erst dann gilt der Antrag als eingegangen. Ein zweites Mal
        ändert nichts und antwortet ebenso; HTML, wenn der Aufrufer es bevorzugt."""
        cmd = handlers.ConfirmApplication(application_id, query["token"])
        with uow() as conn:
            said = handlers.confirm_application(cmd, conn, context())
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
            return Response(said["page"], mimetype="text/html")
        return said


@applications_bp.route("/<uuid:application_id>/check")
class Check(MethodView):
    @allows("manage")
    @applications_bp.arguments(CheckIn)
    @applications_bp.response(200, ApplicationOut)
    def post(self, data, tenant, application_id):
        """Prüfung durch die Koordinierungsstelle: vollständig und plausibel → Abstimmung, sonst zurück."""
        cmd = handlers.CheckApplication(application_id, **data)
        with uow() as conn:
            return handlers.check_application(cmd, conn, context())
