"""Routes of the network's rules, partners, bodies (members) and contacts."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import partners as handlers
from knotenpunkt.services.membership.handlers import privacy
from knotenpunkt.services.membership.schemas.partners import (
    BodyOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    MemberIn,
    MemberOut,
    PartnerIn,
    PartnerOut,
    PartnerPage,
    PartnerPatch,
    PartnerQuery,
)
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.web import conditional, context, principal, read_uow, uow, version_read

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
contacts_bp = Blueprint(
    "contacts",
    __name__,
    url_prefix="/api/v1/<tenant>/contacts",
    description="Ansprechpartner (personenbezogene Daten)",
)


@rules_bp.route("/rules")
class Rules(MethodView):
    @allows("public")
    @rules_bp.response(200)
    def get(self, tenant):
        """Die Regeln des Netzwerks, wie sie in seiner Datei stehen (öffentlich)."""
        return handlers.network_rules(context())


# The hot public read keeps one instance of each schema: given a class, webargs and
# flask-smorest build (and deep-copy the fields of) a new one on every request.
PARTNER_QUERY, PARTNER_PAGE = PartnerQuery(), PartnerPage()


@partners_bp.route("")
class Partners(MethodView):
    @allows("public")
    @partners_bp.arguments(PARTNER_QUERY, location="query")
    @partners_bp.response(200, PARTNER_PAGE)
    @partners_bp.alt_response(304, description="Unverändert seit dem ETag (If-None-Match)")
    def get(self, query, tenant):
        """Partner suchen; Anonyme sehen nur öffentliche Partner und öffentliche Felder.
        Mit ETag: If-None-Match beantwortet eine unveränderte Seite mit 304; öffentlich
        (anonym) eine Minute zwischenspeicherbar, angemeldet nur privat."""
        caller, use_case = principal(), context()
        with version_read() as conn:
            version = handlers.partner_list_version(conn, use_case, caller=caller, **query)

        def page():
            with read_uow() as conn:
                found = handlers.find_partners(conn, use_case, caller=caller, **query)
                return PARTNER_PAGE.dump(found)

        return conditional(version, page, public=caller.anonymous)

    @allows("manage")
    @partners_bp.arguments(PartnerIn)
    @partners_bp.response(201, PartnerOut)
    def post(self, data, tenant):
        """Partner anlegen (Koordinierungsstelle)."""
        with uow() as conn:
            return handlers.create_partner(handlers.CreatePartner(**data), conn, context())


@partners_bp.route("/<uuid:partner_id>")
class Partner(MethodView):
    @allows("public")
    @partners_bp.response(200, PartnerOut)
    def get(self, tenant, partner_id):
        """Einen Partner lesen."""
        with uow() as conn:
            return handlers.get_partner(conn, context(), partner_id=partner_id, caller=principal())

    @allows("manage")
    @partners_bp.arguments(PartnerPatch)
    @partners_bp.response(200, PartnerOut)
    def patch(self, data, tenant, partner_id):
        """Einen Partner ändern (Koordinierungsstelle)."""
        with uow() as conn:
            return handlers.update_partner(
                handlers.UpdatePartner(partner_id, data), conn, context()
            )


@bodies_bp.route("")
class Bodies(MethodView):
    @allows("public")
    @bodies_bp.response(200, BodyOut(many=True))
    def get(self, tenant):
        """Die Gremien des Netzwerks, wie konfiguriert."""
        return handlers.list_bodies(context())


@bodies_bp.route("/<key>")
class Body(MethodView):
    @allows("public")
    @bodies_bp.response(200, BodyOut)
    def get(self, tenant, key):
        """Ein Gremium; Angemeldete sehen auch seine Mitglieder."""
        with uow() as conn:
            return handlers.get_body(conn, context(), key=key, caller=principal())


@bodies_bp.route("/<key>/members")
class Members(MethodView):
    @allows("internal")
    @bodies_bp.response(200, MemberOut(many=True))
    def get(self, tenant, key):
        """Mitglieder eines Gremiums (angemeldet)."""
        with uow() as conn:
            return handlers.list_body_members(conn, context(), key=key)

    @allows("manage")
    @bodies_bp.arguments(MemberIn)
    @bodies_bp.response(201, MemberOut)
    def post(self, data, tenant, key):
        """Eine Person in das Gremium aufnehmen (Koordinierungsstelle)."""
        with uow() as conn:
            return handlers.add_body_member(
                handlers.AddBodyMember(body=key, **data), conn, context()
            )


@bodies_bp.route("/<key>/members/<person_id>")
class Member(MethodView):
    @allows("manage")
    @bodies_bp.response(204)
    def delete(self, tenant, key, person_id):
        """Eine Person aus dem Gremium entfernen (Koordinierungsstelle)."""
        with uow() as conn:
            handlers.remove_body_member(handlers.RemoveBodyMember(key, person_id), conn, context())


@contacts_bp.route("")
class Contacts(MethodView):
    @allows("public")
    @contacts_bp.response(200, ContactOut(many=True))
    def get(self, tenant):
        """Ansprechpartner; Anonyme sehen nur die als öffentlich markierten."""
        with uow() as conn:
            return handlers.find_contacts(conn, context(), caller=principal())

    @allows("manage")
    @contacts_bp.arguments(ContactIn)
    @contacts_bp.response(201, ContactOut)
    def post(self, data, tenant):
        """Ansprechpartner anlegen; Rechtsgrundlage (und bei Einwilligung deren Zeitpunkt) ist Pflicht."""
        with uow() as conn:
            return handlers.create_contact(handlers.CreateContact(**data), conn, context())


@contacts_bp.route("/<uuid:contact_id>")
class Contact(MethodView):
    @allows("public")
    @contacts_bp.response(200, ContactOut)
    def get(self, tenant, contact_id):
        """Eine Kontaktperson."""
        with uow() as conn:
            return handlers.get_contact(conn, context(), contact_id=contact_id, caller=principal())

    @allows("manage")
    @contacts_bp.arguments(ContactPatch)
    @contacts_bp.response(200, ContactOut)
    def patch(self, data, tenant, contact_id):
        """Eine Kontaktperson ändern."""
        with uow() as conn:
            return handlers.update_contact(
                handlers.UpdateContact(contact_id, data), conn, context()
            )

    @allows("manage")
    @contacts_bp.response(204)
    def delete(self, tenant, contact_id):
        """Die Person löschen (Recht auf Löschung); andere Dienste löschen ihre Kopien."""
        with uow() as conn:
            privacy.erase_contact(privacy.EraseContact(contact_id), conn, context())


@contacts_bp.route("/<uuid:contact_id>/export")
class ContactExport(MethodView):
    @allows("manage")
    @contacts_bp.response(200)
    def get(self, tenant, contact_id):
        """Alles, was über die Person gespeichert ist (Auskunft nach Art. 15 DSGVO)."""
        with uow() as conn:
            return privacy.export_contact(conn, context(), contact_id=contact_id)
