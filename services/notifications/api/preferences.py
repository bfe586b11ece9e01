"""HTTP API of the notifications service's preferences and the links of a mail that work
without logging in (/api/v1/<tenant>/preferences, unsubscribe, consent/withdraw)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.notifications import handlers
from knotenpunkt.services.notifications.schemas.preferences import (
    EmailQuery,
    PreferenceIn,
    PreferenceOut,
    ToldOut,
    UnsubscribeQuery,
    WithdrawalQuery,
)
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.docs import HTML_PAGE
from knotenpunkt.shared.web import context, uow

prefs_bp = Blueprint(
    "preferences",
    __name__,
    url_prefix="/api/v1/<tenant>",
    description="Einstellungen und Abmeldung",
)


@prefs_bp.route("/preferences")
class Preferences(MethodView):
    @allows("manage")
    @prefs_bp.arguments(EmailQuery, location="query")
    @prefs_bp.response(200, PreferenceOut(many=True))
    def get(self, query, tenant):
        """Einstellungen einer Person."""
        with uow() as conn:
            return handlers.preferences(conn, context(), email=query["email"])

    @allows("manage")
    @prefs_bp.arguments(PreferenceIn)
    @prefs_bp.response(200, PreferenceOut)
    def put(self, data, tenant):
        """Eine Kategorie für eine Person ab- oder wieder anmelden (Pflichtnachrichten gehen immer)."""
        with uow() as conn:
            return handlers.set_preference(handlers.SetPreference(**data), conn, context())


@prefs_bp.route("/unsubscribe")
class Unsubscribe(MethodView):
    @allows("public")
    @prefs_bp.arguments(UnsubscribeQuery, location="query")
    @prefs_bp.response(200, content_type="text/html")
    def get(self, query, tenant):
        """Der Link aus der E-Mail: eine Seite, die fragt, ob abgemeldet werden soll (ändert nichts;
        Mail-Scanner folgen Links). Ihr Formular sendet die Abmeldung per POST."""
        with uow() as conn:
            said = handlers.unsubscribe_preview(
                conn, context(), action="?" + urlencode(query), **query
            )
        return Response(said["page"], mimetype="text/html")

    @allows("public")
    @prefs_bp.arguments(UnsubscribeQuery, location="query")
    @prefs_bp.response(200, ToldOut)
    @prefs_bp.alt_response(200, schema=HTML_PAGE, content_type="text/html")
    def post(self, query, tenant):
        """Abmelden, ohne Anmeldung: Ein-Klick-Abmeldung (RFC 8058, List-Unsubscribe-Post) oder das
        Formular der Seite; antwortet HTML, wenn der Aufrufer es bevorzugt, sonst JSON."""
        with uow() as conn:
            said = handlers.unsubscribe(handlers.Unsubscribe(**query), conn, context())
        return _told(said)


@prefs_bp.route("/consent/withdraw")
class WithdrawConsent(MethodView):
    @allows("public")
    @prefs_bp.arguments(WithdrawalQuery, location="query")
    @prefs_bp.response(200, content_type="text/html")
    def get(self, query, tenant):
        """Der Link aus jeder E-Mail an eine Kontaktperson, deren Daten auf ihrer Einwilligung
        beruhen: eine Seite, die fragt, ob widerrufen werden soll (ändert nichts; Mail-Scanner
        folgen Links). Ihr Formular sendet den Widerruf per POST."""
        with uow() as conn:
            said = handlers.withdrawal_preview(
                conn, context(), action="?" + urlencode(query), **query
            )
        return Response(said["page"], mimetype="text/html")

    @allows("public")
    @prefs_bp.arguments(WithdrawalQuery, location="query")
    @prefs_bp.response(200, ToldOut)
    @prefs_bp.alt_response(200, schema=HTML_PAGE, content_type="text/html")
    def post(self, query, tenant):
        """Die Einwilligung widerrufen, ohne Anmeldung: die Kontaktdaten werden in allen Diensten
        gelöscht (notifications.consent.withdrawn); antwortet HTML, wenn der Aufrufer es
        bevorzugt, sonst JSON."""
        with uow() as conn:
            said = handlers.withdraw_consent(handlers.WithdrawConsent(**query), conn, context())
        return _told(said)


def _told(said: dict):
    """What a link's POST tells the person: its HTML page when the caller prefers HTML, else
    JSON."""
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return Response(said["page"], mimetype="text/html")
    return {"detail": said["detail"]}
