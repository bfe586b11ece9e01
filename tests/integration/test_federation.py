"""Two deployments federate over real HTTP: Chemnitz (A) and Mittelsachsen (B), each with its
own membership database, app (served on a loopback port) and worker, its own signing key and
key set at /.well-known/jwks.json.

B registers A as a peer and A registers B (each side decides whose tokens it trusts); B's
worker pulls A's shared directory on its schedule, B's coordinator on demand. The sync
really calls A over HTTP, and A really fetches B's key set to check B's token.
"""

from __future__ import annotations

import secrets
import threading
from urllib.parse import urlsplit

import psycopg
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server

from knotenpunkt.shared.auth import issue_token
from knotenpunkt.shared.db import provision
from knotenpunkt.shared.federation import KeyStore, SigningKey, federation_token
from knotenpunkt.shared.tenants import TenantRegistry
from tests.support import Clock, free_port

APP_ROLE = "kpfed_app"


class Deployment:
    """One instance: its settings, membership app served on its port, worker and clock."""

    def __init__(self, settings, tenants: TenantRegistry, tenant: str, clock=None):
        from knotenpunkt.services.membership.app import create_app
        from knotenpunkt.shared.usecase import utcnow
        from knotenpunkt.wiring import worker_for

        self.settings, self.tenant = settings, tenant
        self.url = settings.federation_url
        self.port = urlsplit(self.url).port
        self.clock = clock or utcnow
        self.app = create_app(settings, tenants, clock=self.clock)
        self.client = self.app.test_client()
        self.worker = worker_for("membership", settings=settings, tenants=tenants, clock=self.clock)
        self.worker.db.open(wait=True, timeout=30)
        self.server = None
        self.start()

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def close(self) -> None:
        self.stop()
        self.worker.db.close()
        self.app.extensions["knotenpunkt"].db.close()

    def auth(self, *roles: str) -> dict:
        token = issue_token(self.settings, tenant=self.tenant, roles=list(roles), sub="fed-admin")
        return {"Authorization": f"Bearer {token}"}

    def api(self, method: str, path: str, **kwargs):
        kwargs.setdefault("headers", self.auth("admin"))
        return self.client.open(f"/api/v1/{self.tenant}{path}", method=method, **kwargs)

    def db(self):
        return psycopg.connect(
            self.settings.admin_url(self.settings.service_database("membership"))
        )

    def events(self, name: str) -> list[dict]:
        with self.db() as conn:
            rows = conn.execute(
                "select envelope from outbox where tenant = %s and routing_key like %s order by id",
                (self.tenant, f"%{name}"),
            ).fetchall()
        return [r[0] for r in rows]


@pytest.fixture(scope="module")
def pair(settings, tenants, tmp_path_factory):
    base = settings.with_(
        app_db_user=APP_ROLE,
        app_db_password=secrets.token_urlsafe(16),
        dev_mode=True,  # the signing keys are generated under each var folder
        federation_allow_internal=True,  # both instances live on loopback
        federation_timeout=3.0,
        jwks_refetch_cooldown=0,
    )
    made = {}
    # A runs on the real clock; B's clock is moved by the test to make its schedule due
    for name, tenant, clock in (("a", "chemnitz", None), ("b", "mittelsachsen", Clock())):
        var = tmp_path_factory.mktemp(f"fed-{name}")
        s = base.with_(
            extra={"membership_database": f"fed_{name}_membership"},
            var_dir=var,
            federation_key_file=var / "federation-key.pem",
            federation_url=f"http://127.0.0.1:{free_port()}",
        )
        provision(s, services=("membership",))
        KeyStore(s).key()  # made now: registration fetches the key set within the timeout
        made[name] = Deployment(s, TenantRegistry({tenant: tenants.get(tenant)}), tenant, clock)
    a, b = made["a"], made["b"]
    # each side registers the other: B pulls A, A trusts B's tokens
    at_a = a.api(
        "POST",
        "/federation/peers",
        json={"name": "Mittelsachsen", "base_url": b.url, "tenant": "mittelsachsen"},
    )
    at_b = b.api(
        "POST",
        "/federation/peers",
        json={"name": "Chemnitz", "base_url": a.url + "/", "tenant": "chemnitz"},
    )
    assert at_a.status_code == 201 and at_b.status_code == 201, (at_a.get_json(), at_b.get_json())
    a.peer_id, b.peer_id = at_a.get_json()["id"], at_b.get_json()["id"]
    yield a, b
    for d in made.values():
        d.close()


def create_partner(d: Deployment, **values) -> str:
    resp = d.api("POST", "/partners", json={"kind": "welfare_organisation", **values})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def create_contact(d: Deployment, **values) -> str:
    resp = d.api("POST", "/contacts", json=values)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def foreign_rows(b: Deployment) -> list[tuple]:
    with b.db() as conn:
        return conn.execute(
            "select kind, remote_id, name, data, synced_at from federation_entries"
            " where tenant = %s order by kind, name",
            (b.tenant,),
        ).fetchall()


def scheduled_sync(b: Deployment) -> None:
    """The worker's job, once the interval has passed on B's clock."""
    b.clock.advance(seconds=b.settings.federation_sync_seconds)
    b.worker.run_jobs_once()


def sync_now(b: Deployment) -> dict:
    resp = b.api("POST", f"/federation/peers/{b.peer_id}/sync")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def peer_token(key: SigningKey, issuer: str, audience: str, **kw) -> dict:
    claims = {"caller_tenant": "mittelsachsen", "tenant": "chemnitz", "ttl_seconds": 60, **kw}
    return {
        "Authorization": "Bearer "
        + federation_token(key, issuer=issuer, audience=audience, **claims)
    }


def test_b_pulls_what_a_shares_and_follows_every_change(pair):
    a, b = pair
    caritas = create_partner(
        a,
        name="Caritasverband Chemnitz e.V.",
        website="https://www.caritas-chemnitz.de",
        email="info@caritas-chemnitz.de",
        phone="0371 4711 0815",  # not a directory field of the federation
        postcode="09111",
        city="Chemnitz",
        shared=True,
        public=False,
    )
    drk = create_partner(a, name="DRK Kreisverband Chemnitz", postcode="09113", shared=True)
    create_partner(a, name="Stammtisch der Koordinierungsstelle", kind="initiative")
    anna = create_contact(
        a,
        name="Anna Beratung",
        email="anna@caritas-chemnitz.de",
        partner_id=caritas,
        legal_basis="consent",
        consent_at="2026-01-10T09:00:00+01:00",
        shared=True,
    )
    # a legal basis that does not cover passing the person on: cannot be marked shared
    refused = a.api(
        "POST",
        "/contacts",
        json={
            "name": "Bernd Intern",
            "email": "bernd@example.org",
            "legal_basis": "legitimate_interest",
            "shared": True,
        },
    )
    assert (
        refused.status_code == 422
        and "berechtigtes Interesse" in refused.get_json()["errors"]["shared"][0]
    )
    create_contact(
        a, name="Bernd Intern", email="bernd@example.org", legal_basis="legitimate_interest"
    )

    # the scheduled pull: both partners and the consenting contact arrive, with their origin
    scheduled_sync(b)
    rows = foreign_rows(b)
    assert [(r[0], r[1]) for r in rows] == [
        ("contact", anna),
        ("partner", caritas),
        ("partner", drk),
    ]
    first_sync = b.clock()
    peer = b.api("GET", f"/federation/peers/{b.peer_id}").get_json()
    assert peer["entries"] == 3 and peer["last_error"] is None
    assert peer["last_sync_at"] == first_sync.isoformat()
    found = b.api("GET", "/directory/search?networks=chemnitz").get_json()
    origins = {e["name"]: e["origin"] for g in found["items"] for e in g["entries"]}
    assert origins["DRK Kreisverband Chemnitz"]["peer"] == "Chemnitz"
    assert origins["DRK Kreisverband Chemnitz"]["last_sync_at"] == first_sync.isoformat()
    [synced] = b.events("federation.synced")
    assert synced["data"]["added"] == 3 and synced["data"]["network"] == "chemnitz"

    # what is not shared never reaches B: not the phone, not the flags, not the other entries
    stored = " ".join(str(r) for r in rows) + str(found)
    for secret in (
        "4711",
        "Stammtisch",
        "Bernd",
        "legal_basis",
        "consent_at",
        "public",
        "admitted",
    ):
        assert secret not in stored, secret
    assert next(r[3] for r in rows if r[0] == "contact")["partner_id"] == caritas

    # re-syncs duplicate nothing; unchanged, the peer answers 304 to the stored ETag
    scheduled_sync(b)
    again = sync_now(b)
    assert again["outcome"] == "not_modified" and again["peer"]["entries"] == 3
    assert len(foreign_rows(b)) == 3 and len(b.events("federation.synced")) == 1

    # DRK unshared at A: a tombstone, gone at B after the next sync
    assert a.api("PATCH", f"/partners/{drk}", json={"shared": False}).status_code == 200
    report = sync_now(b)
    assert report["outcome"] == "synced" and report["removed"] == 1, report
    assert [r[1] for r in foreign_rows(b)] == [anna, caritas]
    last_good = b.clock()

    # A goes down: B keeps the entries with their sync time, and says so once
    a.stop()
    try:
        scheduled_sync(b)
        scheduled_sync(b)
        peer = b.api("GET", f"/federation/peers/{b.peer_id}").get_json()
        assert peer["entries"] == 2 and peer["last_sync_at"] == last_good.isoformat()
        assert peer["unreachable_since"] and "nicht erreichbar" in peer["last_error"]
        [down] = b.events("federation.peer_unreachable")
        assert down["data"]["last_sync_at"] == last_good.isoformat()
        kept = b.api("GET", "/directory/search?q=caritas&networks=chemnitz").get_json()
        assert kept["items"][0]["entries"][0]["origin"]["last_sync_at"] == last_good.isoformat()
        # meanwhile A shares one more (its app works, only its server is down)
        bamf = create_partner(
            a,
            name="BAMF Außenstelle Chemnitz",
            kind="authority",
            website="https://www.bamf.de/DE/Behoerde/Standorte/chemnitz",
            shared=True,
        )
    finally:
        a.start()

    # A is back: the sync resumes where it stopped
    scheduled_sync(b)
    peer = b.api("GET", f"/federation/peers/{b.peer_id}").get_json()
    assert peer["unreachable_since"] is None and peer["last_error"] is None
    assert peer["last_sync_at"] == b.clock().isoformat()
    assert sorted(r[1] for r in foreign_rows(b)) == sorted([anna, caritas, bamf])
    assert b.events("federation.synced")[-1]["data"]["recovered"] is True

    # a contact erased at A disappears at B too
    assert a.api("DELETE", f"/contacts/{anna}").status_code == 204
    assert sync_now(b)["removed"] == 1
    assert sorted(r[1] for r in foreign_rows(b)) == sorted([caritas, bamf])

    # one search over both networks: the same organisation once, with both networks
    create_partner(b, name="Caritasverband für Chemnitz", postcode="09111", city="Chemnitz")
    create_partner(
        b,
        name="Bundesamt für Migration und Flüchtlinge",
        kind="authority",
        email="poststelle@bamf.de",
    )
    create_partner(b, name="Jobcenter Mittelsachsen", kind="authority", postcode="09599")
    for q, matched in (
        ("caritas", "name:caritasverband chemnitz|09111"),
        ("bamf", "domain:bamf.de"),
    ):
        result = b.api("GET", f"/directory/search?q={q}&networks=all").get_json()
        assert len(result["items"]) == 1, result
        [group] = result["items"]
        assert group["networks"] == ["mittelsachsen", "chemnitz"], group
        assert group["matched_by"] == [matched]
        assert [e["origin"] is None for e in group["entries"]] == [True, False]
    own = b.api("GET", "/directory/search?q=caritas&networks=own").get_json()
    assert [g["networks"] for g in own["items"]] == [["mittelsachsen"]]
    assert b.api("GET", "/directory/search?networks=nowhere").status_code == 422
    everything = b.api("GET", "/directory/search?networks=all&page_size=50").get_json()
    assert {n["key"] for n in everything["networks"]} == {"mittelsachsen", "chemnitz"}


def test_only_registered_active_peers_get_in(pair):
    a, b = pair
    directory = f"{a.url}/api/v1/chemnitz/federation/directory"
    b_key = KeyStore(b.settings).key()
    assert b.settings.federation_key_file.is_file()  # generated under B's var folder

    # the key sets are public documents, outside the API
    jwks = requests.get(f"{b.url}/.well-known/jwks.json", timeout=5).json()
    assert [k["kid"] for k in jwks["keys"]] == [b_key.kid] and "d" not in jwks["keys"][0]

    ok = requests.get(directory, headers=peer_token(b_key, b.url, a.url), timeout=5)
    assert ok.status_code == 200 and ok.headers["ETag"]
    same = requests.get(
        directory,
        headers={**peer_token(b_key, b.url, a.url), "If-None-Match": ok.headers["ETag"]},
        timeout=5,
    )
    assert same.status_code == 304 and same.headers["ETag"] == ok.headers["ETag"]

    # an instance nobody registered, with a key set of its own
    stranger = SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    unknown = requests.get(
        directory, headers=peer_token(stranger, "http://127.0.0.1:9", a.url), timeout=5
    )
    assert unknown.status_code == 401 and "unknown issuer" in unknown.json()["detail"]
    # … or one that pretends to be B
    forged = requests.get(directory, headers=peer_token(stranger, b.url, a.url), timeout=5)
    assert forged.status_code == 401
    # B's token, but meant for another instance or another network, or too long-lived
    elsewhere = requests.get(
        directory, headers=peer_token(b_key, b.url, "https://other.example"), timeout=5
    )
    assert elsewhere.status_code == 401
    other_network = requests.get(
        f"{a.url}/api/v1/chemnitz/federation/directory",
        headers=peer_token(b_key, b.url, a.url, caller_tenant="saalekreis"),
        timeout=5,
    )
    assert other_network.status_code == 401
    # a peer's token opens the shared directory only
    peers = requests.get(
        f"{a.url}/api/v1/chemnitz/federation/peers",
        headers=peer_token(b_key, b.url, a.url),
        timeout=5,
    )
    assert peers.status_code == 403

    # A disables B: B's tokens are refused (403), B's sync says so and keeps its entries
    assert (
        a.api("PATCH", f"/federation/peers/{a.peer_id}", json={"status": "disabled"}).status_code
        == 200
    )
    try:
        refused = requests.get(directory, headers=peer_token(b_key, b.url, a.url), timeout=5)
        assert refused.status_code == 403 and "deaktiviert" in refused.json()["detail"]
        held = len(foreign_rows(b))
        report = sync_now(b)
        assert report["outcome"] == "unreachable" and "403" in report["error"]
        assert len(foreign_rows(b)) == held
    finally:
        assert (
            a.api("PATCH", f"/federation/peers/{a.peer_id}", json={"status": "active"}).status_code
            == 200
        )
    assert sync_now(b)["outcome"] in ("synced", "not_modified")


def test_the_directory_pages_and_its_tombstones(pair, monkeypatch):
    a, b = pair
    ids = [create_partner(a, name=f"Seitenverein {n}", shared=True) for n in range(5)]
    key = KeyStore(b.settings).key()

    def page(**params):
        resp = requests.get(
            f"{a.url}/api/v1/chemnitz/federation/directory",
            params=params,
            headers=peer_token(key, b.url, a.url),
            timeout=5,
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    first = page(page_size=2)
    assert first["complete_listing"] is True and len(first["items"]) == 2
    seen, token = [i["id"] for i in first["items"]], first["next_page_token"]
    while token:
        nxt = page(page_size=2, page_token=token)
        assert nxt["total"] == first["total"]
        seen += [i["id"] for i in nxt["items"]]
        token = nxt["next_page_token"]
    assert len(seen) == len(set(seen)) == first["total"] and set(ids) <= set(seen)

    since = first["latest"]
    assert (
        a.api(
            "PATCH", f"/partners/{ids[0]}", json={"status": "left", "left_on": "2026-02-01"}
        ).status_code
        == 200
    )
    changed = page(modified_since=since)
    assert changed["complete_listing"] is False
    assert [(t["id"], t["reason"]) for t in changed["tombstones"]] == [(ids[0], "left")]
    assert ids[0] not in [i["id"] for i in changed["items"]]

    # B's sync follows the pages too (two entries a page here) and ends with A's directory
    from knotenpunkt.services.membership.domain import federation as rules

    monkeypatch.setattr(rules, "DEFAULT_PAGE_SIZE", 2)
    assert sync_now(b)["outcome"] == "synced"
    complete = page(page_size=500)
    assert sorted(r[1] for r in foreign_rows(b)) == sorted(i["id"] for i in complete["items"])
    assert ids[0] not in [r[1] for r in foreign_rows(b)]
    broken = requests.get(
        f"{a.url}/api/v1/chemnitz/federation/directory",
        params={"page_token": "not-a-token"},
        headers=peer_token(key, b.url, a.url),
        timeout=5,
    )
    assert broken.status_code == 422


def test_old_tombstones_are_purged_by_the_daily_job(pair):
    _, b = pair
    gone = create_partner(b, name="Verein auf Zeit", shared=True)
    assert b.api("PATCH", f"/partners/{gone}", json={"shared": False}).status_code == 200

    def stones() -> list:
        with b.db() as conn:
            rows = conn.execute(
                "select entry_id::text, removed_at from federation_tombstones where tenant = %s",
                (b.tenant,),
            ).fetchall()
        return [r[0] for r in rows]

    assert gone in stones()
    # a day and a margin later a peer that asks for changes may still need it: kept
    b.clock.advance(days=2)
    b.worker.run_jobs_once()
    assert gone in stones()
    # past that, the daily job drops it (and only tombstones that old)
    fresh = create_partner(b, name="Verein von heute", shared=True)
    b.clock.advance(seconds=1)
    assert b.api("PATCH", f"/partners/{fresh}", json={"shared": False}).status_code == 200
    b.worker.run_jobs_once()
    assert gone not in stones() and fresh in stones()


def test_the_signing_key_file(tmp_path):
    """Generated only in development mode (make run, these tests), 0600; replaced, it rotates."""
    import os

    from knotenpunkt.shared.config import Settings
    from knotenpunkt.shared.federation import FederationKeyMissing, generate_key_file

    path = tmp_path / "var" / "federation-key.pem"
    production = KeyStore(Settings(federation_key_file=path))
    assert production.jwks() == {"keys": []}
    with pytest.raises(FederationKeyMissing, match="FEDERATION_KEY_FILE"):
        production.key()
    development = KeyStore(Settings(federation_key_file=path, dev_mode=True))
    first = development.key()
    assert path.is_file() and path.stat().st_mode & 0o777 == 0o600
    assert production.key().kid == first.kid  # both read the same file now
    rotated = tmp_path / "new.pem"
    generate_key_file(rotated)
    os.utime(rotated, (path.stat().st_mtime + 10, path.stat().st_mtime + 10))
    os.replace(rotated, path)
    assert development.key().kid != first.kid
    assert [k["kid"] for k in development.jwks()["keys"]] == [development.key().kid]
