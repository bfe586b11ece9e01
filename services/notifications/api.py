"""HTTP API of the notifications service (blueprints under /api/v1/<tenant>/)."""

from __future__ import annotations

import hmac
import secrets

from flask.views import MethodView
from flask_smorest import Blueprint

from services.notifications import domain, store
from services.notifications.schemas import (
    EmailQuery,
    NotificationOut,
    NotificationQuery,
    PreferenceIn,
    PreferenceOut,
    UnsubscribeQuery,
    WebhookIn,
    WebhookOut,
)
from shared.errors import Forbidden
from shared.web import ctx, current_tenant, roles

notifications_bp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/<tenant>/notifications",
    description="Zustellprotokoll",
)
webhooks_bp = Blueprint(
    "webhooks", __name__, url_prefix="/api/v1/<tenant>/webhooks", description="Signierte Webhooks"
)
prefs_bp = Blueprint(
    "preferences",
    __name__,
    url_prefix="/api/v1/<tenant>",
    description="Einstellungen und Abmeldung",
)
STAFF = ("coordinator", "admin")


def uow():
    return ctx().database().transaction(current_tenant().key)


@notifications_bp.route("")
class Notifications(MethodView):
    @roles(*STAFF)
    @notifications_bp.arguments(NotificationQuery, location="query")
    @notifications_bp.response(200, NotificationOut(many=True))
    def get(self, query, tenant):
        """Zustellungen (E-Mail, Webhook) mit Status, Versuchen und letztem Fehler."""
        with uow() as conn:
            return store.list_notifications(conn, **query)


@notifications_bp.route("/<uuid:notification_id>/resend")
class Resend(MethodView):
    @roles(*STAFF)
    @notifications_bp.response(200, NotificationOut)
    def post(self, tenant, notification_id):
        """Eine Zustellung erneut versuchen."""
        with uow() as conn:
            return store.resend(conn, notification_id)


@webhooks_bp.route("")
class Webhooks(MethodView):
    @roles(*STAFF)
    @webhooks_bp.response(200, WebhookOut(many=True))
    def get(self, tenant):
        """Abonnierte Webhooks (ohne Geheimnis)."""
        with uow() as conn:
            return [
                {k: v for k, v in h.items() if k != "secret"} for h in store.list_webhooks(conn)
            ]

    @roles(*STAFF)
    @webhooks_bp.arguments(WebhookIn)
    @webhooks_bp.response(201, WebhookOut)
    def post(self, data, tenant):
        """Eine URL für Ereignistypen abonnieren (z. B. voting.ballot.closed oder membership.*).

        Jede Zustellung ist das CloudEvent als JSON; Kopfzeile
        `X-Knotenpunkt-Signature: t=<unix-zeit>,v1=<hex>` mit hex = HMAC-SHA256(secret, "<t>.<body>").
        """
        secret = data["secret"] or secrets.token_urlsafe(32)
        with uow() as conn:
            return store.create_webhook(conn, tenant, data["url"], secret, data["event_types"])


@webhooks_bp.route("/<uuid:webhook_id>")
class Webhook(MethodView):
    @roles(*STAFF)
    @webhooks_bp.response(204)
    def delete(self, tenant, webhook_id):
        """Ein Abonnement beenden."""
        with uow() as conn:
            store.delete_webhook(conn, webhook_id)


@prefs_bp.route("/preferences")
class Preferences(MethodView):
    @roles(*STAFF)
    @prefs_bp.arguments(EmailQuery, location="query")
    @prefs_bp.response(200, PreferenceOut(many=True))
    def get(self, query, tenant):
        """Einstellungen einer Person."""
        with uow() as conn:
            return store.preferences_of(conn, query["email"])

    @roles(*STAFF)
    @prefs_bp.arguments(PreferenceIn)
    @prefs_bp.response(200, PreferenceOut)
    def put(self, data, tenant):
        """Eine Kategorie für eine Person ab- oder wieder anmelden (Pflichtnachrichten gehen immer)."""
        with uow() as conn:
            return store.set_preference(
                conn, tenant, data["email"], data["category"], data["opted_out"], data["language"]
            )


def _unsubscribe(query, tenant):
    expected = domain.unsubscribe_token(
        ctx().settings.jwt_secret, tenant, query["email"], query["category"]
    )
    if not hmac.compare_digest(expected, query["token"]):
        raise Forbidden("Der Abmeldelink ist ungültig.")
    with uow() as conn:
        store.set_preference(conn, tenant, query["email"], query["category"], True)
    return {
        "detail": f"Sie erhalten keine Nachrichten der Kategorie „{query['category']}“ mehr. "
        "Pflichtmitteilungen (z. B. Entscheidungen über Ihren Antrag) erhalten Sie weiterhin."
    }


@prefs_bp.route("/unsubscribe")
class Unsubscribe(MethodView):
    @prefs_bp.arguments(UnsubscribeQuery, location="query")
    @prefs_bp.response(200)
    def get(self, query, tenant):
        """Abmelden über den Link aus der E-Mail, ohne Anmeldung."""
        return _unsubscribe(query, tenant)

    @prefs_bp.arguments(UnsubscribeQuery, location="query")
    @prefs_bp.response(200)
    def post(self, query, tenant):
        """Ein-Klick-Abmeldung (RFC 8058, List-Unsubscribe-Post)."""
        return _unsubscribe(query, tenant)


BLUEPRINTS = (notifications_bp, webhooks_bp, prefs_bp)
