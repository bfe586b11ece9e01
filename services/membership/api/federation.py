"""Routes of federation between deployments: peers (the instance operator's registry), the
sync on demand, the shared directory peers pull, and the search across networks.

Registering the blueprint also wires what is not a route of the API: the public key set at
``/.well-known/jwks.json`` (a plain Flask route, outside the OpenAPI document) of the HTTP
client's keys (dependency ``federation``, from ``bootstrap.deps`` as every dependency) and the
check of peers' tokens in the app's TokenVerifier.
"""

from __future__ import annotations

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from knotenpunkt.services.membership.handlers import directory_search, federation, peers
from knotenpunkt.services.membership.schemas.federation import (
    DirectoryPageOut,
    DirectoryQuery,
    PeerIn,
    PeerOut,
    PeerPatch,
    SearchOut,
    SearchQuery,
    SyncReportOut,
    SystemOut,
)
from knotenpunkt.shared.access import allows
from knotenpunkt.shared.auth import FederationVerifier
from knotenpunkt.shared.usecase import Context
from knotenpunkt.shared.web import context, principal, uow

federation_bp = Blueprint(
    "federation",
    __name__,
    url_prefix="/api/v1/<tenant>/federation",
    description="Föderation mit Netzwerken anderer Instanzen: Partner-Knoten und geteiltes Verzeichnis",
)
search_bp = Blueprint(
    "directory_search",
    __name__,
    url_prefix="/api/v1/<tenant>/directory",
    description="Eine Suche über das eigene Netzwerk und die Partner-Knoten",
)
JWKS_PATH = "/.well-known/jwks.json"


def _wire(state) -> None:
    app = state.app
    service = app.extensions["knotenpunkt"]
    keys = service.deps["federation"].keys

    def lookup(tenant: str, issuer: str, caller: str):
        if tenant not in service.tenants:
            return None
        ctx = Context(
            settings=service.settings,
            tenant=service.tenants.get(tenant),
            now=service.clock(),
            deps=service.deps,
            service=service.service,
        )
        with service.database().transaction(tenant) as conn:
            return peers.trusted_peer(conn, ctx, issuer=issuer, remote_tenant=caller)

    service.verifier.trust_peers(FederationVerifier(service.settings, lookup))

    def jwks():
        """The instance's public signing keys (federation peers verify its calls with them)."""
        resp = jsonify(keys.jwks())
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    app.add_url_rule(JWKS_PATH, "federation_jwks", jwks, methods=["GET"])


federation_bp.record_once(_wire)


@federation_bp.route("/system")
class System(MethodView):
    @allows("public")
    @federation_bp.response(200, SystemOut)
    def get(self, tenant):
        """Was dieses Netzwerk anderen Instanzen über sich sagt (Aussteller, Schlüssel): eine
        Instanz prüft es, bevor sie es als Partner-Knoten registriert."""
        return federation.federation_system(context())


@federation_bp.route("/peers")
class Peers(MethodView):
    @allows("manage")
    @federation_bp.response(200, PeerOut(many=True))
    def get(self, tenant):
        """Die registrierten Partner-Knoten mit Stand des Abgleichs."""
        with uow() as conn:
            return peers.list_peers(conn, context())

    @allows("manage")
    @federation_bp.arguments(PeerIn)
    @federation_bp.response(201, PeerOut)
    def post(self, data, tenant):
        """Einen Partner-Knoten registrieren: ein Netzwerk einer anderen Instanz, deren Tokens
        gegen ihre Schlüssel (jwks_url) geprüft werden und deren geteiltes Verzeichnis
        abgeglichen wird (Betreiber der Instanz)."""
        with uow() as conn:
            return peers.register_peer(peers.RegisterPeer(**data), conn, context())


@federation_bp.route("/peers/<uuid:peer_id>")
class Peer(MethodView):
    @allows("manage")
    @federation_bp.response(200, PeerOut)
    def get(self, tenant, peer_id):
        """Einen Partner-Knoten lesen."""
        with uow() as conn:
            return peers.get_peer(conn, context(), peer_id=peer_id)

    @allows("manage")
    @federation_bp.arguments(PeerPatch)
    @federation_bp.response(200, PeerOut)
    def patch(self, data, tenant, peer_id):
        """Einen Partner-Knoten ändern oder deaktivieren (status disabled: seine Tokens werden
        abgewiesen, seine Einträge nicht mehr gezeigt und nicht mehr abgeglichen)."""
        with uow() as conn:
            return peers.update_peer(peers.UpdatePeer(peer_id, data), conn, context())

    @allows("manage")
    @federation_bp.response(204)
    def delete(self, tenant, peer_id):
        """Einen Partner-Knoten und alle von ihm gehaltenen Einträge entfernen."""
        with uow() as conn:
            peers.remove_peer(peers.RemovePeer(peer_id), conn, context())


@federation_bp.route("/peers/<uuid:peer_id>/sync")
class PeerSync(MethodView):
    @allows("manage")
    @federation_bp.response(200, SyncReportOut)
    def post(self, tenant, peer_id):
        """Jetzt abgleichen; ist der Partner-Knoten nicht erreichbar, bleiben seine Einträge
        mit ihrem letzten Abgleich (outcome unreachable)."""
        with uow() as conn:
            return federation.sync_peer(federation.SyncPeer(peer_id), conn, context())


@federation_bp.route("/directory")
class SharedDirectory(MethodView):
    @allows("shared_directory")
    @federation_bp.arguments(DirectoryQuery, location="query")
    @federation_bp.response(200, DirectoryPageOut)
    @federation_bp.alt_response(304, description="Unverändert seit dem ETag (If-None-Match)")
    def get(self, query, tenant):
        """Was dieses Netzwerk anderen Instanzen zeigt: geteilte Partner und Ansprechpartner
        (nur Verzeichnisfelder), nach Änderung geordnet, seitenweise (next_page_token); mit
        modified_since auch Grabsteine für nicht mehr Geteiltes. ETag/If-None-Match."""
        with uow() as conn:
            page = federation.shared_directory_page(
                conn,
                context(),
                caller=principal(),
                if_none_match=request.headers.get("If-None-Match"),
                **query,
            )
        headers = {
            "ETag": page["etag"],
            "Cache-Control": "private, no-cache",
            "Vary": "Authorization",
        }
        if page["not_modified"]:
            return Response(status=304, headers=headers)
        return page["body"], headers


@search_bp.route("/search")
class Search(MethodView):
    @allows("manage")
    @search_bp.arguments(SearchQuery, location="query")
    @search_bp.response(200, SearchOut)
    def get(self, query, tenant):
        """Partner und Ansprechpartner im eigenen Netzwerk und bei den Partner-Knoten suchen
        (networks=all); dieselbe Organisation in mehreren Netzwerken erscheint einmal, mit
        allen ihren Netzwerken."""
        with uow() as conn:
            return directory_search.search_directory(conn, context(), **query)
