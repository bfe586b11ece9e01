"""OParl 1.1 read API of membership (/oparl/v1/<tenant>/): System, Body, LegislativeTerm,
Organization, Person, Membership; public, CORS open for GET."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import oparl as handlers
from knotenpunkt.shared import oparl
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, uow

oparl_bp = Blueprint(
    "oparl_membership",
    __name__,
    url_prefix="/oparl/v1/<tenant>",
    description="OParl 1.1: Körperschaft, Gremien, Arbeitsgruppen, Personen, Mitgliedschaften",
)


oparl_bp.after_request(oparl.open_for_reading)


@oparl_bp.route("/system")
class System(MethodView):
    @allows("public")
    @oparl_bp.response(200)
    def get(self, tenant):
        """Das OParl-System des Netzwerks."""
        with uow() as conn:
            return handlers.system(conn, context(), origin=oparl.request_origin())


oparl.add_routes(
    oparl_bp,
    handlers,
    (
        ("body", "Die Körperschaft (das Netzwerk) als Liste.", "Die Körperschaft."),
        ("legislativeterm", "Die Arbeitsperioden des Netzwerks.", "Eine Arbeitsperiode."),
        ("organization", "Gremien und Arbeitsgruppen.", "Ein Gremium oder eine Arbeitsgruppe."),
        ("person", "Öffentliche Mitglieder der Gremien (nur Namen).", "Eine Person."),
        ("membership", "Mitgliedschaften öffentlicher Personen.", "Eine Mitgliedschaft."),
    ),
)

OPARL_BLUEPRINTS = (oparl_bp,)
