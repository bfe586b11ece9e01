"""Routes of the directories: partner overviews, sharing, doctors, offers, the matrix."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import directories as handlers
from knotenpunkt.services.membership.schemas.directories import (
    DoctorIn,
    DoctorOut,
    DoctorPatch,
    DoctorQuery,
    MatrixOut,
    OfferIn,
    OfferOut,
    OfferPatch,
    OfferQuery,
    PublicationOut,
    PublicationSummary,
    ResponsibilityIn,
    ResponsibilityOut,
    SharedOut,
)
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.outputs import csv_document
from knotenpunkt.shared.web import context, service_context, uow

directory_bp = Blueprint(
    "directory",
    __name__,
    url_prefix="/api/v1/<tenant>/directory",
    description="Veröffentlichte Partnerübersichten und geteiltes Verzeichnis",
)
doctors_bp = Blueprint(
    "doctors",
    __name__,
    url_prefix="/api/v1/<tenant>/doctors",
    description="Ärzte mit Sprachkompetenzen",
)
offers_bp = Blueprint(
    "offers",
    __name__,
    url_prefix="/api/v1/<tenant>/offers",
    description="Angebote für Migrantinnen und Migranten",
)
resp_bp = Blueprint(
    "responsibilities",
    __name__,
    url_prefix="/api/v1/<tenant>",
    description="Zuständigkeitsmatrix (Schnittstellenpapier)",
)
CSV_HEADER = ["Akteur", "Thema", "Zuständigkeit", "Ansprechperson", "E-Mail", "Telefon"]
CSV_COLUMNS = ("actor", "topic", "responsibility", "contact_name", "contact_email", "contact_phone")


@directory_bp.route("/publications")
class Publications(MethodView):
    @allows("public")
    @directory_bp.response(200, PublicationSummary(many=True))
    def get(self, tenant):
        """Alle veröffentlichten Partnerübersichten (öffentlich)."""
        with uow() as conn:
            return handlers.list_publications(conn, context())

    @allows("manage")
    @directory_bp.response(201, PublicationOut)
    def post(self, tenant):
        """Jetzt eine Partnerübersicht veröffentlichen (neue Partner seit der letzten gekennzeichnet)."""
        with uow() as conn:
            return handlers.publish_directory(handlers.PublishDirectory(), conn, context())


@directory_bp.route("/publications/latest")
class LatestPublication(MethodView):
    @allows("public")
    @directory_bp.response(200, PublicationOut)
    def get(self, tenant):
        """Die neueste Partnerübersicht (öffentlich)."""
        with uow() as conn:
            return handlers.latest_publication(conn, context())


@directory_bp.route("/publications/<uuid:publication_id>")
class PublicationById(MethodView):
    @allows("public")
    @directory_bp.response(200, PublicationOut)
    def get(self, tenant, publication_id):
        """Eine bestimmte Partnerübersicht (öffentlich)."""
        with uow() as conn:
            return handlers.get_publication(conn, context(), publication_id=publication_id)


@directory_bp.route("/shared")
class Shared(MethodView):
    @allows("shared_directory")
    @directory_bp.response(200, SharedOut(many=True))
    def get(self, tenant):
        """Was die anderen Netzwerke teilen: als geteilt markierte Partner und Ansprechpartner."""
        service = service_context()
        return handlers.shared_directory(
            context(), networks=service.tenants, transaction=service.database().transaction
        )


@doctors_bp.route("")
class Doctors(MethodView):
    @allows("public")
    @doctors_bp.arguments(DoctorQuery, location="query")
    @doctors_bp.response(200, DoctorOut(many=True))
    def get(self, query, tenant):
        """Ärzte mit Sprachkompetenzen suchen (öffentlich); lange nicht geprüfte sind markiert."""
        with uow() as conn:
            return handlers.find_doctors(conn, context(), **query)

    @allows("manage")
    @doctors_bp.arguments(DoctorIn)
    @doctors_bp.response(201, DoctorOut)
    def post(self, data, tenant):
        """Einen Arzt eintragen."""
        with uow() as conn:
            return handlers.create_doctor(handlers.CreateDoctor(**data), conn, context())


@doctors_bp.route("/<uuid:doctor_id>")
class Doctor(MethodView):
    @allows("manage")
    @doctors_bp.arguments(DoctorPatch)
    @doctors_bp.response(200, DoctorOut)
    def patch(self, data, tenant, doctor_id):
        """Einen Eintrag ändern oder als geprüft bestätigen (last_verified)."""
        with uow() as conn:
            return handlers.update_doctor(handlers.UpdateDoctor(doctor_id, data), conn, context())

    @allows("manage")
    @doctors_bp.response(204)
    def delete(self, tenant, doctor_id):
        """Einen Eintrag löschen."""
        with uow() as conn:
            handlers.delete_doctor(handlers.DeleteDoctor(doctor_id), conn, context())


@offers_bp.route("")
class Offers(MethodView):
    @allows("public")
    @offers_bp.arguments(OfferQuery, location="query")
    @offers_bp.response(200, OfferOut(many=True))
    def get(self, query, tenant):
        """Angebote für Migrantinnen und Migranten (öffentlich)."""
        with uow() as conn:
            return handlers.find_offers(conn, context(), **query)

    @allows("manage")
    @offers_bp.arguments(OfferIn)
    @offers_bp.response(201, OfferOut)
    def post(self, data, tenant):
        """Ein Angebot eintragen."""
        with uow() as conn:
            return handlers.create_offer(handlers.CreateOffer(**data), conn, context())


@offers_bp.route("/<uuid:offer_id>")
class Offer(MethodView):
    @allows("manage")
    @offers_bp.arguments(OfferPatch)
    @offers_bp.response(200, OfferOut)
    def patch(self, data, tenant, offer_id):
        """Ein Angebot ändern."""
        with uow() as conn:
            return handlers.update_offer(handlers.UpdateOffer(offer_id, data), conn, context())

    @allows("manage")
    @offers_bp.response(204)
    def delete(self, tenant, offer_id):
        """Ein Angebot löschen."""
        with uow() as conn:
            handlers.delete_offer(handlers.DeleteOffer(offer_id), conn, context())


@resp_bp.route("/responsibilities")
class Responsibilities(MethodView):
    @allows("public")
    @resp_bp.response(200, MatrixOut)
    def get(self, tenant):
        """Die Zuständigkeitsmatrix: Akteur × Thema → Zuständigkeit und Ansprechperson (öffentlich)."""
        with uow() as conn:
            return handlers.responsibility_matrix(conn, context())

    @allows("manage")
    @resp_bp.arguments(ResponsibilityIn)
    @resp_bp.response(200, ResponsibilityOut)
    def put(self, data, tenant):
        """Eine Zelle der Matrix setzen (Akteur und Thema bestimmen die Zelle)."""
        with uow() as conn:
            return handlers.put_responsibility(handlers.PutResponsibility(**data), conn, context())


@resp_bp.route("/responsibilities.csv")
class ResponsibilitiesCsv(MethodView):
    @allows("public")
    @resp_bp.response(200, content_type="text/csv")
    def get(self, tenant):
        """Die Zuständigkeitsmatrix als CSV (öffentlich, Semikolon, UTF-8)."""
        with uow() as conn:
            cells = handlers.responsibility_matrix(conn, context())["cells"]
        return Response(
            csv_document(CSV_HEADER, ([c[k] for k in CSV_COLUMNS] for c in cells)),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="zustaendigkeiten-{tenant}.csv"'
            },
        )
