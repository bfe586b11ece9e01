"""Routes of the integration monitoring: measures and the report."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import monitoring as handlers
from knotenpunkt.services.membership.schemas.monitoring import MeasureIn, MeasureOut, MeasurePatch
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, uow

measures_bp = Blueprint(
    "measures",
    __name__,
    url_prefix="/api/v1/<tenant>/measures",
    description="Integrationsmonitoring: Maßnahmen und Indikatoren",
)


@measures_bp.route("")
class Measures(MethodView):
    @allows("internal")
    @measures_bp.response(200, MeasureOut(many=True))
    def get(self, tenant):
        """Maßnahmen des Integrationsmonitorings."""
        with uow() as conn:
            return handlers.list_measures(conn, context())

    @allows("manage")
    @measures_bp.arguments(MeasureIn)
    @measures_bp.response(201, MeasureOut)
    def post(self, data, tenant):
        """Eine Maßnahme mit Indikator und Zielwert anlegen; das Handlungsfeld muss eines des Netzwerks sein."""
        with uow() as conn:
            return handlers.create_measure(handlers.CreateMeasure(**data), conn, context())


@measures_bp.route("/<uuid:measure_id>")
class Measure(MethodView):
    @allows("manage")
    @measures_bp.arguments(MeasurePatch)
    @measures_bp.response(200, MeasureOut)
    def patch(self, data, tenant, measure_id):
        """Stand einer Maßnahme fortschreiben."""
        with uow() as conn:
            return handlers.update_measure(
                handlers.UpdateMeasure(measure_id, data), conn, context()
            )


@measures_bp.route("/report")
class MeasuresReport(MethodView):
    @allows("internal")
    @measures_bp.response(200)
    def get(self, tenant):
        """Zusammenfassung je Handlungsfeld: Zahl der Maßnahmen nach Status und mittlerer Fortschritt."""
        with uow() as conn:
            return handlers.measures_report(conn, context())
