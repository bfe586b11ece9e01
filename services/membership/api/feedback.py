"""Route of the feedback on the accessibility of the network's pages (BITV 2.0 § 7)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import feedback as handlers
from knotenpunkt.services.membership.schemas.feedback import FeedbackIn, FeedbackOut
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, uow

feedback_bp = Blueprint(
    "accessibility_feedback",
    __name__,
    url_prefix="/api/v1/<tenant>/accessibility-feedback",
    description="Rückmeldungen zur Barrierefreiheit (BITV 2.0 § 7)",
)


@feedback_bp.route("")
class AccessibilityFeedback(MethodView):
    @allows("public")
    @feedback_bp.arguments(FeedbackIn)
    @feedback_bp.response(202, FeedbackOut)
    def post(self, data, tenant):
        """Eine Barriere melden oder Inhalte in barrierefreier Form erbitten, auch anonym: die
        Koordinierungsstelle erhält die Nachricht per E-Mail, die Absenderin eine Bestätigung."""
        cmd = handlers.SubmitAccessibilityFeedback(**data)
        with uow() as conn:
            return handlers.submit_accessibility_feedback(cmd, conn, context())
