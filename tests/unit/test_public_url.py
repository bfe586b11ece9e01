"""PUBLIC_URL is the one origin: the mails' portal links and the federation issuer follow it."""

from __future__ import annotations

from knotenpunkt.shared.config import from_env


def test_the_default_origin_is_the_portals_port():
    s = from_env({})
    assert s.public_url == s.portal_url == s.federation_url == "http://127.0.0.1:8000"


def test_public_url_sets_every_base():
    s = from_env({"PUBLIC_URL": "https://knotenpunkt.example.org/"})
    assert s.public_url == "https://knotenpunkt.example.org"
    assert s.portal_url == s.federation_url == s.public_url


def test_the_old_overrides_still_win():
    s = from_env(
        {
            "PUBLIC_URL": "https://a.example.org",
            "PORTAL_PUBLIC_URL": "https://portal.example.org",
            "FEDERATION_URL": "https://peer.example.org",
        }
    )
    assert s.portal_url == "https://portal.example.org"
    assert s.federation_url == "https://peer.example.org"
