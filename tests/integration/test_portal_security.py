"""Issue 27, points 3 and 4: the attacks on the portal's redirects and sessions, each reproduced
against the portal over the four real services and its own PostgreSQL database.

- Open redirect: every `next` (language switch, development login, logout) that is not a plain
  path of this site ends at `/`, never at another host and never in a 500.
- Sessions on the server: the cookie holds a random id only (no token, decoded or not); a cookie
  replayed after the logout is refused; idle and absolute ends; a new id at every login.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import quote, urljoin, urlsplit

import jwt
import psycopg
import pytest

from knotenpunkt.services.portal import sessions
from tests.browser.live import csrf_token, portal_app
from tests.integration.test_portal import page
from tests.support import Clock

COOKIE = "knotenpunkt_portal"
CONSOLE = "/chemnitz/console/"

# `next` as an attacker writes it into a link (the raw query string)
ATTACKS = [
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%0D%0ALocation:%20https://evil.example",
    "%0A",
    "/\t/evil.example",
    "//evil.example",
    "///evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "%2F%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%5C/evil.example",
    "%5C%5Cevil.example",
    "/%09%5C/evil.example",
    "%09/evil.example",
    "%20//evil.example",
    "/%00/evil.example",
    "https://evil.example/",
    "https:%2F%2Fevil.example",
    "https%3A%2F%2Fevil.example",
    "http:evil.example",
    "//evil.example@portal.example",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(document.cookie)",
    "%6A%61%76%61script:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "",
]


def as_browser_reads(location: str, base: str = "https://portal.example/chemnitz/") -> str:
    """The host a browser goes to for this Location (it drops tabs and newlines and takes a
    backslash for a slash, as the URL standard says)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").lstrip("\x00 ")
    return urlsplit(urljoin(base, cleaned)).netloc


def assert_stays_home(resp, what):
    assert resp.status_code == 302, (what, resp.status_code, resp.get_data(as_text=True)[:500])
    location = resp.headers["Location"]
    assert location == "/", (what, location)
    assert as_browser_reads(location) == "portal.example", (what, location)
    assert "Content-Security-Policy" in resp.headers


@pytest.fixture
def web(portal):
    return portal.test_client()


def portal_db(settings):
    return psycopg.connect(settings.admin_url(settings.service_database("portal")))


def row_of(settings, sid: str):
    with portal_db(settings) as conn:
        return conn.execute(
            "select id, sealed from portal_sessions where id = %s", (sessions.digest(sid),)
        ).fetchone()


def dev_login(web, tenant="chemnitz", **extra):
    html = page(web, f"/anmelden/entwicklung?tenant={tenant}")
    data = {"csrf_token": csrf_token(html), "tenant": tenant, "role": "coordinator", "person": ""}
    resp = web.post("/anmelden/entwicklung", data={**data, **extra})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1000]
    return resp


def cookie(web) -> str:
    found = web.get_cookie(COOKIE)
    assert found is not None, "no session cookie"
    return found.value


def signed_in(web) -> bool:
    resp = web.get(CONSOLE)
    if resp.status_code == 302:
        assert "/anmelden" in resp.headers["Location"]
        return False
    assert resp.status_code == 200 and 'action="/abmelden"' in resp.get_data(as_text=True)
    return True


# --- point 3: open redirect ------------------------------------------------------------------


@pytest.mark.parametrize("raw", ATTACKS)
def test_the_language_switch_follows_no_next_off_the_site(web, raw):
    assert_stays_home(web.get(f"/sprache/de?next={raw}"), raw)


def test_the_language_switch_follows_the_site_s_own_paths(web):
    for target, location in (
        ("/chemnitz/partner?q=IHK&seite=2", "/chemnitz/partner?q=IHK&seite=2"),
        ("/saalekreis/aerzte", "/saalekreis/aerzte"),
        ("/chemnitz/partner/Caritas Verband", "/chemnitz/partner/Caritas%20Verband"),
        ("/chemnitz/über", "/chemnitz/%C3%BCber"),
        ("/javascript:alert(1)", "/javascript:alert(1)"),  # a path here: no scheme
    ):
        resp = web.get(f"/sprache/en?next={quote(target, safe='')}")
        assert resp.status_code == 302 and resp.headers["Location"] == location, target
        assert as_browser_reads(resp.headers["Location"]) == "portal.example"
    assert '<html lang="en"' in page(web, "/chemnitz/")


def test_login_and_logout_follow_no_next_off_the_site(portal):
    for raw in ("/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example"):
        web = portal.test_client()
        nxt = quote(raw, safe="/:")
        # the login page hands `next` on to the development login only when it is a path here
        html = page(web, f"/anmelden?tenant=chemnitz&next={nxt}")
        link = re.search(r'href="(/anmelden/entwicklung[^"]*)"', html).group(1)
        assert "next" not in link, (raw, link)
        html = page(web, f"/anmelden/entwicklung?tenant=chemnitz&next={nxt}")
        assert 'name="next"' not in html, raw
        resp = dev_login(web, next=raw)
        assert resp.headers["Location"] == "/chemnitz/console/", raw
        html = page(web, CONSOLE)
        resp = web.post("/abmelden", data={"csrf_token": csrf_token(html), "next": raw})
        assert_stays_home(resp, raw)
    for newline in ("/\n/evil.example", "/\r\nSet-Cookie: x=1"):
        web = portal.test_client()
        assert dev_login(web, next=newline).headers["Location"] == "/chemnitz/console/"


def test_login_returns_to_the_page_that_asked_for_it(web):
    resp = web.get("/chemnitz/console/antraege?status=submitted")
    assert resp.status_code == 302
    login = resp.headers["Location"]
    assert "next=" in login
    link = re.search(r'href="(/anmelden/entwicklung[^"]+)"', page(web, login)).group(1)
    html = page(web, link.replace("&amp;", "&"))
    nxt = re.search(r'name="next" value="([^"]+)"', html).group(1)
    assert nxt == "/chemnitz/console/antraege?status=submitted"
    resp = dev_login(web, next=nxt)
    assert resp.headers["Location"] == "/chemnitz/console/antraege?status=submitted"


# --- point 4: sessions on the server ---------------------------------------------------------


def test_the_cookie_holds_a_random_id_and_no_token(web, settings):
    assert web.get("/sprache/en?next=/").status_code == 302
    resp = dev_login(web)
    sid = cookie(web)
    # 32 random bytes, base64url: no JSON, no signature, no token inside
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", sid), sid
    raw = base64.urlsafe_b64decode(sid + "=")
    assert len(raw) == 32 and b"eyJ" not in raw and b"tenant" not in raw
    for header in resp.headers.getlist("Set-Cookie"):
        assert "eyJ" not in header and "." not in header.split(";")[0], header
        assert "HttpOnly" in header and "SameSite=Lax" in header
    assert signed_in(web)
    # the token the portal calls the services with is on the server, sealed under the id
    row = row_of(settings, sid)
    assert row is not None and row[0] != sid.encode()
    data = sessions.unseal(sid, row[1])
    token = data["token"]
    assert jwt.decode(token, options={"verify_signature": False})["tenant"] == "chemnitz"
    assert token.encode() not in row[1] and b"chemnitz" not in row[1]
    assert data["lang"] == "en"  # the language chosen before the login stays
    assert sessions.unseal(sid[:-1] + ("A" if sid[-1] != "A" else "B"), row[1]) is None


def test_a_cookie_replayed_after_the_logout_is_refused(portal, settings):
    victim = portal.test_client()
    dev_login(victim)
    stolen = cookie(victim)
    thief = portal.test_client()
    thief.set_cookie(COOKIE, stolen)
    assert signed_in(thief)  # before the logout the copy works (what the logout must end)
    html = page(victim, CONSOLE)
    resp = victim.post("/abmelden", data={"csrf_token": csrf_token(html)})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert "Sie sind abgemeldet." in page(victim, "/")
    assert not signed_in(victim)
    assert row_of(settings, stolen) is None  # the row is gone
    thief = portal.test_client()
    thief.set_cookie(COOKIE, stolen)
    resp = thief.get(CONSOLE)
    assert resp.status_code == 302 and "/anmelden" in resp.headers["Location"]
    # the refused cookie is deleted in the browser that sent it
    assert any(h.startswith(f"{COOKIE}=;") for h in resp.headers.getlist("Set-Cookie")), (
        resp.headers.getlist("Set-Cookie")
    )
    # a made-up or malformed id is refused the same way, without a query error
    for forged in (
        "A" * 43,
        "not-an-id",
        "x" * 4000,
        ".eJyrVkrOzytJzSvRK0nNS8sMSCxJTbHKK8nPS1WqBQA",
    ):
        other = portal.test_client()
        other.set_cookie(COOKIE, forged)
        assert not signed_in(other), forged


def test_a_new_id_at_the_login_so_that_a_planted_id_is_worth_nothing(portal, settings):
    """Session fixation: the attacker gets an id (a visit to the login page) and plants it in
    the victim's browser; after the victim's login that id finds no session."""
    attacker = portal.test_client()
    page(attacker, "/anmelden/entwicklung?tenant=chemnitz")
    planted = cookie(attacker)
    assert row_of(settings, planted) is not None
    victim = portal.test_client()
    victim.set_cookie(COOKIE, planted)
    dev_login(victim)  # with the CSRF token kept under the planted id
    fresh = cookie(victim)
    assert fresh != planted
    assert signed_in(victim)
    assert row_of(settings, planted) is None
    assert not signed_in(attacker)
    # the logout moves to a new id too (the message it shows lives under it)
    html = page(victim, CONSOLE)
    victim.post("/abmelden", data={"csrf_token": csrf_token(html)})
    assert cookie(victim) not in (fresh, planted) and row_of(settings, fresh) is None


def test_forms_without_or_with_another_session_s_csrf_token_are_refused(portal):
    web = portal.test_client()
    dev_login(web)
    other = portal.test_client()
    dev_login(other)
    foreign = csrf_token(page(other, CONSOLE))
    for data in ({}, {"csrf_token": foreign}):
        resp = web.post("/abmelden", data=data)
        assert resp.status_code == 400 and "Sicherheitsprüfung" in resp.get_data(as_text=True)
        assert signed_in(web)


@pytest.fixture(scope="module")
def timed(served, settings):
    clock = Clock()
    app = portal_app(
        served, settings, clock=clock, SESSION_IDLE_MINUTES="20", SESSION_MAX_HOURS="1"
    )
    yield app, clock
    app.extensions["portal_sessions"].db.close()


def test_a_session_ends_after_the_idle_time(timed):
    app, clock = timed
    web = app.test_client()
    dev_login(web)
    for _ in range(2):  # each request moves the idle end on
        clock.advance(minutes=19)
        assert signed_in(web)
    clock.advance(minutes=21)
    assert not signed_in(web)


def test_a_session_ends_at_its_absolute_end_however_busy(timed):
    app, clock = timed
    web = app.test_client()
    dev_login(web)
    for _ in range(3):
        clock.advance(minutes=15)
        assert signed_in(web)
    clock.advance(minutes=16)  # 61 minutes after the login, 16 after the last request
    assert not signed_in(web)
    dev_login(web)  # a new login starts a new session
    assert signed_in(web)


def test_session_settings_have_defaults_and_refuse_nonsense(served, settings, monkeypatch):
    app = portal_app(served, settings)
    interface = app.extensions["portal_sessions"]
    assert (
        interface.idle.total_seconds() == 60 * 60 and interface.lifetime.total_seconds() == 8 * 3600
    )
    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("PORTAL_SESSION_MAX_HOURS", "2.5")
    interface = portal_app(served, settings).extensions["portal_sessions"]
    assert interface.idle.total_seconds() == 15 * 60 and interface.lifetime.total_seconds() == 9000
    for name, value in (
        ("PORTAL_SESSION_IDLE_MINUTES", "0"),
        ("PORTAL_SESSION_IDLE_MINUTES", "eine Stunde"),
        ("PORTAL_SESSION_MAX_HOURS", "-1"),
    ):
        monkeypatch.setenv(name, value)
        with pytest.raises(RuntimeError, match=name):
            portal_app(served, settings)
        monkeypatch.delenv(name)


def test_without_its_database_the_portal_says_503_and_keeps_no_login(served, settings):
    app = portal_app(
        served,
        settings.with_(db_pool_timeout=1.0),
        SESSION_DATABASE_URL="postgresql://nobody@127.0.0.1:9/none?connect_timeout=1",
    )
    try:
        web = app.test_client()
        assert web.get("/").status_code == 200  # no cookie: no query
        resp = web.get("/chemnitz/beitritt")  # a form's CSRF token cannot be kept
        assert resp.status_code == 503 and "Content-Security-Policy" in resp.headers
        assert "nicht erreichbar" in resp.get_data(as_text=True)
        web.set_cookie(COOKIE, "A" * 43)
        resp = web.get(CONSOLE)
        assert resp.status_code == 503 and resp.mimetype == "text/html"
        assert "Content-Security-Policy" in resp.headers
    finally:
        app.extensions["portal_sessions"].db.close()


def test_the_portal_s_database_holds_its_sessions_only_for_a_role_that_owns_nothing(settings):
    """`knotenpunkt migrate` made knotenpunkt_portal: one table, no tenant data, no outbox; the
    application role reads and writes the sessions and owns nothing, the migration bookkeeping
    stays out of its reach."""
    with psycopg.connect(settings.app_url("portal")) as conn:
        tables = {
            r[0]
            for r in conn.execute("select tablename from pg_tables where schemaname = 'public'")
        }
        assert "portal_sessions" in tables and not {"outbox", "processed_events"} & tables
        owned = conn.execute(
            "select count(*) from pg_tables where schemaname = 'public' and tableowner = current_user"
        ).fetchone()
        assert owned == (0,)
        assert conn.execute(
            "select has_table_privilege('portal_sessions', 'select, insert, update, delete')"
        ).fetchone() == (True,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("delete from yoyo_lock")
