"""A peer is checked before it is registered (issue 26, point 7; issue 27, point 7): its System
(``/api/v1/<tenant>/federation/system``) and key set must be reachable over the same checked
calls as the sync and agree with the registration (issuer, network). Internal addresses are
refused unless FEDERATION_ALLOW_INTERNAL (shared.net, the webhooks' rule), and every refusal has
the same words, so that the answer tells nothing about the network behind the URL. A GET
without a body is never refused for its Content-Type.
"""

from __future__ import annotations

import http.server
import secrets
import socket
import threading

import pytest
import requests

from knotenpunkt.shared.db import provision
from knotenpunkt.shared.federation import KeyStore
from knotenpunkt.shared.net import PEER_NOT_CHECKED
from knotenpunkt.shared.tenants import TenantRegistry
from tests.integration.test_federation import Deployment, peer_token
from tests.support import Clock, SmtpSink, free_port


def deploy(settings, tenants, tmp_path_factory, name: str, tenant: str, clock=None) -> Deployment:
    """One instance serving one network, on a loopback port, with its own database and key."""
    var = tmp_path_factory.mktemp(f"fedp-{name}")
    s = settings.with_(
        app_db_user="kpfedp_app",
        app_db_password=APP_PASSWORD,
        dev_mode=True,
        federation_allow_internal=True,
        federation_timeout=5.0,
        jwks_refetch_cooldown=0,
        extra={"membership_database": f"fedp_{name}_membership"},
        var_dir=var,
        federation_key_file=var / "federation-key.pem",
        federation_url=f"http://127.0.0.1:{free_port()}",
    )
    provision(s, services=("membership",))
    # made now, not at the first call of the key set (a 3072-bit key takes seconds on a busy
    # machine, longer than a peer waits)
    KeyStore(s).key()
    return Deployment(s, TenantRegistry({tenant: tenants.get(tenant)}), tenant, clock)


APP_PASSWORD = secrets.token_urlsafe(16)


@pytest.fixture(scope="module")
def two(settings, tenants, tmp_path_factory):
    """Chemnitz (A) and Mittelsachsen (B), each its own instance on a loopback port."""
    made = [
        deploy(settings, tenants, tmp_path_factory, "a", "chemnitz"),
        deploy(settings, tenants, tmp_path_factory, "b", "mittelsachsen"),
    ]
    yield made
    for d in made:
        d.close()


class Listener:
    """A loopback HTTP server that answers every GET the same way and counts the calls."""

    def __init__(self, status=200, body=b"<html>not a peer</html>", headers=None):
        calls = self.calls = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                calls.append(self.path)
                self.send_response(status)
                for k, v in (headers or {"Content-Type": "text/html"}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def register(d: Deployment, **values):
    body = {"name": values.pop("name", f"Peer {secrets.token_hex(3)}"), **values}
    return d.api("POST", "/federation/peers", json=body)


def refused_alike(resp, field="base_url") -> None:
    assert resp.status_code == 422, resp.get_json()
    body = resp.get_json()
    assert resp.mimetype == "application/problem+json"
    assert body["errors"] == {field: [PEER_NOT_CHECKED]}, body


def test_a_peer_is_registered_only_when_it_answers_as_what_it_is_registered_as(two):
    a, b = two
    # A's System says who it is; a GET with a Content-Type (and no body) is answered
    system = requests.get(
        f"{a.url}/api/v1/chemnitz/federation/system",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert system.status_code == 200, system.text
    assert system.json() == {
        "issuer": a.url,
        "tenant": "chemnitz",
        "name": a.app.extensions["knotenpunkt"].tenants.get("chemnitz").name,
        "jwks_url": f"{a.url}/.well-known/jwks.json",
        "shares_directory": True,
    }

    # what A is not: another network there, another issuer, a key set without keys
    refused_alike(register(b, base_url=a.url, tenant="mittelsachsen"))
    refused_alike(register(b, base_url=a.url, tenant="chemnitz", issuer="http://127.0.0.1:9"))
    refused_alike(
        register(
            b,
            base_url=a.url,
            tenant="chemnitz",
            jwks_url=f"{a.url}/api/v1/chemnitz/federation/system",
        )
    )
    # nothing behind the URL, something that is no Knotenpunkt, a redirect (never followed)
    web = Listener()
    elsewhere = Listener(body=b'{"keys": []}', headers={"Content-Type": "application/json"})
    redirect = Listener(status=302, body=b"", headers={"Location": elsewhere.url + "/"})
    try:
        for url in (f"http://127.0.0.1:{free_port()}", web.url, redirect.url):
            refused_alike(register(b, base_url=url, tenant="chemnitz"))
        assert web.calls == ["/api/v1/chemnitz/federation/system"]
        assert redirect.calls and elsewhere.calls == []
    finally:
        for server in (web, elsewhere, redirect):
            server.close()
    assert b.api("GET", "/federation/peers").get_json() == []

    # A as it is: registered; both sides then trust each other's tokens
    ok = register(b, name="Chemnitz", base_url=a.url, tenant="chemnitz")
    assert ok.status_code == 201, ok.get_json()
    back = register(a, name="Mittelsachsen", base_url=b.url, tenant="mittelsachsen")
    assert back.status_code == 201, back.get_json()

    # a change of its address is checked again; A down, it is refused with the same words
    peer = ok.get_json()["id"]
    a.stop()
    try:
        moved = b.api("PATCH", f"/federation/peers/{peer}", json={"base_url": a.url + "/"})
        assert moved.status_code == 200  # the same URL (normalised): nothing to check
        moved = b.api(
            "PATCH",
            f"/federation/peers/{peer}",
            json={"base_url": a.url.replace("127.0.0.1", "localhost")},
        )
        refused_alike(moved)
        # a change of its name or status calls nobody
        assert (
            b.api(
                "PATCH", f"/federation/peers/{peer}", json={"name": "Chemnitz (Stadt)"}
            ).status_code
            == 200
        )
    finally:
        a.start()

    # the shared directory: a GET with a Content-Type header and no body is never refused
    key = KeyStore(b.settings).key()
    for content_type in ("application/json", "text/plain", "application/x-www-form-urlencoded"):
        resp = requests.get(
            f"{a.url}/api/v1/chemnitz/federation/directory",
            headers={**peer_token(key, b.url, a.url), "Content-Type": content_type},
            timeout=5,
        )
        assert resp.status_code == 200, (content_type, resp.status_code, resp.text)


INTERNAL = (
    "https://127.0.0.1",
    "https://127.0.0.1:8443",
    "https://10.1.2.3",
    "https://172.16.0.9",
    "https://192.168.178.1",
    "https://[::1]",
    "https://[::ffff:127.0.0.1]",
    "https://169.254.169.254",
    "https://[fe80::1]",
    "https://[fd00::5]",
    "https://localhost",
    "https://peer.local",
    "https://registry.internal",
    # names whose DNS answer is internal (see the fixture): resolved and refused alike
    "https://peer-loopback.example",
    "https://peer-private.example",
    "https://peer-v6.example",
    "https://peer-linklocal.example",
)
ANSWERS = {
    "peer-loopback.example": "127.0.0.1",
    "peer-private.example": "10.20.30.40",
    "peer-v6.example": "::1",
    "peer-linklocal.example": "169.254.10.10",
}


@pytest.fixture
def internal_dns(monkeypatch):
    """Names that resolve to internal addresses; no connection leaves the test."""
    real = socket.getaddrinfo
    connections = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host in ANSWERS:
            addr = ANSWERS[host]
            family = socket.AF_INET6 if ":" in addr else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (addr, port or 443))]
        return real(host, port, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        connections.append(address)
        raise ConnectionRefusedError("no connection in this test")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return connections


def test_internal_addresses_are_refused_with_the_same_words(clients, token, internal_dns):
    """An instance without FEDERATION_ALLOW_INTERNAL (production): no internal peer."""
    client = clients["membership"]
    admin = token("chemnitz", "admin", sub="fed-operator")
    before = client.get("/api/v1/chemnitz/federation/peers", headers=admin).get_json()
    for url in INTERNAL:
        for field, body in (
            ("base_url", {"base_url": url}),
            ("jwks_url", {"base_url": "https://peer-private.example", "jwks_url": url}),
        ):
            resp = client.post(
                "/api/v1/chemnitz/federation/peers",
                json={"name": "Intern", "tenant": "saalekreis", **body},
                headers=admin,
            )
            if field == "jwks_url" and not url.startswith("https://peer-"):
                refused_alike(resp, field="jwks_url")  # a literal address: refused as given
            else:
                refused_alike(resp)  # a name: refused once resolved (base_url is checked first)
    assert internal_dns == []  # nothing was ever connected to
    assert client.get("/api/v1/chemnitz/federation/peers", headers=admin).get_json() == before


def test_sharing_says_what_it_does(clients, token):
    """Issue 26, point 6: a contact whose legal basis does not allow passing it on cannot be
    marked shared (422 naming the field, in German); a partner that is not public but shared
    is answered with a warning that the partner networks see it."""
    client = clients["membership"]
    staff = token("chemnitz", "coordinator", sub="fed-sharing")
    name = f"Ansprechperson {secrets.token_hex(4)}"

    def contacts_named() -> list:
        rows = client.get("/api/v1/chemnitz/contacts", headers=staff).get_json()
        return [c for c in rows if c["name"] == name]

    for basis, words in (
        ("legitimate_interest", "berechtigtes Interesse"),
        ("contract", "Vertrag"),
    ):
        resp = client.post(
            "/api/v1/chemnitz/contacts",
            json={"name": name, "legal_basis": basis, "shared": True},
            headers=staff,
        )
        assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
        [message] = resp.get_json()["errors"]["shared"]
        assert words in message and "Partnernetzwerke" in message, message
    assert contacts_named() == []  # nothing half-written

    consent = client.post(
        "/api/v1/chemnitz/contacts",
        json={
            "name": name,
            "legal_basis": "consent",
            "consent_at": "2026-03-01T10:00:00+01:00",
            "shared": True,
        },
        headers=staff,
    )
    assert consent.status_code == 201, consent.get_json()
    contact = consent.get_json()["id"]
    # the basis changed under a shared contact: refused, the contact stays as it was
    changed = client.patch(
        f"/api/v1/chemnitz/contacts/{contact}",
        json={"legal_basis": "legitimate_interest", "consent_at": None},
        headers=staff,
    )
    assert changed.status_code == 422 and "shared" in changed.get_json()["errors"]
    [kept] = contacts_named()
    assert kept["legal_basis"] == "consent" and kept["shared"] is True
    # unshared first, then the basis may change
    assert (
        client.patch(
            f"/api/v1/chemnitz/contacts/{contact}",
            json={"shared": False, "legal_basis": "legitimate_interest"},
            headers=staff,
        ).status_code
        == 200
    )
    public_task = client.post(
        "/api/v1/chemnitz/contacts",
        json={"name": name + " (Amt)", "legal_basis": "public_task", "shared": True},
        headers=staff,
    )
    assert public_task.status_code == 201

    hidden = client.post(
        "/api/v1/chemnitz/partners",
        json={
            "name": f"Verein im Stillen {secrets.token_hex(3)}",
            "kind": "initiative",
            "public": False,
            "shared": True,
        },
        headers=staff,
    )
    assert hidden.status_code == 201, hidden.get_json()
    [warning] = hidden.get_json()["warnings"]
    assert "nicht öffentlich" in warning and "Partnernetzwerke" in warning
    listed = client.post(
        "/api/v1/chemnitz/partners",
        json={"name": f"Verein offen {secrets.token_hex(3)}", "kind": "initiative", "shared": True},
        headers=staff,
    )
    assert listed.status_code == 201 and listed.get_json()["warnings"] == []
    made_private = client.patch(
        f"/api/v1/chemnitz/partners/{listed.get_json()['id']}",
        json={"public": False},
        headers=staff,
    )
    assert made_private.status_code == 200 and len(made_private.get_json()["warnings"]) == 1


def peer_at(d: Deployment, other: Deployment, name: str) -> str:
    """The id of `other`'s network as a peer of d, registered (and checked) when it is not yet."""
    for peer in d.api("GET", "/federation/peers").get_json():
        if peer["tenant"] == other.tenant:
            return peer["id"]
    resp = register(d, name=name, base_url=other.url, tenant=other.tenant)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def found_at(b: Deployment, q: str) -> list[str]:
    result = b.api("GET", f"/directory/search?q={q}&networks=chemnitz").get_json()
    return [e["name"] for g in result["items"] for e in g["entries"] if e["origin"]]


def test_an_erasure_reaches_the_peers_and_says_which_have_it(
    two, settings, tenants, tmp_path_factory
):
    """Issue 26, point 5 (DSGVO Art. 17 Abs. 2, Art. 19): a person erased by a privacy request
    at A is tombstoned in A's shared directory; B removes them at its next sync, and the request
    lists B as told ("an Partnernetzwerke weitergegeben") once B's sync fetched past the erasure;
    a peer that never comes back stays "noch nicht bestätigt"."""
    a, b = two
    at_b = peer_at(b, a, "Chemnitz")
    peer_at(a, b, "Mittelsachsen")
    # a third network registers with A, is checked while it is up, then never comes back
    c = deploy(settings, tenants, tmp_path_factory, "c", "saalekreis")
    try:
        peer_at(a, c, "Saalekreis")
        peer_at(c, a, "Chemnitz")
    finally:
        c.close()

    person = f"Lotte Löschung {secrets.token_hex(3)}"
    email = f"lotte.{secrets.token_hex(4)}@beratung-chemnitz.de"
    contact = a.api(
        "POST",
        "/contacts",
        json={
            "name": person,
            "email": email,
            "legal_basis": "consent",
            "consent_at": "2026-02-01T09:00:00+01:00",
            "shared": True,
        },
    )
    assert contact.status_code == 201, contact.get_json()
    sync = b.api("POST", f"/federation/peers/{at_b}/sync")
    assert sync.status_code == 200 and sync.get_json()["outcome"] == "synced"
    assert found_at(b, "Lotte") == [person]

    # the erasure: asked at A, answered by A's worker (the same consumer the broker feeds)
    asked = a.api("POST", "/privacy/requests", json={"kind": "erasure", "email": email})
    assert asked.status_code == 202, asked.get_json()
    request_id = asked.get_json()["id"]
    [env] = [e for e in a.events("privacy.requested") if e["data"]["request_id"] == request_id]
    inbox = a.worker.consumer(None)
    assert inbox.handle(env) is True
    # … and its answer collected (membership.privacy.answered, the same way)
    [answered] = [
        e for e in a.events("membership.privacy.answered") if e["data"]["request_id"] == request_id
    ]
    assert inbox.handle(answered) is True

    def told() -> dict:
        resp = a.api("GET", f"/privacy/requests/{request_id}")
        assert resp.status_code == 200, resp.get_json()
        answer = resp.get_json()
        assert answer["answers"]["membership"]["erased"]["federation_tombstones"] == 1
        return answer["federation"]

    before = told()
    assert before["shared_entries"] == 1 and before["all_confirmed"] is False
    assert [(p["name"], p["confirmed"], p["state"]) for p in before["peers"]] == [
        ("Mittelsachsen", False, "noch nicht bestätigt"),
        ("Saalekreis", False, "noch nicht bestätigt"),
    ]
    assert found_at(b, "Lotte") == [person]  # B does not know yet

    # B's next sync fetches the tombstone: the person is gone from B's search, B is confirmed
    after_sync = b.api("POST", f"/federation/peers/{at_b}/sync").get_json()
    assert after_sync["outcome"] == "synced" and after_sync["removed"] == 1, after_sync
    assert found_at(b, "Lotte") == []
    after = told()
    by_name = {p["name"]: p for p in after["peers"]}
    assert by_name["Mittelsachsen"]["confirmed"] is True
    assert by_name["Mittelsachsen"]["state"] == "an Partnernetzwerke weitergegeben"
    assert by_name["Mittelsachsen"]["confirmed_at"]
    # Saalekreis never came back: listed, not yet confirmed
    assert (by_name["Saalekreis"]["confirmed"], by_name["Saalekreis"]["state"]) == (
        False,
        "noch nicht bestätigt",
    )
    assert after["all_confirmed"] is False
    # a repeated sync changes nothing of it
    b.api("POST", f"/federation/peers/{at_b}/sync")
    assert told()["peers"] == after["peers"]
    # A keeps no name or address of the person in what it records for the peers
    with a.db() as conn:
        rows = conn.execute(
            "select e::text from federation_erasures e where request_id = %s", (request_id,)
        ).fetchall()
    assert rows and all(person not in r[0] and email not in r[0] for r in rows)


COORDINATION = "integrationsnetzwerk@stadt-chemnitz.de"  # Chemnitz' Koordinierungsstelle


def stale_count(home: str) -> tuple[str, bool]:
    """The start page's count of unreachable partner networks, and whether it lists them."""
    import re

    match = re.search(r'id="task-peers"><a href="[^"]+"><span class="count">([^<]+)<', home)
    assert match, home
    return match.group(1), 'id="peers"' in home


def test_a_peer_gone_for_long_is_told_to_the_koordinierungsstelle_and_when_it_is_back(
    settings, tenants, apps, tmp_path_factory
):
    """Issue 26, point 4: a peer unreachable for more than FEDERATION_STALE_HOURS (48) is
    announced once (membership.federation.peer_stale): notifications mails the
    Koordinierungsstelle and the console's start page shows it; when the peer answers again
    (peer_back) the Koordinierungsstelle is mailed again and the notice goes."""
    from knotenpunkt.wiring import worker_for
    from tests.browser.live import portal_app, serve_services
    from tests.integration.test_portal_manage import page, signed_in

    clock = Clock()
    d = deploy(settings, tenants, tmp_path_factory, "d", "chemnitz", clock=clock)
    e = deploy(settings, tenants, tmp_path_factory, "e", "magdeburg")
    smtp = SmtpSink().start()
    served = serve_services(apps)
    notifier = worker_for(
        "notifications", settings=settings.with_(smtp_url=smtp.url), tenants=tenants
    )
    notifier.db.open()
    try:
        at_d = peer_at(d, e, "Magdeburg")
        peer_at(e, d, "Chemnitz")
        portal = portal_app(served, settings, MEMBERSHIP_URL=d.url)
        web = signed_in(portal, "chemnitz")

        def sync() -> dict:
            resp = d.api("POST", f"/federation/peers/{at_d}/sync")
            assert resp.status_code == 200, resp.get_json()
            return resp.get_json()

        def mails(subject: str) -> list:
            return [m for m in smtp.to(COORDINATION) if subject in m["Subject"]]

        def tell(event: str) -> None:
            """notifications gets D's event as from the broker and sends what it plans"""
            inbox = notifier.consumer(None)
            for env in d.events(event):
                inbox.handle(env)
            notifier.run_jobs_once()

        assert sync()["outcome"] == "synced"
        e.stop()
        try:
            assert sync()["outcome"] == "unreachable"
            clock.advance(hours=47)
            assert sync()["outcome"] == "unreachable"
            assert d.events("federation.peer_stale") == []  # not yet 48 hours
            assert stale_count(page(web, "/chemnitz/console/")) == ("0", False)
            clock.advance(hours=2)
            sync()
            clock.advance(hours=1)
            sync()
            [stale] = d.events("federation.peer_stale")  # once, however often it is tried
            assert stale["data"]["peer"] == "Magdeburg" and stale["data"]["hours"] == 48.0
            peer = d.api("GET", f"/federation/peers/{at_d}").get_json()
            assert peer["stale_notified_at"] and peer["unreachable_since"]

            tell("federation.peer_stale")
            [mail] = mails("Partnernetzwerk nicht erreichbar: Magdeburg")
            text = mail.get_payload(decode=True).decode() if not mail.is_multipart() else str(mail)
            assert "länger als 48 Stunden" in text, text
            home = page(web, "/chemnitz/console/")
            assert stale_count(home) == ("1", True)
            notice = home[home.index('id="peers"') :]
            assert "Magdeburg" in notice[: notice.index("</section>")]
        finally:
            e.start()

        # back: one more mail, the notice gone
        assert sync()["outcome"] in ("synced", "not_modified")
        [back] = d.events("federation.peer_back")
        assert back["data"]["peer"] == "Magdeburg"
        assert d.api("GET", f"/federation/peers/{at_d}").get_json()["stale_notified_at"] is None
        tell("federation.peer_back")
        assert len(mails("Partnernetzwerk wieder erreichbar: Magdeburg")) == 1
        assert len(mails("Partnernetzwerk nicht erreichbar: Magdeburg")) == 1
        assert stale_count(page(web, "/chemnitz/console/")) == ("0", False)
        # a short outage afterwards tells nobody
        e.stop()
        try:
            clock.advance(hours=3)
            assert sync()["outcome"] == "unreachable"
        finally:
            e.start()
        assert sync()["outcome"] in ("synced", "not_modified")
        assert len(d.events("federation.peer_stale")) == 1
        assert len(d.events("federation.peer_back")) == 1
    finally:
        notifier.db.close()
        for s in served.values():
            s.stop()
        smtp.stop()
        d.close()
        e.close()
