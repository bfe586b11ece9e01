"""HTTP API of the membership service (blueprints under /api/v1/<tenant>/)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.membership import domain, store
from services.membership.schemas import (
    BodyOut,
    MemberIn,
    MemberOut,
    PartnerIn,
    PartnerOut,
    PartnerPage,
    PartnerPatch,
    PartnerQuery,
)
from shared.web import ctx, current_tenant, principal, roles

rules_bp = Blueprint(
    "rules", __name__, url_prefix="/api/v1/<tenant>", description="Regeln des Netzwerks"
)
partners_bp = Blueprint(
    "partners", __name__, url_prefix="/api/v1/<tenant>/partners", description="Netzwerkpartner"
)
bodies_bp = Blueprint(
    "bodies",
    __name__,
    url_prefix="/api/v1/<tenant>/bodies",
    description="Gremien und ihre Mitglieder",
)


def uow():
    """The unit of work of the current request's tenant."""
    return ctx().database().transaction(current_tenant().key)


@rules_bp.route("/rules")
class Rules(MethodView):
    @rules_bp.response(200)
    def get(self, tenant):
        """Die Regeln des Netzwerks, wie sie in seiner Datei stehen (öffentlich)."""
        return tenant_rules()


def tenant_rules() -> dict:
    import json

    return json.loads(json.dumps(current_tenant().rules, default=str))


@partners_bp.route("")
class Partners(MethodView):
    @partners_bp.arguments(PartnerQuery, location="query")
    @partners_bp.response(200, PartnerPage)
    def get(self, query, tenant):
        """Partner suchen; Anonyme sehen nur öffentliche Partner und öffentliche Felder."""
        caller = principal()
        public_only = caller.anonymous or not caller.has(
            "coordinator", "admin", "member", "partner"
        )
        with uow() as conn:
            rows, total = store.find_partners(conn, public_only=public_only, **query)
        if public_only:
            rows = [domain.public_view(r) for r in rows]
        return {
            "items": rows,
            "total": total,
            "page": query["page"],
            "page_size": query["page_size"],
        }

    @roles("coordinator", "admin")
    @partners_bp.arguments(PartnerIn)
    @partners_bp.response(201, PartnerOut)
    def post(self, data, tenant):
        """Partner anlegen (Koordinierungsstelle)."""
        with uow() as conn:
            return store.create_partner(conn, tenant, data)


@partners_bp.route("/<uuid:partner_id>")
class Partner(MethodView):
    @partners_bp.response(200, PartnerOut)
    def get(self, tenant, partner_id):
        """Einen Partner lesen."""
        caller = principal()
        with uow() as conn:
            row = store.get_partner(conn, partner_id)
        if caller.anonymous or not caller.has("coordinator", "admin", "member", "partner"):
            if not row["public"]:
                from shared.errors import NotFound

                raise NotFound(f"Einen Partner {partner_id} gibt es nicht.")
            return domain.public_view(row)
        return row

    @roles("coordinator", "admin")
    @partners_bp.arguments(PartnerPatch)
    @partners_bp.response(200, PartnerOut)
    def patch(self, data, tenant, partner_id):
        """Einen Partner ändern (Koordinierungsstelle)."""
        with uow() as conn:
            return store.update_partner(conn, tenant, partner_id, data)


@bodies_bp.route("")
class Bodies(MethodView):
    @bodies_bp.response(200, BodyOut(many=True))
    def get(self, tenant):
        """Die Gremien des Netzwerks, wie konfiguriert."""
        return current_tenant().bodies


@bodies_bp.route("/<key>")
class Body(MethodView):
    @bodies_bp.response(200, BodyOut)
    def get(self, tenant, key):
        """Ein Gremium; Angemeldete sehen auch seine Mitglieder."""
        body = dict(domain.body_of(tenant_rules(), key))
        if not principal().anonymous:
            with uow() as conn:
                body["members"] = store.list_members(conn, key)
        return body


@bodies_bp.route("/<key>/members")
class Members(MethodView):
    @roles()
    @bodies_bp.response(200, MemberOut(many=True))
    def get(self, tenant, key):
        """Mitglieder eines Gremiums (angemeldet)."""
        domain.body_of(tenant_rules(), key)
        with uow() as conn:
            return store.list_members(conn, key)

    @roles("coordinator", "admin")
    @bodies_bp.arguments(MemberIn)
    @bodies_bp.response(201, MemberOut)
    def post(self, data, tenant, key):
        """Eine Person in das Gremium aufnehmen (Koordinierungsstelle)."""
        domain.body_of(tenant_rules(), key)
        with uow() as conn:
            return store.add_member(conn, tenant, key, data)


@bodies_bp.route("/<key>/members/<person_id>")
class Member(MethodView):
    @roles("coordinator", "admin")
    @bodies_bp.response(204)
    def delete(self, tenant, key, person_id):
        """Eine Person aus dem Gremium entfernen (Koordinierungsstelle)."""
        domain.body_of(tenant_rules(), key)
        with uow() as conn:
            store.remove_member(conn, tenant, key, person_id)


BLUEPRINTS = (rules_bp, partners_bp, bodies_bp)
