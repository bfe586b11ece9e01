"""OParl 1.1 read API of events (/oparl/v1/<tenant>/): Meeting, AgendaItem, Paper,
Consultation, File (published minutes, with their content), Location; public, CORS open for GET."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.events.handlers import oparl as handlers
from knotenpunkt.shared import oparl
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, uow

oparl_bp = Blueprint(
    "oparl_events",
    __name__,
    url_prefix="/oparl/v1/<tenant>",
    description="OParl 1.1: Sitzungen, Tagesordnungspunkte, Beschlüsse, Beratungen, Protokolle",
)


oparl_bp.after_request(oparl.open_for_reading)


oparl.add_routes(
    oparl_bp,
    handlers,
    (
        ("meeting", "Öffentliche Sitzungen und Veranstaltungen.", "Eine Sitzung."),
        ("agendaitem", "Tagesordnungspunkte öffentlicher Sitzungen.", "Ein Tagesordnungspunkt."),
        ("paper", "Beschlossene Gegenstände aus veröffentlichten Protokollen.", "Ein Gegenstand."),
        ("consultation", "Beratungen: Gegenstand und Sitzung.", "Eine Beratung."),
        ("file", "Veröffentlichte Protokolle (Markdown, HTML, PDF).", "Eine Datei."),
        ("location", "Orte öffentlicher Sitzungen.", "Ein Ort."),
    ),
)


@oparl_bp.route("/file/<uuid:event_id>/<any(markdown, html, pdf):fmt>/content")
class FileContent(MethodView):
    @allows("public")
    @oparl_bp.response(200, content_type="text/markdown")
    def get(self, tenant, event_id, fmt):
        """Der Inhalt eines veröffentlichten Protokolls (Markdown, HTML oder PDF)."""
        with uow() as conn:
            content, mime, name = handlers.file_content(
                conn, context(), f"{event_id}/{fmt}", origin=oparl.request_origin()
            )
        return Response(
            content,
            mimetype=mime,
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )


@oparl_bp.route("/file/<any(gruendungsantrag, arbeitspapier):kind>/<uuid:key>/content")
class PaperFileContent(MethodView):
    @allows("public")
    @oparl_bp.response(200, content_type="text/markdown")
    def get(self, tenant, kind, key):
        """Der Text eines Gründungsantrags oder Arbeitspapiers (Markdown)."""
        with uow() as conn:
            content, mime, name = handlers.file_content(
                conn, context(), f"{kind}/{key}", origin=oparl.request_origin()
            )
        return Response(
            content,
            mimetype=mime,
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )


OPARL_BLUEPRINTS = (oparl_bp,)
