"""Routes of imports (spreadsheets in: preview, mapping, apply, undo, the log) and exports
(partners, contacts, the responsibility matrix out as XLSX or CSV for German Excel)."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import exports
from knotenpunkt.services.membership.handlers import imports as handlers
from knotenpunkt.services.membership.schemas.imports import (
    ApplyIn,
    FormatQuery,
    ImportLogOut,
    ImportOut,
    MappingIn,
    MatrixQuery,
    PreviewQuery,
    UploadFiles,
    UploadForm,
)
from knotenpunkt.shared import spreadsheets
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.problems import problem
from knotenpunkt.shared.web import context, service_context, uow

imports_bp = Blueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/<tenant>/imports",
    description="Einzug: Tabellen importieren (Vorschau, Zuordnung, Anwenden, Rückgängig)",
)
exports_bp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api/v1/<tenant>/exports",
    description="Listen als Tabelle (XLSX, CSV für Excel)",
)
# multipart framing around the file itself
FORM_OVERHEAD = 64 * 1024


@imports_bp.before_request
def _upload_limit():
    """An upload may be as large as IMPORT_MAX_BYTES (other requests: MAX_BODY_BYTES)."""
    if request.method == "POST" and request.mimetype == "multipart/form-data":
        request.max_content_length = service_context().settings.import_max_bytes + FORM_OVERHEAD


@imports_bp.errorhandler(413)
def _too_large(exc):
    limit = service_context().settings.import_max_bytes
    return problem(
        413,
        "Zu groß",
        f"Die Datei ist zu groß; höchstens {limit / (1024 * 1024):.0f} MiB werden angenommen.",
        type_slug="too-large",
        errors={"file": [f"höchstens {limit} Bytes"]},
    )


def _file(name: str, stem: str, fmt: str, sheets) -> Response:
    if fmt == "csv":
        title, header, rows = sheets[0]
        body, mimetype = spreadsheets.excel_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = spreadsheets.xlsx_book(sheets)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )


@imports_bp.route("")
class Imports(MethodView):
    @allows("coordinate")
    @imports_bp.response(200, ImportLogOut(many=True))
    def get(self, tenant):
        """Das Protokoll der Importe: wer wann was importierte, mit den Zahlen."""
        with uow() as conn:
            return handlers.list_imports(conn, context())

    @allows("coordinate")
    @imports_bp.arguments(UploadForm, location="form")
    @imports_bp.arguments(UploadFiles, location="files")
    @imports_bp.response(201, ImportOut)
    def post(self, form, files, tenant):
        """Eine Tabelle hochladen (multipart: file, kind): ergibt die Vorschau, noch wird nichts
        geschrieben. XLSX, ODS oder CSV (Semikolon oder Komma; UTF-8 oder Windows-1252)."""
        upload = files["file"]
        data = upload.read()
        with uow() as conn:
            return handlers.upload(
                handlers.UploadImport(form["kind"], upload.filename or "", data), conn, context()
            )


@imports_bp.route("/<uuid:import_id>")
class Import(MethodView):
    @allows("coordinate")
    @imports_bp.arguments(PreviewQuery, location="query")
    @imports_bp.response(200, ImportOut)
    def get(self, query, tenant, import_id):
        """Die Vorschau (nach dem Anwenden: was geschah), gefiltert nach Urteil."""
        with uow() as conn:
            return handlers.get_import(conn, context(), import_id=import_id, **query)


@imports_bp.route("/<uuid:import_id>/mapping")
class Mapping(MethodView):
    @allows("coordinate")
    @imports_bp.arguments(MappingIn)
    @imports_bp.response(200, ImportOut)
    def put(self, data, tenant, import_id):
        """Die Zuordnung der Spalten zu Feldern ändern (je Spalte ein Feld oder null)."""
        with uow() as conn:
            return handlers.set_mapping(
                handlers.SetMapping(import_id, data["mapping"]), conn, context()
            )


@imports_bp.route("/<uuid:import_id>/apply")
class Apply(MethodView):
    @allows("coordinate")
    @imports_bp.arguments(ApplyIn)
    @imports_bp.response(200, ImportOut)
    def post(self, data, tenant, import_id):
        """Anwenden: alle gültigen Zeilen in einer Transaktion (mit ihren Ereignissen);
        choices je Zeile: create, update oder skip."""
        with uow() as conn:
            return handlers.apply(handlers.ApplyImport(import_id, data["choices"]), conn, context())


@imports_bp.route("/<uuid:import_id>/undo")
class Undo(MethodView):
    @allows("coordinate")
    @imports_bp.response(200, ImportOut)
    def post(self, tenant, import_id):
        """Den Import als Ganzes rückgängig machen, solange seine Einträge unverändert sind."""
        with uow() as conn:
            return handlers.undo(handlers.UndoImport(import_id), conn, context())


@imports_bp.route("/<uuid:import_id>/errors")
class Errors(MethodView):
    @allows("coordinate")
    @imports_bp.arguments(FormatQuery, location="query")
    @imports_bp.response(200, content_type=spreadsheets.XLSX_TYPE)
    @imports_bp.doc(**spreadsheets.SHEET_DOC)
    def get(self, query, tenant, import_id):
        """Die fehlerhaften Zeilen als Tabelle (mit einer Spalte Fehler), zum Korrigieren."""
        with uow() as conn:
            stem, header, rows = handlers.error_rows(conn, context(), import_id=import_id)
        return _file("errors", stem, query["format"], [("Fehler", header, rows)])


@exports_bp.route("/<what>")
class Export(MethodView):
    @allows("manage")
    @exports_bp.arguments(MatrixQuery, location="query")
    @exports_bp.response(200, content_type=spreadsheets.XLSX_TYPE)
    @exports_bp.doc(**spreadsheets.SHEET_DOC)
    def get(self, query, tenant, what):
        """partners, contacts oder responsibilities (die Zuständigkeitsmatrix) als XLSX oder CSV (für
        Excel: Semikolon, CRLF, UTF-8 mit BOM); deutsch sortiert (DIN 5007)."""
        with uow() as conn:
            sheets = exports.export(conn, context(), what=what, layout=query["layout"])
        return _file(what, f"{what}-{tenant}", query["format"], sheets)
