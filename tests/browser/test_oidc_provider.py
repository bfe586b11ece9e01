"""Login in Chromium against an OpenID provider no one here wrote: panva's oidc-provider
(OpenID Certified, from the npm registry, run with Node.js on loopback by
tests/support_oidc/realm.py), set up like a municipal Keycloak realm: realm roles in
`realm_access.roles`, the user attributes `tenant`, `bodies` and `person_id` mapped into the
ID and access tokens, RS256 JWT access tokens for the audience `knotenpunkt`, Keycloak-style
UUIDs as `sub`.

The portal does the authorization-code flow with PKCE against it; the four services verify
its access tokens against its JWKS (JWT_JWKS_URL, JWT_ROLES_CLAIM=realm_access.roles), nothing
signed with the development secret. One provider and one such stack for the module.
"""

from __future__ import annotations

import dataclasses
import secrets

import psycopg
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import Page
from tests.browser.live import Served, portal_app, serve_services
from tests.support import unique
from tests.support_oidc.realm import CLIENT_ID, Realm, User

TENANT, BODY = "magdeburg", "projektgruppe"
MEMBER_PERSON = unique("anna")

COORDINATOR = User("k.koordinatorin", "Karla Koordinatorin", TENANT, ["coordinator"])
MEMBER = User(
    "a.mitglied", "Anna Mitglied", TENANT, ["member"], bodies=[BODY], person_id=MEMBER_PERSON
)
# signed in for three seconds only (the access token's lifetime at the provider)
BRIEF = User("b.kurz", "Bert Kurz", TENANT, ["coordinator"], access_token_ttl=3)
# a person of another network
OTHER = User("c.chemnitz", "Clara Chemnitz", "chemnitz", ["coordinator"])
USERS = [COORDINATOR, MEMBER, BRIEF, OTHER]


class Later:
    """A WSGI app set once the provider is up (the provider needs the portal's address first)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def stack(settings, tenants):
    from knotenpunkt.services.events.app import create_app as events_app
    from knotenpunkt.services.membership.app import create_app as membership_app
    from knotenpunkt.services.notifications.app import create_app as notifications_app
    from knotenpunkt.services.voting.app import create_app as voting_app

    later = Later()
    portal = Served(later)
    realm = Realm(USERS, f"{portal.url}/anmelden/oidc/callback", f"{portal.url}/")
    oidc_settings = dataclasses.replace(
        settings,
        jwt_jwks_url=realm.discovery["jwks_uri"],
        jwt_issuer=realm.issuer,
        jwt_audience="knotenpunkt",
        jwt_roles_claim="realm_access.roles",
        jwt_tenant_claim="tenant",
        jwt_bodies_claim="bodies",
        jwt_person_claim="person_id",
        # a rotated key is fetched at its first token (JWKS_REFETCH_COOLDOWN, 30 s by default)
        jwks_refetch_cooldown=0.0,
    )
    apps = {
        "membership": membership_app(oidc_settings, tenants),
        "voting": voting_app(oidc_settings, tenants),
        "events": events_app(oidc_settings, tenants),
        "notifications": notifications_app(oidc_settings, tenants),
    }
    served = serve_services(apps)
    later.app = portal_app(
        served,
        oidc_settings,
        DEV_LOGIN=False,
        OIDC_ISSUER=realm.issuer,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=realm.client_secret,
        OIDC_SCOPES="openid profile email knotenpunkt",
        OIDC_ROLES_CLAIM="realm_access.roles",
        SECRET_KEY=secrets.token_urlsafe(32),
    )
    yield {"portal": portal, "app": later.app, "realm": realm, "apps": apps}
    portal.stop()
    for s in served.values():
        s.stop()
    for app in apps.values():
        app.extensions["knotenpunkt"].db.close()
    realm.stop()


@pytest.fixture(scope="module")
def ballot(stack, settings, clients, token):
    """An open ballot of Magdeburg's Projektgruppe whose electorate holds the member (opened
    with the suite's development token, on the same databases)."""
    title = unique("Empfehlung zum Sprachkursangebot")
    with psycopg.connect(settings.admin_url(settings.service_database("voting"))) as conn:
        conn.execute(
            "insert into electorate (tenant, body, person_id, name, role)"
            " values (%s, %s, %s, 'Anna Mitglied', 'member')",
            (TENANT, BODY, MEMBER_PERSON),
        )
    opened = clients["voting"].post(
        f"/api/v1/{TENANT}/ballots",
        json={"body": BODY, "title": title, "subject": {"kind": "general"}},
        headers=token(TENANT, "coordinator"),
    )
    assert opened.status_code == 201, opened.get_json()
    yield {"id": opened.get_json()["id"], "title": title}
    with psycopg.connect(settings.admin_url(settings.service_database("voting"))) as conn:
        conn.execute(
            "delete from electorate where tenant = %s and person_id = %s",
            (TENANT, MEMBER_PERSON),
        )


@pytest.fixture
def page(browser, stack):
    p = Page(browser, stack["portal"].url)
    p.open("/")
    browser.delete_all_cookies()  # portal and provider share the host 127.0.0.1
    return p


def at_provider(page, realm) -> bool:
    return page.d.current_url.startswith(realm.issuer)


def start_login(page, tenant: str = TENANT) -> None:
    """From the portal's login page, the link of the network's login („Anmelden bei …“)."""
    page.open("/anmelden")
    link = page.d.find_element(By.CSS_SELECTOR, f"a[href^='/anmelden/oidc?tenant={tenant}']")
    assert link.text.startswith("Anmelden bei"), link.text
    page.click(link)


def enter_credentials(page, user: User) -> None:
    page.d.find_element(By.ID, "username").send_keys(user.username)
    page.d.find_element(By.ID, "password").send_keys(user.password)
    page.click(page.d.find_element(By.ID, "kc-login"))


def login(page, stack, user: User) -> None:
    start_login(page)
    assert at_provider(page, stack["realm"]), page.d.current_url
    assert page.d.title == "Anmelden beim Netzwerk-Login"
    enter_credentials(page, user)


def logout(page) -> None:
    page.click(page.d.find_element(By.CSS_SELECTOR, ".account button"))
    WebDriverWait(page.d, 15).until(lambda d: d.current_url.rstrip("/") == page.base)


def test_a_coordinator_signs_in_at_the_provider_and_works_in_the_console(page, stack, ballot):
    login(page, stack, COORDINATOR)
    assert page.path == f"/{TENANT}/console/", page.d.current_url
    text = page.text()
    assert "Was ansteht" in text and "Anträge zu prüfen" in text
    # the open ballots come from the voting API, which took the provider's RS256 token
    assert ballot["title"] in text
    assert "Karla Koordinatorin" in page.d.find_element(By.CSS_SELECTOR, ".account").text
    page.axe()
    page.shot("oidc-coordinator-console")


def test_a_member_votes_as_the_person_the_provider_maps_in(page, stack, ballot, settings):
    login(page, stack, MEMBER)
    assert page.path == f"/{TENANT}/console/"
    assert "Meine offenen Abstimmungen" in page.text() and ballot["title"] in page.text()
    assert "Was ansteht" not in page.text()  # no coordinator's console
    page.click(page.d.find_element(By.LINK_TEXT, ballot["title"]))
    choice = page.d.find_element(By.CSS_SELECTOR, "input[name=choice][value=agree]")
    page.d.execute_script("arguments[0].click()", choice)
    page.press("Stimme abgeben")
    assert "Ihre Stimme ist gezählt" in page.text(), page.text()
    with psycopg.connect(settings.admin_url(settings.service_database("voting"))) as conn:
        cast = conn.execute(
            "select choice from votes where ballot_id = %s and person_id = %s",
            (ballot["id"], MEMBER_PERSON),
        ).fetchall()
    # the vote is the person_id attribute's, not Keycloak's UUID sub
    assert [c[0] for c in cast] == ["agree"]


def test_a_person_of_another_network_is_refused_with_the_claim_named(page, stack):
    login(page, stack, OTHER)
    assert page.path.startswith("/anmelden"), page.d.current_url
    text = page.text()
    assert "Claim „tenant“" in text and "„chemnitz“" in text and "„magdeburg“" in text, text
    page.open(f"/{TENANT}/console/")
    assert page.path.startswith("/anmelden")  # not signed in


def test_an_expired_session_is_sent_to_the_login(page, stack):
    login(page, stack, BRIEF)
    assert page.path == f"/{TENANT}/console/"

    def sent_to_login(d) -> bool:
        page.open(f"/{TENANT}/console/")
        return page.path.startswith("/anmelden")

    WebDriverWait(page.d, 20, poll_frequency=0.5).until(sent_to_login)
    assert "next=" in page.path and f"/{TENANT}/console/" in page.d.current_url


def test_logout_ends_the_portal_s_and_the_provider_s_session(page, stack):
    realm, cookie = stack["realm"], stack["app"].config["SESSION_COOKIE_NAME"]
    login(page, stack, COORDINATOR)
    # while the provider's session lives, a new portal session needs no password (SSO)
    page.d.delete_cookie(cookie)
    start_login(page)
    assert page.path == f"/{TENANT}/console/", page.d.current_url
    logout(page)  # RP-initiated logout at the end_session_endpoint, then back here
    assert "Sie sind abgemeldet." in page.text()
    page.open(f"/{TENANT}/console/")
    assert page.path.startswith("/anmelden")
    start_login(page)  # the provider asks again
    assert at_provider(page, realm) and page.d.find_element(By.ID, "password")


def test_a_rotated_signing_key_is_accepted_after_the_jwks_refresh(page, stack, ballot):
    realm = stack["realm"]
    shown = f"/{TENANT}/console/abstimmungen/{ballot['id']}"  # read from the voting API
    login(page, stack, COORDINATOR)
    page.open(shown)
    assert ballot["title"] in page.text()  # the services hold the key set with the old key
    before = realm.state()["signing_kid"]
    rotated = realm.rotate()
    assert rotated["signing_kid"] != before and before in rotated["kids"]
    logout(page)
    login(page, stack, COORDINATOR)  # ID and access token now signed with the new key
    assert page.path == f"/{TENANT}/console/", page.text()  # the portal took the ID token
    page.open(shown)
    assert ballot["title"] in page.text()  # and the voting API the access token
