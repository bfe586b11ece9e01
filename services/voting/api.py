"""HTTP API of the voting service (blueprints under /api/v1/<tenant>/)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.voting import store
from services.voting.schemas import VoterOut
from shared.errors import NotFound
from shared.web import ctx, current_tenant, roles

electorates_bp = Blueprint(
    "electorates",
    __name__,
    url_prefix="/api/v1/<tenant>/electorates",
    description="Stimmberechtigte je Gremium (Kopie aus der Mitgliederverwaltung)",
)


@electorates_bp.route("/<body>")
class Electorate(MethodView):
    @roles("coordinator", "admin", "member")
    @electorates_bp.response(200, VoterOut(many=True))
    def get(self, tenant, body):
        """Wer in diesem Gremium abstimmen darf (Koordinierungsstelle, Mitglieder)."""
        if current_tenant().body(body) is None:
            raise NotFound(f"Ein Gremium '{body}' gibt es in diesem Netzwerk nicht.")
        with ctx().database().transaction(tenant) as conn:
            return store.electorate(conn, body)


BLUEPRINTS = (electorates_bp,)
