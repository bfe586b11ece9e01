"""Routes of consultations: consultations, ideas, moderation, counts, the CSV export."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.events.handlers import consultations as handlers
from knotenpunkt.services.events.schemas.consultations import (
    ConsultationIn,
    ConsultationOut,
    IdeaIn,
    IdeaOut,
    IdeaQuery,
    ModerationIn,
)
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.schema import TOTAL_HEADER
from knotenpunkt.shared.web import context, principal, uow

consult_bp = Blueprint(
    "consultations",
    __name__,
    url_prefix="/api/v1/<tenant>/consultations",
    description="Beteiligungen und Ideen",
)


@consult_bp.route("")
class Consultations(MethodView):
    @allows("public")
    @consult_bp.response(200, ConsultationOut(many=True))
    def get(self, tenant):
        """Beteiligungen (öffentlich)."""
        with uow() as conn:
            return handlers.consultations(conn, context())

    @allows("manage")
    @consult_bp.arguments(ConsultationIn)
    @consult_bp.response(201, ConsultationOut)
    def post(self, data, tenant):
        """Eine Beteiligung mit Zeitraum anlegen; Themen sind standardmäßig die Handlungsfelder."""
        topics = None if data["topics"] is None else tuple(data["topics"])
        cmd = handlers.CreateConsultation(
            data["title"], data["opens"], data["closes"], topics, data["anonymous"]
        )
        with uow() as conn:
            return handlers.create_consultation(cmd, conn, context())


@consult_bp.route("/<uuid:consultation_id>/ideas")
class Ideas(MethodView):
    @allows("public")
    @consult_bp.arguments(IdeaQuery, location="query")
    @consult_bp.response(200, IdeaOut(many=True), headers={"X-Total-Count": TOTAL_HEADER})
    def get(self, query, tenant, consultation_id):
        """Ideen seitenweise: veröffentlichte für alle, alle für die Koordinierungsstelle. X-Total-Count: alle Treffer."""
        with uow() as conn:
            page, total = handlers.ideas(
                conn, context(), consultation_id, caller=principal(), **query
            )
        return page, 200, {"X-Total-Count": str(total)}

    @allows("public")
    @consult_bp.arguments(IdeaIn)
    @consult_bp.response(201, IdeaOut)
    def post(self, data, tenant, consultation_id):
        """Eine Idee einreichen, auch anonym – nur im Beteiligungszeitraum."""
        cmd = handlers.SubmitIdea(
            consultation_id, data["topic"], data["text"], data["author"], principal().person
        )
        with uow() as conn:
            return handlers.submit_idea(cmd, conn, context())


@consult_bp.route("/<uuid:consultation_id>/ideas/<uuid:idea_id>/moderation")
class Moderation(MethodView):
    @allows("manage")
    @consult_bp.arguments(ModerationIn)
    @consult_bp.response(200, IdeaOut)
    def post(self, data, tenant, consultation_id, idea_id):
        """Eine Idee veröffentlichen oder mit Grund ausblenden."""
        cmd = handlers.ModerateIdea(consultation_id, idea_id, data["status"], data["reason"])
        with uow() as conn:
            return handlers.moderate_idea(cmd, conn, context())


@consult_bp.route("/<uuid:consultation_id>/counts")
class Counts(MethodView):
    @allows("manage")
    @consult_bp.response(200)
    def get(self, tenant, consultation_id):
        """Zahl der Ideen je Thema."""
        with uow() as conn:
            return {"topics": handlers.idea_counts(conn, context(), consultation_id)}


@consult_bp.route("/<uuid:consultation_id>/ideas.csv")
class IdeasCsv(MethodView):
    @allows("manage")
    @consult_bp.response(200, content_type="text/csv")
    def get(self, tenant, consultation_id):
        """Alle Ideen als CSV (Semikolon, UTF-8)."""
        with uow() as conn:
            document = handlers.ideas_csv(conn, context(), consultation_id)
        return Response(
            document,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="ideen-{consultation_id}.csv"'},
        )
