"""RS256 tokens against a login provider's JWKS served over real HTTP: rotation, issuer, audience, claims.

The provider here is a loopback HTTP server serving keys this test generates
(the boundary to the identity provider); the verifier is the real one.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from knotenpunkt.shared.auth import TokenVerifier
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.errors import Forbidden, Unauthorized

ISSUER = "https://login.example/realms/chemnitz"
CLIENT = "knotenpunkt"


class Provider:
    """A JWKS endpoint whose key set the test can rotate; counts fetches."""

    def __init__(self):
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                provider.fetches += 1
                body = json.dumps({"keys": provider.public_jwks()}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/certs"

    def new_key(self) -> str:
        kid = uuid.uuid4().hex
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return kid

    def public_jwks(self) -> list[dict]:
        out = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            out.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return out

    def token(self, kid: str, key=None, **claims) -> str:
        now = int(time.time())
        body = {
            "sub": str(uuid.uuid4()),
            "iss": ISSUER,
            "aud": CLIENT,
            "iat": now,
            "exp": now + 300,
            "tenant": "chemnitz",
            "realm_access": {"roles": ["coordinator", "offline_access"]},
        }
        body.update(claims)
        return jwt.encode(body, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    p = Provider()
    yield p
    p.stop()


@pytest.fixture
def verifier(provider):
    settings = Settings(
        jwt_jwks_url=provider.url,
        jwt_issuer=ISSUER,
        jwt_audience=CLIENT,
        jwt_roles_claim="realm_access.roles",
        jwks_refetch_cooldown=0,
    )
    return TokenVerifier(settings)


def test_keycloak_shaped_token_is_accepted_with_roles_from_realm_access(provider, verifier):
    kid = provider.new_key()
    who = verifier.verify(provider.token(kid), "chemnitz")
    assert who.roles == frozenset({"coordinator"})  # unknown roles are dropped


def test_key_set_is_cached_and_refetched_for_an_unknown_key_id(provider, verifier):
    old = provider.new_key()
    verifier.verify(provider.token(old), "chemnitz")
    verifier.verify(provider.token(old), "chemnitz")
    assert provider.fetches == 1  # cached
    old_key = provider.keys.pop(old)
    new = provider.new_key()  # the provider rotates its key
    assert verifier.verify(provider.token(new), "chemnitz").has("coordinator")
    assert provider.fetches == 2
    with pytest.raises(Unauthorized):  # the retired key is no longer trusted
        verifier.verify(provider.token(old, key=old_key), "chemnitz")


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"iss": "https://evil.example"}, Unauthorized),
        ({"aud": "another-client"}, Unauthorized),
        ({"exp": int(time.time()) - 10}, Unauthorized),
        ({"tenant": "magdeburg"}, Forbidden),
        ({"tenant": None}, Unauthorized),
    ],
)
def test_wrong_issuer_audience_expiry_or_tenant_is_refused(provider, verifier, claims, error):
    kid = provider.new_key()
    with pytest.raises(error):
        verifier.verify(provider.token(kid, **claims), "chemnitz")


def test_a_token_signed_by_an_unknown_key_is_refused(provider, verifier):
    provider.new_key()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthorized):
        verifier.verify(provider.token("not-published", key=stranger), "chemnitz")


def test_hs256_tokens_are_refused_when_a_jwks_is_configured(provider, verifier):
    provider.new_key()
    forged = jwt.encode(
        {
            "sub": "x",
            "iss": ISSUER,
            "aud": CLIENT,
            "exp": int(time.time()) + 60,
            "tenant": "chemnitz",
        },
        "knotenpunkt-development-secret-change-me!",
        algorithm="HS256",
    )
    with pytest.raises(Unauthorized):
        verifier.verify(forged, "chemnitz")


def test_a_keycloak_user_is_linked_to_the_person_of_the_body_lists(provider, verifier):
    """sub is the provider's UUID; the person id comes from a mapped claim, e-mail only if verified."""
    kid = provider.new_key()
    sub = str(uuid.uuid4())
    who = verifier.verify(
        provider.token(
            kid,
            sub=sub,
            person_id="anna",
            email="Anna@Example.org",
            email_verified=True,
        ),
        "chemnitz",
    )
    assert who.sub == sub and who.person == "anna" and who.verified_email == "anna@example.org"
    plain = verifier.verify(
        provider.token(kid, sub=sub, email="anna@example.org", email_verified=False), "chemnitz"
    )
    assert plain.person == sub and plain.verified_email is None
    with pytest.raises(Unauthorized, match="person_id"):
        verifier.verify(provider.token(kid, person_id={"x": 1}), "chemnitz")
