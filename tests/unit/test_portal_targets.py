"""The one check of every `next` in the portal (targets.safe_next, issue 27 point 3), and the
sealing of the portal's sessions, without a server."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knotenpunkt.services.portal import sessions
from knotenpunkt.services.portal.targets import safe_next

BASE = "https://portal.example/chemnitz/"


def host_a_browser_goes_to(location: str) -> str:
    """As the URL standard reads a Location: tabs and newlines dropped, a backslash a slash."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").strip("\x00 ")
    return urlsplit(urljoin(BASE, cleaned)).netloc


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "/%09/evil.example",
        "/%0a/evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/%5cevil.example",
        "/%2f/evil.example",
        "%2F%2Fevil.example",
        "/%252F%252Fevil.example",
        "/%25252F%25252F%25252Fevil.example",
        "https://evil.example",
        "HTTPS://evil.example",
        "javascript:alert(1)",
        " /evil",
        "/\x00/evil.example",
        "evil.example",
        "",
        None,
        "/" + "a" * 5000,
    ],
)
def test_anything_but_a_path_here_is_the_default(target):
    assert safe_next(target) == "/"
    assert safe_next(target, "/chemnitz/console/") == "/chemnitz/console/"


def test_paths_here_are_kept_and_encoded_for_the_header():
    assert safe_next("/chemnitz/console/?seite=2") == "/chemnitz/console/?seite=2"
    assert safe_next("/chemnitz/partner/Caritas Verband") == "/chemnitz/partner/Caritas%20Verband"
    assert safe_next("/chemnitz/über#oben") == "/chemnitz/%C3%BCber#oben"
    assert (
        safe_next("/chemnitz/partner?q=IHK+Chemnitz&art=x")
        == "/chemnitz/partner?q=IHK+Chemnitz&art=x"
    )
    once = safe_next("/ä ö")
    assert safe_next(once) == once  # what a form hands on again stays the same


PIECES = st.sampled_from(
    ["/", "\\", "\t", "\n", "\r", " ", "%", "%2F", "%5C", "%09", "%25", ".", ":"]
)


@given(st.lists(PIECES | st.text(max_size=3), max_size=15).map("".join))
def test_no_answer_leads_off_the_site_or_breaks_the_header(text):
    for target in (text, "/" + text, "//" + text):
        answer = safe_next(target)
        assert answer.startswith("/") and not answer.startswith("//")
        assert host_a_browser_goes_to(answer) == "portal.example", (target, answer)
        assert host_a_browser_goes_to(unquote(answer)) == "portal.example", (target, answer)
        assert not re.search(r"[\x00-\x20\x7f-\uffff\\]", answer), (target, answer)


def test_sealed_session_data_open_only_with_their_id():
    sid = "A" * 43
    sealed = sessions.seal(sid, {"token": "eyJ.geheim", "lang": "de", "_flashes": [("info", "x")]})
    assert b"eyJ" not in sealed and b"geheim" not in sealed
    assert sessions.unseal(sid, sealed) == {
        "token": "eyJ.geheim",
        "lang": "de",
        "_flashes": [("info", "x")],
    }
    assert sessions.unseal("B" * 43, sealed) is None
    assert sessions.unseal(sid, sealed[:-1] + bytes([sealed[-1] ^ 1])) is None
    assert sessions.digest(sid) != sessions.digest(
        "B" * 43
    ) and sid.encode() not in sessions.digest(sid)


def test_session_settings_are_positive_numbers():
    assert sessions.setting(None, "PORTAL_SESSION_IDLE_MINUTES", 60) == 60
    assert sessions.setting("", "PORTAL_SESSION_IDLE_MINUTES", 60) == 60
    assert sessions.setting("90", "PORTAL_SESSION_IDLE_MINUTES", 60) == 90
    for bad in ("0", "-5", "eine Stunde", "nan", "inf"):
        with pytest.raises(RuntimeError, match="PORTAL_SESSION_MAX_HOURS"):
            sessions.setting(bad, "PORTAL_SESSION_MAX_HOURS", 8)
