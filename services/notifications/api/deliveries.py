"""HTTP API of the notifications service's delivery log (/api/v1/<tenant>/notifications).

Each route parses, authorises, calls one handler in the request's unit of work and serialises.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.notifications import handlers
from knotenpunkt.services.notifications.schemas.deliveries import NotificationOut, NotificationQuery
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, uow

notifications_bp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/<tenant>/notifications",
    description="Zustellprotokoll",
)


@notifications_bp.route("")
class Notifications(MethodView):
    @allows("manage")
    @notifications_bp.arguments(NotificationQuery, location="query")
    @notifications_bp.response(200, NotificationOut(many=True))
    def get(self, query, tenant):
        """Zustellungen (E-Mail, Webhook) mit Status, Versuchen und letztem Fehler."""
        with uow() as conn:
            return handlers.list_notifications(conn, context(), **query)


@notifications_bp.route("/<uuid:notification_id>/resend")
class Resend(MethodView):
    @allows("manage")
    @notifications_bp.response(200, NotificationOut)
    def post(self, tenant, notification_id):
        """Eine Zustellung erneut versuchen."""
        with uow() as conn:
            return handlers.resend(handlers.Resend(notification_id), conn, context())
