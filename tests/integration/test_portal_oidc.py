"""The portal's OIDC login (authorization code with PKCE S256, state, nonce) against a small
provider served on loopback; the access token it hands out is what the services accept."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request

from knotenpunkt.shared.auth import issue_token
from tests.browser.live import Served, csrf_token, portal_app, serve_services

CLIENT_ID, CLIENT_SECRET = "knotenpunkt-portal", secrets.token_urlsafe(24)


class Provider:
    """Discovery, authorize, token and JWKS endpoints; the person signing in is set by the test."""

    def __init__(self, settings):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.claims = {"sub": "coord-1", "tenant": "chemnitz", "roles": ["coordinator"]}
        self.tamper: dict = {}
        app = Flask("fake-oidc")
        provider = self

        @app.get("/.well-known/openid-configuration")
        def discovery():
            base = provider.url
            return jsonify(
                issuer=base,
                authorization_endpoint=f"{base}/authorize",
                token_endpoint=f"{base}/token",
                jwks_uri=f"{base}/jwks",
                end_session_endpoint=f"{base}/logout",
                code_challenge_methods_supported=["S256"],
            )

        @app.get("/jwks")
        def jwks():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
            return jsonify(keys=[{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}])

        @app.get("/authorize")
        def authorize():
            q = request.args
            assert q["response_type"] == "code" and q["client_id"] == CLIENT_ID
            assert q["code_challenge_method"] == "S256"
            code = secrets.token_urlsafe(16)
            provider.codes[code] = dict(q)
            return redirect(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")

        @app.post("/token")
        def token():
            f = request.form
            grant = provider.codes.pop(f["code"], None)
            auth = request.authorization
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(f["code_verifier"].encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if (
                grant is None
                or auth is None
                or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET)
                or challenge != grant["code_challenge"]
                or f["redirect_uri"] != grant["redirect_uri"]
            ):
                return jsonify(error="invalid_grant"), 400
            now = int(time.time())
            id_claims = {
                **provider.claims,
                "iss": provider.url,
                "aud": CLIENT_ID,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
                "name": "Koordinatorin K.",
                **provider.tamper,
            }
            id_token = jwt.encode(id_claims, provider.key, algorithm="RS256", headers={"kid": "k1"})
            access = issue_token(
                settings,
                tenant=provider.claims["tenant"],
                roles=provider.claims["roles"],
                sub=provider.claims["sub"],
            )
            return jsonify(id_token=id_token, access_token=access, token_type="Bearer")

        self.served = Served(app)
        self.url = self.served.url


@pytest.fixture(scope="module")
def setup(apps, settings):
    services = serve_services(apps)
    provider = Provider(settings)
    portal = portal_app(
        services,
        settings,
        DEV_LOGIN=False,
        OIDC_ISSUER=provider.url,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
    )
    yield portal, provider
    provider.served.stop()
    for s in services.values():
        s.stop()


def start(web, query: str = "") -> dict:
    resp = web.get(f"/anmelden/oidc?tenant=chemnitz{query}")
    assert resp.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["Location"]).query).items()}


def authorize(provider, params: dict) -> str:
    """The provider's answer: the callback path with code and state."""
    resp = requests.get(
        f"{provider.url}/authorize", params=params, allow_redirects=False, timeout=5
    )
    assert resp.status_code == 302
    parts = urlsplit(resp.headers["Location"])
    return f"{parts.path}?{parts.query}"


def test_code_flow_with_pkce_signs_in_and_the_services_accept_the_token(setup):
    portal, provider = setup
    web = portal.test_client()
    params = start(web)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["state"] and params["nonce"] and "openid" in params["scope"].split()
    resp = web.get(authorize(provider, params))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/chemnitz/console/")
    html = web.get("/chemnitz/console/").get_data(as_text=True)
    assert "Angemeldet als Koordinatorin K." in html and "Anträge zu prüfen" in html
    # the development login is off
    assert web.get("/anmelden/entwicklung?tenant=chemnitz").status_code == 404


def test_a_wrong_state_is_refused(setup):
    portal, provider = setup
    web = portal.test_client()
    params = start(web)
    callback = authorize(provider, {**params, "state": "forged"})
    resp = web.get(callback)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/anmelden")
    assert web.get("/chemnitz/console/").status_code == 302  # not signed in


def test_a_wrong_nonce_or_another_tenant_is_refused(setup):
    portal, provider = setup
    for tamper in ({"nonce": "replayed"}, {"tenant": "magdeburg"}):
        provider.tamper = tamper
        try:
            web = portal.test_client()
            resp = web.get(authorize(provider, start(web)))
            assert resp.headers["Location"].endswith("/anmelden"), tamper
            assert web.get("/chemnitz/console/").status_code == 302
        finally:
            provider.tamper = {}


def test_a_callback_without_the_verifier_s_session_is_refused(setup):
    portal, provider = setup
    params = start(portal.test_client())
    other = portal.test_client()  # another browser: no pending login in its session
    resp = other.get(authorize(provider, params))
    assert resp.headers["Location"].endswith("/anmelden")


def test_logout_ends_the_session_at_the_provider_too(setup):
    """RP-initiated logout: the portal's session is gone and the visitor goes on to the
    provider's end_session_endpoint with the ID token as the hint."""
    portal, provider = setup
    web = portal.test_client()
    web.get(authorize(provider, start(web)))
    html = web.get("/chemnitz/console/").get_data(as_text=True)
    resp = web.post("/abmelden", data={"csrf_token": csrf_token(html)})
    assert resp.status_code == 302
    target = urlsplit(resp.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.url}/logout"
    q = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert q["client_id"] == CLIENT_ID and q["post_logout_redirect_uri"] == "http://localhost/"
    assert jwt.decode(q["id_token_hint"], options={"verify_signature": False})["sub"] == "coord-1"
    assert web.get("/chemnitz/console/").status_code == 302  # signed out here
    # the logout form may be answered with the redirect to the provider (CSP form-action)
    assert f"form-action 'self' {provider.url};" in resp.headers["Content-Security-Policy"]


def test_another_network_s_person_is_told_which_claim_says_so(setup):
    portal, provider = setup
    provider.tamper = {"tenant": "magdeburg"}
    try:
        web = portal.test_client()
        resp = web.get(authorize(provider, start(web)), follow_redirects=True)
        html = resp.get_data(as_text=True)
        assert "Claim „tenant“" in html and "„magdeburg“" in html and "„chemnitz“" in html
    finally:
        provider.tamper = {}


def test_the_post_login_next_stays_on_the_site(setup):
    """Issue 27, point 3: the `next` the login carries through the provider is a path of the
    portal or nothing (the console's start page), never another host and never a 500."""
    portal, provider = setup
    for raw in (
        "/%09/evil.example",
        "/%0A/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "/%2F%2Fevil.example",
        "https://evil.example",
        "javascript:alert(1)",
    ):
        web = portal.test_client()
        resp = web.get(authorize(provider, start(web, f"&next={raw}")))
        assert resp.status_code == 302, raw
        assert resp.headers["Location"] == "/chemnitz/console/", (raw, resp.headers["Location"])
    web = portal.test_client()
    resp = web.get(authorize(provider, start(web, "&next=/chemnitz/console/antraege%3Fseite%3D2")))
    assert resp.headers["Location"] == "/chemnitz/console/antraege?seite=2"


def test_the_oidc_login_moves_the_session_to_a_new_id_and_keeps_the_token_off_the_cookie(setup):
    portal, provider = setup
    web = portal.test_client()
    params = start(web)
    before = web.get_cookie("knotenpunkt_portal").value  # the pending login's session
    web.get(authorize(provider, params))
    after = web.get_cookie("knotenpunkt_portal").value
    assert after != before and len(after) == 43 and "eyJ" not in after
    planted = portal.test_client()
    planted.set_cookie("knotenpunkt_portal", before)
    assert planted.get("/chemnitz/console/").status_code == 302
    assert web.get("/chemnitz/console/").status_code == 200
