"""`TENANTS=chemnitz make run` serves Chemnitz only, with its demo data; Magdeburg is a 404 on
every service, through the one origin (issue 26, point 2)."""

from __future__ import annotations

import psycopg
import pytest
import requests

from knotenpunkt.services.membership.seed import CHEMNITZ, MEMBERS
from knotenpunkt.shared.auth import issue_token
from knotenpunkt.shared.config import Settings, development_secrets
from knotenpunkt.shared.tenants import TenantRegistry
from tests.integration.makerun import MakeRun, scratch

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chemnitz_only():
    run = MakeRun(scratch("makerun-tenants"), TENANTS="chemnitz")
    try:
        yield run.start()
    finally:
        run.stop()


def test_tenants_chemnitz_make_run_serves_only_chemnitz_with_its_demo_data(chemnitz_only):
    run = chemnitz_only
    settings = Settings(jwt_secret=development_secrets(run.var)["JWT_SECRET"])

    def auth(tenant: str, role: str = "coordinator", **kw) -> dict:
        token = issue_token(settings, tenant=tenant, roles=[role], **kw)
        return {"Authorization": f"Bearer {token}"}

    http = requests.Session()
    api = f"{run.origin}/api/v1/chemnitz"
    coord = auth("chemnitz")

    # Chemnitz: every service answers through the one origin, with the demo data
    assert http.get(f"{api}/rules", timeout=10).status_code == 200
    resp = http.get(f"{api}/partners?page_size=100", headers=coord, timeout=10)
    assert resp.status_code == 200, resp.text
    names = {p["name"] for p in resp.json()["items"]}
    assert {name for name, _ in CHEMNITZ} <= names
    body, people = MEMBERS["chemnitz"]
    members = http.get(f"{api}/bodies/{body}/members", headers=coord, timeout=10)
    assert members.status_code == 200, members.text
    assert {p for p, _, _ in people} <= {m["person_id"] for m in members.json()}
    # the voting service learnt the seeded members from membership's events (its own copy)
    run.wait_for(
        lambda: (
            {p for p, _, _ in people}
            <= {
                v["person_id"]
                for v in http.get(f"{api}/electorates/{body}", headers=coord, timeout=10).json()
            }
        ),
        "the seeded members in the voting service's electorate",
    )
    consultations = http.get(f"{api}/consultations", headers=coord, timeout=10)
    assert consultations.status_code == 200, consultations.text
    tenant = TenantRegistry.load(Settings().tenants_dir, "chemnitz").get("chemnitz")
    assert {c["title"] for c in tenant.rules["consultations"]} <= {
        c["title"] for c in consultations.json()
    }
    assert http.get(f"{api}/notifications", headers=coord, timeout=10).status_code == 200
    assert http.get(f"{run.origin}/oparl/v1/chemnitz/system", timeout=10).status_code == 200
    home = http.get(f"{run.origin}/chemnitz/", timeout=10)
    assert home.status_code == 200 and "Chemnitz" in home.text

    # Magdeburg (a tenant file in the folder, not served): 404 on every service and the portal
    other = auth("magdeburg")
    for path in (
        "/api/v1/magdeburg/rules",  # membership
        "/api/v1/magdeburg/partners",
        "/api/v1/magdeburg/electorates/projektgruppe",  # voting
        "/api/v1/magdeburg/ballots",
        "/api/v1/magdeburg/events",  # events
        "/api/v1/magdeburg/consultations",
        "/api/v1/magdeburg/notifications",  # notifications
        "/oparl/v1/magdeburg/system",  # OParl (membership, events)
        "/oparl/v1/magdeburg/meeting",
        "/magdeburg/",  # the portal
    ):
        resp = http.get(f"{run.origin}{path}", headers=other, timeout=10)
        assert resp.status_code == 404, (path, resp.status_code, resp.text[:300])
        if path.startswith(("/api/", "/oparl/")):
            assert resp.headers["Content-Type"].startswith("application/problem+json"), path

    # and no demo data was written for the networks this instance does not serve
    url = f"postgresql://postgres:{(run.var / 'pg-password').read_text().strip()}@127.0.0.1:"
    url += f"{run.env['EMBEDDED_PG_PORT']}/knotenpunkt_membership"
    with psycopg.connect(url, connect_timeout=10) as conn:
        tenants = {t for (t,) in conn.execute("select distinct tenant from partners")}
    assert tenants == {"chemnitz"}
