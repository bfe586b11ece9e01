"""HTTP API of the voting service's electorates (/api/v1/<tenant>/electorates): who may vote in
a body, as copied from membership."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.voting import handlers
from knotenpunkt.services.voting.schemas.electorates import VoterOut
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, principal, uow

electorates_bp = Blueprint(
    "electorates",
    __name__,
    url_prefix="/api/v1/<tenant>/electorates",
    description="Stimmberechtigte je Gremium (Kopie aus der Mitgliederverwaltung)",
)


@electorates_bp.route("/<body>")
class Electorate(MethodView):
    @allows("body")
    @electorates_bp.response(200, VoterOut(many=True))
    def get(self, tenant, body):
        """Wer in diesem Gremium abstimmen darf (Koordinierungsstelle, Mitglieder dieses Gremiums)."""
        with uow() as conn:
            return handlers.electorate(conn, context(), body=body, caller=principal())
