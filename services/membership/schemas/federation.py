"""Schemas of federation: peers, the sync report, the shared directory page, the search."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from knotenpunkt.services.membership.domain.federation import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PEER_STATUSES,
)
from knotenpunkt.services.membership.schemas.common import Moment, PageOut
from knotenpunkt.shared.schema import PageQuery, patch_of

NETWORK_KEY = validate.Regexp(
    r"^[a-z][a-z0-9_-]{0,62}$", error="must be a network key (a-z, 0-9, _ and -)"
)
URL = validate.Length(min=8, max=500)


class PeerIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    base_url = fields.String(
        required=True,
        validate=URL,
        metadata={"description": "Öffentliche URL der anderen Instanz (ihre FEDERATION_URL)"},
    )
    tenant = fields.String(
        required=True,
        validate=NETWORK_KEY,
        metadata={"description": "Schlüssel des Netzwerks dort"},
    )
    jwks_url = fields.String(
        load_default=None,
        validate=URL,
        metadata={
            "description": "Schlüssel der Instanz (Standard: base_url/.well-known/jwks.json)"
        },
    )
    issuer = fields.String(
        load_default=None,
        validate=URL,
        metadata={"description": "iss ihrer Tokens (Standard: base_url)"},
    )
    status = fields.String(load_default="active", validate=validate.OneOf(PEER_STATUSES))


class PeerPatch(patch_of(PeerIn, "PeerPatchFields")):
    pass


class PeerOut(Schema):
    id = fields.UUID()
    name = fields.String()
    base_url = fields.String()
    tenant = fields.String()
    issuer = fields.String()
    jwks_url = fields.String()
    status = fields.String()
    entries = fields.Integer(metadata={"description": "Einträge, die von dort gehalten werden"})
    last_sync_at = fields.DateTime(allow_none=True)
    last_attempt_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    unreachable_since = fields.DateTime(allow_none=True)
    stale_notified_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "länger als FEDERATION_STALE_HOURS nicht erreichbar: seitdem ist die "
            "Koordinierungsstelle benachrichtigt (leer, sobald er wieder erreichbar ist)"
        },
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SystemOut(Schema):
    issuer = fields.String(metadata={"description": "iss der Tokens dieser Instanz"})
    tenant = fields.String(metadata={"description": "Schlüssel des Netzwerks"})
    name = fields.String()
    jwks_url = fields.String(metadata={"description": "öffentliche Schlüssel der Instanz"})
    shares_directory = fields.Boolean()


class SyncReportOut(Schema):
    peer = fields.Nested(PeerOut)
    outcome = fields.String(metadata={"description": "synced, not_modified oder unreachable"})
    added = fields.Integer()
    updated = fields.Integer()
    removed = fields.Integer()
    refused = fields.Integer(metadata={"description": "fehlerhafte Einträge, nicht übernommen"})
    error = fields.String(allow_none=True)


class DirectoryQuery(Schema):
    modified_since = Moment(
        load_default=None,
        metadata={"description": "nur was sich seitdem änderte (mit Grabsteinen)"},
    )
    page_token = fields.String(load_default=None, validate=validate.Length(min=1, max=500))
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


class DirectoryItemOut(Schema):
    type = fields.String()
    id = fields.String()
    modified_at = fields.String(allow_none=True)
    data = fields.Dict()


class TombstoneOut(Schema):
    type = fields.String()
    id = fields.String()
    removed_at = fields.String()
    reason = fields.String()


class DirectoryPageOut(Schema):
    network = fields.Dict()
    modified_since = fields.String(allow_none=True)
    complete_listing = fields.Boolean()
    total = fields.Integer()
    latest = fields.String(allow_none=True)
    page_size = fields.Integer()
    items = fields.List(fields.Nested(DirectoryItemOut))
    tombstones = fields.List(fields.Nested(TombstoneOut))
    next_page_token = fields.String(allow_none=True)


class SearchQuery(PageQuery):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    networks = fields.String(
        load_default="all",
        validate=validate.Length(min=1, max=500),
        metadata={"description": "all, own oder Netzwerkschlüssel mit Komma"},
    )


class SearchGroupOut(Schema):
    name = fields.String()
    type = fields.String(metadata={"description": "partner oder contact"})
    networks = fields.List(fields.String())
    matched_by = fields.List(fields.String())
    entries = fields.List(fields.Dict())


class SearchOut(PageOut):
    items = fields.List(fields.Nested(SearchGroupOut))
    networks = fields.List(fields.Dict())
