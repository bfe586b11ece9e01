"""OParl 1.1 read API of membership (/oparl/v1/<tenant>/): System, Body, Organization, Person,
Membership; public, CORS open for GET."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import oparl as handlers
from knotenpunkt.services.membership.schemas.oparl import OparlListQuery
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import context, uow

oparl_bp = Blueprint(
    "oparl_membership",
    __name__,
    url_prefix="/oparl/v1/<tenant>",
    description="OParl 1.1: Körperschaft, Gremien, Arbeitsgruppen, Personen, Mitgliedschaften",
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


@oparl_bp.route("/system")
class System(MethodView):
    @allows("public")
    @oparl_bp.response(200)
    def get(self, tenant):
        """Das OParl-System des Netzwerks."""
        return handlers.system(context(), origin=_origin())


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
    ("body", "Die Körperschaft (das Netzwerk) als Liste.", "Die Körperschaft."),
    ("organization", "Gremien und Arbeitsgruppen.", "Ein Gremium oder eine Arbeitsgruppe."),
    ("person", "Öffentliche Mitglieder der Gremien (nur Namen).", "Eine Person."),
    ("membership", "Mitgliedschaften öffentlicher Personen.", "Eine Mitgliedschaft."),
):
    oparl_bp.route(f"/{_kind}")(_list_view(_kind, _plural))
    oparl_bp.route(f"/{_kind}/<path:key>")(_object_view(_kind, _one))

OPARL_BLUEPRINTS = (oparl_bp,)
