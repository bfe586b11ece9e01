"""OParl 1.1 read API of events (/oparl/v1/<tenant>/): Meeting, AgendaItem, Paper,
Consultation, File (published minutes, with their content), Location; public, CORS open for GET."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.events.handlers import oparl as handlers
from knotenpunkt.services.events.schemas.oparl import OparlListQuery
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, uow

oparl_bp = Blueprint(
    "oparl_events",
    __name__,
    url_prefix="/oparl/v1/<tenant>",
    description="OParl 1.1: Sitzungen, Tagesordnungspunkte, Beschlüsse, Beratungen, Protokolle",
)


@oparl_bp.after_request
def _cors(resp):
    """Any site may read the OParl API (GET only; nothing here needs credentials)."""
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
    return resp


def _origin() -> str:
    return request.host_url


def _list_view(kind: str, doc: str):
    @allows("public")
    @oparl_bp.arguments(OparlListQuery, location="query")
    @oparl_bp.response(200)
    def get(self, query, tenant):
        with uow() as conn:
            return handlers.oparl_list(conn, context(), kind, origin=_origin(), **query)

    get.__doc__ = doc
    return type(f"{kind.title()}List", (MethodView,), {"get": get})


def _object_view(kind: str, doc: str):
    @allows("public")
    @oparl_bp.response(200)
    def get(self, tenant, key):
        with uow() as conn:
            return handlers.oparl_object(conn, context(), kind, key, origin=_origin())

    get.__doc__ = doc
    return type(f"{kind.title()}Object", (MethodView,), {"get": get})


for _kind, _plural, _one in (
    ("meeting", "Öffentliche Sitzungen und Veranstaltungen.", "Eine Sitzung."),
    ("agendaitem", "Tagesordnungspunkte öffentlicher Sitzungen.", "Ein Tagesordnungspunkt."),
    ("paper", "Beschlossene Gegenstände aus veröffentlichten Protokollen.", "Ein Gegenstand."),
    ("consultation", "Beratungen: Gegenstand und Sitzung.", "Eine Beratung."),
    ("file", "Veröffentlichte Protokolle (Markdown, HTML).", "Eine Datei."),
    ("location", "Orte öffentlicher Sitzungen.", "Ein Ort."),
):
    oparl_bp.route(f"/{_kind}")(_list_view(_kind, _plural))
    oparl_bp.route(f"/{_kind}/<path:key>")(_object_view(_kind, _one))


@oparl_bp.route("/file/<uuid:event_id>/<any(markdown, html):fmt>/content")
class FileContent(MethodView):
    @allows("public")
    @oparl_bp.response(200, content_type="text/markdown")
    def get(self, tenant, event_id, fmt):
        """Der Inhalt eines veröffentlichten Protokolls (Markdown oder HTML)."""
        with uow() as conn:
            content, mime, name = handlers.file_content(
                conn, context(), f"{event_id}/{fmt}", origin=_origin()
            )
        return Response(
            content,
            mimetype=mime,
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )


OPARL_BLUEPRINTS = (oparl_bp,)
