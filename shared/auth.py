"""Bearer JWT authentication: claims sub, tenant, roles, bodies, partner_id.

HS256 with a shared secret in development; RS256 against an OIDC provider's
JWKS (JWT_JWKS_URL) in production. A token for one tenant never works for
another.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field

import jwt

from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.errors import Forbidden, Unauthorized

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
        self.claims = {
            "tenant": settings.jwt_tenant_claim,
            "roles": settings.jwt_roles_claim,
            "bodies": settings.jwt_bodies_claim,
            "partner_id": settings.jwt_partner_claim,
            "person_id": settings.jwt_person_claim,
        }

    def verify(self, token: str, tenant: str) -> Principal:
        """Decode the token and check it is for this tenant.

        Raises Unauthorized for a missing, malformed, expired or badly signed
        token and Forbidden for a token of another tenant.
        """
        try:
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
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
        return Principal(
            sub=str(claims["sub"]),
            tenant=tenant,
            roles=frozenset(r for r in roles if r in ROLES),
            bodies=frozenset(bodies),
            partner_id=partner_id,
            person_id=str(person_id) if person_id is not None else None,
            verified_email=email.strip().lower() if isinstance(email, str) and email else None,
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
