"""Tokens: roles and bodies come through; another tenant's or a bad token is refused."""

from __future__ import annotations

import jwt
import pytest

from knotenpunkt.shared.auth import TokenVerifier, issue_token, require
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.errors import Forbidden, Unauthorized

S = Settings()


def test_round_trip():
    tok = issue_token(
        S, tenant="chemnitz", roles=["member"], bodies=["vorbereitungsgremium"], sub="anna"
    )
    p = TokenVerifier(S).verify(tok, "chemnitz")
    assert p.sub == "anna" and p.has("member") and "vorbereitungsgremium" in p.bodies


def test_token_of_another_tenant_is_forbidden():
    tok = issue_token(S, tenant="chemnitz", roles=["coordinator"])
    with pytest.raises(Forbidden, match="nicht für 'magdeburg'"):
        TokenVerifier(S).verify(tok, "magdeburg")


def test_expired_and_badly_signed_tokens():
    expired = issue_token(S, tenant="chemnitz", roles=["member"], ttl_seconds=-10)
    with pytest.raises(Unauthorized, match="abgelaufen"):
        TokenVerifier(S).verify(expired, "chemnitz")
    forged = jwt.encode(
        {"sub": "x", "tenant": "chemnitz", "exp": 9999999999},
        "wrong-secret-wrong-secret-wrong-secret",
    )
    with pytest.raises(Unauthorized):
        TokenVerifier(S).verify(forged, "chemnitz")


def test_unknown_role_is_refused_when_issuing():
    with pytest.raises(ValueError, match="unknown role"):
        issue_token(S, tenant="chemnitz", roles=["mayor"])


def test_require_roles():
    p = TokenVerifier(S).verify(issue_token(S, tenant="chemnitz", roles=["partner"]), "chemnitz")
    assert require(p, "partner") is p
    with pytest.raises(Forbidden):
        require(p, "coordinator")


def _signed(claims: dict) -> str:
    base = {"sub": "x", "tenant": "chemnitz", "exp": 9999999999}
    base.update(iss=S.jwt_issuer, aud=S.jwt_audience)
    return jwt.encode({**base, **claims}, S.jwt_secret, algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"bodies": [{}]},
        {"bodies": "vorbereitungsgremium"},
        {"roles": [["coordinator"]]},
        {"roles": "coordinator"},
        {"partner_id": {"id": 1}},
        {"sub": ["a"]},
    ],
)
def test_claims_of_the_wrong_shape_are_refused(claims):
    with pytest.raises(Unauthorized, match="ungültig"):
        TokenVerifier(S).verify(_signed(claims), "chemnitz")


def test_library_error_text_is_not_echoed():
    with pytest.raises(Unauthorized) as err:
        TokenVerifier(S).verify("not.a.jwt", "chemnitz")
    assert "Invalid" not in err.value.detail and "header" not in err.value.detail.lower()


def test_access_table_federation_reaches_the_shared_directory_only():
    from knotenpunkt.shared.access import ACCESS, check, may
    from knotenpunkt.shared.auth import ANONYMOUS, Principal

    federation = Principal(sub="peer", tenant="chemnitz", roles=frozenset({"federation"}))
    assert [a for a in ACCESS if may(federation, a)] == ["shared_directory"]
    assert [a for a in ACCESS if may(ANONYMOUS, a)] == ["public"]
    with pytest.raises(Unauthorized):
        check(ANONYMOUS, "internal")
    with pytest.raises(Forbidden):
        check(federation, "internal")
