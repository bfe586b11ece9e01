"""Schemas of imports (upload, mapping, choices, preview, log) and of exports."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from knotenpunkt.services.membership.domain.imports import ACTIONS, KINDS, VERDICTS

FORMATS = ("xlsx", "csv")


class UploadForm(Schema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(tuple(KINDS)),
        metadata={"description": "Was die Tabelle enthält: partners, contacts, responsibilities"},
    )


class UploadFiles(Schema):
    file = Upload(required=True, metadata={"description": "XLSX, ODS oder CSV"})


class MappingIn(Schema):
    mapping = fields.List(
        fields.String(allow_none=True, validate=validate.Length(max=50)),
        required=True,
        validate=validate.Length(max=200),
        metadata={"description": "Je Spalte das Feld (oder null: Spalte ignorieren)"},
    )


class ApplyIn(Schema):
    choices = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^\d{1,6}$", error="must be a row number")),
        values=fields.String(validate=validate.OneOf(ACTIONS)),
        load_default=dict,
        metadata={"description": "Je Zeile (Zeilennummer der Datei): create, update oder skip"},
    )


class PreviewQuery(Schema):
    verdict = fields.String(load_default=None, validate=validate.OneOf(VERDICTS))


class FormatQuery(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS))


class MatrixQuery(FormatQuery):
    layout = fields.String(
        load_default="matrix",
        validate=validate.OneOf(("matrix", "list")),
        metadata={"description": "CSV: die Matrix (Akteure × Themen) oder die flache Liste"},
    )


class ImportLogOut(Schema):
    id = fields.UUID()
    kind = fields.String()
    filename = fields.String()
    format = fields.String()
    status = fields.String()
    counts = fields.Dict()
    created_by = fields.String()
    created_at = fields.DateTime()
    applied_by = fields.String(allow_none=True)
    applied_at = fields.DateTime(allow_none=True)
    undone_by = fields.String(allow_none=True)
    undone_at = fields.DateTime(allow_none=True)


class ImportOut(ImportLogOut):
    mapping = fields.Dict()
    rows = fields.List(fields.Dict())
