"""Bearer JWT authentication: claims sub, tenant, roles, bodies, partner_id.

HS256 with a shared secret in development; RS256 against an OIDC provider's
JWKS (JWT_JWKS_URL) in production. A token for one tenant never works for
another.

Another Knotenpunkt instance (a federation peer) signs its calls with its own key:
a service that trusts peers (membership) gives its TokenVerifier a
:class:`FederationVerifier`, which takes every token of a foreign issuer, looks the
peer up by issuer and network, and checks the token against that peer's key set.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import jwt

from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.errors import Forbidden, Unauthorized
from knotenpunkt.shared.federation import PeerUnreachable, get_pinned

log = logging.getLogger(__name__)

ROLES = ("coordinator", "member", "partner", "admin", "federation")
STAFF = ("coordinator", "admin")


@dataclass(frozen=True)
class Principal:
    """Who is calling: anonymous when sub is None."""

    sub: str | None = None
    tenant: str | None = None
    roles: frozenset = field(default_factory=frozenset)
    bodies: frozenset = field(default_factory=frozenset)
    partner_id: str | None = None
    # The person as the network's lists know them (body members' person_id): the claim
    # JWT_PERSON_CLAIM (a stable external id the login provider maps in), else sub.
    person_id: str | None = None
    # The caller's e-mail address, only when the provider says it is verified.
    verified_email: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.sub is None

    @property
    def person(self) -> str | None:
        """The person id to look the caller up by (person_id claim, else sub)."""
        return self.person_id or self.sub

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


ANONYMOUS = Principal()
# How many verified tokens a verifier keeps (a few MB at most).
MAX_VERIFIED_TOKENS = 4096


def issue_token(
    settings: Settings,
    *,
    tenant: str,
    roles: list[str],
    sub: str | None = None,
    bodies: list[str] | None = None,
    partner_id: str | None = None,
    person_id: str | None = None,
    ttl_seconds: int = 8 * 3600,
) -> str:
    """A development token signed with the shared secret (HS256); raises ValueError for a role."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}; roles: {', '.join(ROLES)}")
    now = int(time.time())
    claims = {
        "sub": sub or f"dev-{uuid.uuid4().hex[:8]}",
        "tenant": tenant,
        "roles": roles,
        "bodies": bodies or [],
        "partner_id": partner_id,
        **({settings.jwt_person_claim: person_id} if person_id else {}),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


class TokenVerifier:
    """Checks bearer tokens against the configured secret or JWKS."""

    def __init__(self, settings: Settings):
        self.settings = settings
        # The key set is cached; a token with an unknown key id refetches it (key rotation),
        # at most once per cooldown.
        self._jwks = (
            jwt.PyJWKClient(
                settings.jwt_jwks_url,
                cache_jwk_set=True,
                lifespan=settings.jwks_cache_seconds,
                cooldown_duration=settings.jwks_refetch_cooldown,
                timeout=5,
            )
            if settings.jwt_jwks_url
            else None
        )
        # Tokens of other instances (federation peers), when the service trusts any.
        self.federation: FederationVerifier | None = None
        # token → (expiry, key id, principal) of the tokens verified lately (see verify)
        self._verified: dict[str, tuple[float, str | None, Principal]] = {}
        self._lock = threading.Lock()
        self.claims = {
            "tenant": settings.jwt_tenant_claim,
            "roles": settings.jwt_roles_claim,
            "bodies": settings.jwt_bodies_claim,
            "partner_id": settings.jwt_partner_claim,
            "person_id": settings.jwt_person_claim,
        }

    def trust_peers(self, federation: FederationVerifier) -> None:
        """Accept the tokens of registered peers too (tokens of any issuer but our own)."""
        self.federation = federation

    def verify(self, token: str, tenant: str) -> Principal:
        """Decode the token and check it is for this tenant.

        Raises Unauthorized for a missing, malformed, expired or badly signed
        token and Forbidden for a token of another tenant.

        A token verified before is not decoded again while it is valid (the same token
        comes with each request of a session): the verified tokens are kept, at most
        MAX_VERIFIED_TOKENS, until they expire; with a JWKS only while their signing key
        is still in the key set (a retired key ends its tokens at once). Peers' tokens are
        never kept.
        """
        hit = self._verified.get(token)
        if hit is not None and self._still_valid(hit):
            who = hit[2]
            if who.tenant != tenant:
                raise Forbidden(
                    f"Das Token gilt für das Netzwerk '{who.tenant}', nicht für '{tenant}' "
                    "(token issued for another tenant)."
                )
            return who
        if self.federation is not None and self.federation.handles(token):
            return self.federation.verify(token, tenant)
        who, exp, kid = self._decode(token, tenant)
        with self._lock:
            if len(self._verified) >= MAX_VERIFIED_TOKENS:
                self._verified.pop(next(iter(self._verified)))  # the oldest
            self._verified[token] = (exp, kid, who)
        return who

    def _still_valid(self, hit: tuple) -> bool:
        exp, kid, _ = hit
        if time.time() >= exp:
            return False  # decoded again: refused as expired
        if self._jwks is None:
            return True
        try:
            return any(k.key_id == kid for k in self._jwks.get_jwk_set().keys)
        except jwt.PyJWTError:
            return False

    def _decode(self, token: str, tenant: str) -> tuple[Principal, float, str | None]:
        """The principal of a token for this tenant, its expiry (epoch seconds) and key id."""
        kid = None
        try:
            if self._jwks is not None:
                signing = self._jwks.get_signing_key_from_jwt(token)
                key, kid = signing.key, signing.key_id
                algorithms = ["RS256"]
            else:
                key = self.settings.jwt_secret
                algorithms = [self.settings.jwt_algorithm]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["sub", "exp"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Das Token ist abgelaufen (token expired).") from exc
        except jwt.PyJWTError as exc:
            # The library's text (key ids, JWKS URL, parser details) stays in the log.
            log.info("token refused: %s: %s", exc.__class__.__name__, exc)
            raise Unauthorized(
                "Das Token ist ungültig (Signatur, Aussteller, Zielgruppe oder Format passen nicht)."
            ) from exc
        token_tenant = claim(claims, self.claims["tenant"])
        if token_tenant is None:
            raise Unauthorized(
                f"Das Token nennt kein Netzwerk (claim '{self.claims['tenant']}' fehlt)."
            )
        if token_tenant != tenant:
            raise Forbidden(
                f"Das Token gilt für das Netzwerk '{token_tenant}', nicht für '{tenant}' "
                "(token issued for another tenant)."
            )
        roles = _string_list(claims, self.claims["roles"])
        bodies = _string_list(claims, self.claims["bodies"])
        partner_id = claim(claims, self.claims["partner_id"])
        if partner_id is not None and not isinstance(partner_id, str):
            raise Unauthorized("Das Token ist ungültig (claim 'partner_id' must be a string).")
        if not isinstance(claims["sub"], str | int) or isinstance(claims["sub"], bool):
            raise Unauthorized("Das Token ist ungültig (claim 'sub' must be a string).")
        person_id = claim(claims, self.claims["person_id"])
        if person_id is not None and not isinstance(person_id, str | int):
            raise Unauthorized(
                f"Das Token ist ungültig (claim '{self.claims['person_id']}' must be a string)."
            )
        email = claims.get("email") if claims.get("email_verified") is True else None
        who = Principal(
            sub=str(claims["sub"]),
            tenant=tenant,
            roles=frozenset(r for r in roles if r in ROLES),
            bodies=frozenset(bodies),
            partner_id=partner_id,
            person_id=str(person_id) if person_id is not None else None,
            verified_email=email.strip().lower() if isinstance(email, str) and email else None,
        )
        return who, float(claims["exp"]), kid


@dataclass(frozen=True)
class PeerTrust:
    """A registered peer as the verifier needs it: where its keys are and whether it is active."""

    peer_id: str
    issuer: str
    jwks_url: str
    active: bool


# lookup(tenant, issuer, caller_tenant) -> the peer the tenant registered for them, or None
PeerLookup = Callable[[str, str, str], "PeerTrust | None"]
# The longest lifetime (iat to exp) of a peer's token.
MAX_FEDERATION_TOKEN_SECONDS = 300


# The largest key set a peer may send.
MAX_JWKS_BYTES = 256 * 1024


class _CheckedJWKClient(jwt.PyJWKClient):
    """A peer's key set, fetched only from a public address over https (unless internal ones
    are allowed), from exactly the address that was checked (shared.federation.get_pinned)."""

    def __init__(self, uri: str, allow_internal: bool, **kwargs):
        super().__init__(uri, **kwargs)
        self.allow_internal = allow_internal

    def fetch_data(self):
        # PyJWKClient.fetch_data with the pinned GET in place of urllib (PyJWT 2.15: the
        # payload check, the cache and the time of the last fetch as it keeps them).
        try:
            answer = get_pinned(
                self.uri,
                {"Accept": "application/json", **(self.headers or {})},
                allow_internal=self.allow_internal,
                timeout=self.timeout,
                max_bytes=MAX_JWKS_BYTES,
            )
        except PeerUnreachable as exc:
            raise jwt.PyJWKClientConnectionError(f"key set not fetched: {exc.reason}") from exc
        if answer.status != 200:
            raise jwt.PyJWKClientConnectionError(f"key set not fetched: HTTP {answer.status}")
        try:
            payload = json.loads(answer.body)
        except ValueError as exc:
            raise jwt.PyJWKClientError("The JWKS endpoint did not return JSON") from exc
        jwk_set = self._as_jwk_set_payload(payload)
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(jwk_set)
        self._last_successful_fetch = time.monotonic()
        return jwk_set


class FederationVerifier:
    """Checks the RS256 tokens of other Knotenpunkt instances against the key set of the
    peer the called network registered (looked up by ``iss`` and ``sub``, the calling
    network).

    An unknown issuer is 401, a token for another network 403, a disabled peer 403 (after
    its signature was checked). The principal has the role ``federation`` only, whatever
    the token claims.
    """

    def __init__(self, settings: Settings, lookup: PeerLookup):
        self.settings = settings
        self.lookup = lookup
        self.audience = settings.federation_url.strip().rstrip("/")
        self._clients: dict[str, jwt.PyJWKClient] = {}
        self._lock = threading.Lock()

    def handles(self, token: str) -> bool:
        """Whether the token is a peer's: RS256 from an issuer that is not our login's."""
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return False
        issuer = claims.get("iss")
        return (
            header.get("alg") == "RS256"
            and isinstance(issuer, str)
            and issuer != self.settings.jwt_issuer
        )

    def _client(self, jwks_url: str) -> jwt.PyJWKClient:
        with self._lock:
            client = self._clients.get(jwks_url)
            if client is None:
                client = _CheckedJWKClient(
                    jwks_url,
                    self.settings.federation_allow_internal,
                    cache_jwk_set=True,
                    lifespan=self.settings.jwks_cache_seconds,
                    cooldown_duration=self.settings.jwks_refetch_cooldown,
                    timeout=min(self.settings.federation_timeout, 10.0),
                )
                self._clients[jwks_url] = client
            return client

    def verify(self, token: str, tenant: str | None) -> Principal:
        """The peer calling; raises Unauthorized (unknown issuer, bad signature, expired,
        too long-lived) or Forbidden (another network, peer disabled)."""
        unverified = jwt.decode(token, options={"verify_signature": False})
        issuer, caller = unverified.get("iss"), unverified.get("sub")
        if not tenant or not isinstance(caller, str):
            raise Unauthorized("Das Token ist ungültig (claim 'sub' must name a network).")
        trust = self.lookup(tenant, issuer, caller)
        if trust is None:
            log.info("federation token refused: unknown issuer %r (network %r)", issuer, caller)
            raise Unauthorized(
                "Das Token stammt von einer Instanz, die dieses Netzwerk nicht als Partner "
                "registriert hat (unknown issuer)."
            )
        try:
            key = self._client(trust.jwks_url).get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=trust.issuer,
                options={"require": ["iss", "sub", "aud", "iat", "exp"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Das Token ist abgelaufen (token expired).") from exc
        except jwt.PyJWTError as exc:
            log.info("federation token refused: %s: %s", exc.__class__.__name__, exc)
            raise Unauthorized(
                "Das Token ist ungültig (Signatur, Aussteller, Zielgruppe oder Format passen "
                "nicht)."
            ) from exc
        lifetime = claims["exp"] - claims["iat"]
        if not isinstance(lifetime, int | float) or lifetime > MAX_FEDERATION_TOKEN_SECONDS:
            raise Unauthorized(
                f"Das Token gilt zu lange (höchstens {MAX_FEDERATION_TOKEN_SECONDS} Sekunden)."
            )
        if claims.get("tenant") != tenant:
            raise Forbidden(
                f"Das Token gilt nicht für das Netzwerk '{tenant}' (token issued for another "
                "tenant)."
            )
        if not trust.active:
            raise Forbidden("Dieser Partner-Knoten ist deaktiviert (peer disabled).")
        return Principal(
            sub=f"federation:{trust.peer_id}", tenant=tenant, roles=frozenset({"federation"})
        )


def claim(claims: dict, path: str):
    """The value at a dotted claim path (Keycloak: ``realm_access.roles``), or None."""
    value = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _string_list(claims: dict, name: str) -> list[str]:
    value = claim(claims, name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Unauthorized(f"Das Token ist ungültig (claim '{name}' must be a list of strings).")
    return value


def require(principal: Principal, *roles: str) -> Principal:
    """Raises Unauthorized for anonymous callers, Forbidden without one of the roles."""
    if principal.anonymous:
        raise Unauthorized("Für diese Anfrage ist eine Anmeldung nötig (bearer token required).")
    if roles and not principal.has(*roles):
        raise Forbidden(f"Dafür ist eine dieser Rollen nötig: {', '.join(roles)} (role required).")
    return principal
