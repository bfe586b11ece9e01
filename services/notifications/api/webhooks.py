"""HTTP API of the notifications service's webhook subscriptions (/api/v1/<tenant>/webhooks)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.notifications import handlers
from knotenpunkt.services.notifications.schemas.webhooks import WebhookIn, WebhookOut
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, uow

webhooks_bp = Blueprint(
    "webhooks", __name__, url_prefix="/api/v1/<tenant>/webhooks", description="Signierte Webhooks"
)


@webhooks_bp.route("")
class Webhooks(MethodView):
    @allows("manage")
    @webhooks_bp.response(200, WebhookOut(many=True))
    def get(self, tenant):
        """Abonnierte Webhooks (ohne Geheimnis)."""
        with uow() as conn:
            return handlers.list_webhooks(conn, context())

    @allows("manage")
    @webhooks_bp.arguments(WebhookIn)
    @webhooks_bp.response(201, WebhookOut)
    def post(self, data, tenant):
        """Eine URL für Ereignistypen abonnieren (z. B. voting.ballot.closed oder membership.*).

        Jede Zustellung ist das CloudEvent als JSON; Kopfzeile
        `X-Knotenpunkt-Signature: t=<unix-zeit>,v1=<hex>` mit hex = HMAC-SHA256(secret, "<t>.<body>").
        """
        cmd = handlers.SubscribeWebhook(data["url"], data["event_types"], data["secret"])
        with uow() as conn:
            return handlers.subscribe_webhook(cmd, conn, context())


@webhooks_bp.route("/<uuid:webhook_id>")
class Webhook(MethodView):
    @allows("manage")
    @webhooks_bp.response(204)
    def delete(self, tenant, webhook_id):
        """Ein Abonnement beenden."""
        with uow() as conn:
            handlers.delete_webhook(handlers.DeleteWebhook(webhook_id), conn, context())
