"""The production path for real: image from the wheelhouse, compose stack, everything through the gateway.

1. `deploy/images/app/build.sh` (what `make image` runs) builds the application
   and gateway images from a wheelhouse;
2. the compose stack (deploy/compose) comes up for Chemnitz on a free port under
   a unique project name; mail goes to an SMTP sink this test runs on the host,
   reached from the containers at the Docker bridge's address;
3. the Chemnitz admission runs through the gateway only: body members,
   anonymous application, check, ballot opened by the voting worker, three
   votes, application admitted; the applicant's receipt arrives by SMTP;
4. `down` (volumes kept) and `up` again: the application is still there;
5. the same data restarted as a Saalekreis-only instance (TENANTS=saalekreis):
   Chemnitz answers 404, Saalekreis its rules;
6. `down -v` always.

Deselect with ``-m "not deploy"``; KP_COMPOSE chooses the Compose command
(default: docker-compose, else `docker compose`).
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from knotenpunkt.shared.auth import issue_token
from knotenpunkt.shared.config import ROOT, Settings

pytestmark = [pytest.mark.deploy, pytest.mark.integration]

COMPOSE_DIR = ROOT / "deploy" / "compose"
VERSION = "0.1.0"


def compose_command() -> list[str]:
    if os.environ.get("KP_COMPOSE"):
        return shlex.split(os.environ["KP_COMPOSE"])
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    pytest.fail("no docker-compose and no `docker compose`: run deploy/test-infra.sh (make test)")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bridge_address() -> str:
    """The host's address on Docker's default bridge: containers reach the host there."""
    out = subprocess.run(
        [
            "docker",
            "network",
            "inspect",
            "bridge",
            "-f",
            "{{range .IPAM.Config}}{{.Gateway}}{{end}}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return out or "172.17.0.1"


class Sink:
    """An SMTP server (aiosmtpd) on the bridge address, keeping what it receives."""

    def __init__(self, host: str):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import email
                import email.policy

                sink.messages.append(
                    email.message_from_bytes(envelope.content, policy=email.policy.default)
                )
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname=host, port=self.port)
        self.controller.start()
        self.url = f"smtp://{host}:{self.port}"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in (m["To"] or "")]

    def stop(self):
        self.controller.stop()


class Stack:
    """One compose project; every command gets the same env file."""

    def __init__(self, tmp: Path, env: dict):
        self.project = f"kptest{uuid.uuid4().hex[:8]}"
        self.env_file = tmp / "stack.env"
        self.env = dict(env)
        self.write_env()
        self.base = [*compose_command(), "--env-file", str(self.env_file), "-p", self.project]

    def write_env(self):
        self.env_file.write_text(
            "".join(f"{k}={v}\n" for k, v in self.env.items()), encoding="utf-8"
        )

    def run(self, *args, timeout=300, check=True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*self.base, *args],
            cwd=COMPOSE_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            logs = self.run("logs", "--tail", "40", check=False).stdout[-6000:]
            raise AssertionError(
                f"compose {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}\n"
                f"--- logs ---\n{logs}"
            )
        return result

    def up(self):
        self.run("up", "-d", timeout=600)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['GATEWAY_PORT']}"


def wait_for(check, what: str, seconds: float = 90.0, stack: Stack | None = None):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except (requests.RequestException, AssertionError, StopIteration, KeyError) as exc:
            last = exc
        else:
            if result:
                return result
        time.sleep(0.5)
    logs = stack.run("logs", "--tail", "30", check=False).stdout[-8000:] if stack else ""
    raise AssertionError(f"{what}: not within {seconds}s (last: {last!r})\n{logs}")


@pytest.fixture(scope="module")
def images():
    """The images, built the way `make image` builds them (a second run is mostly cached)."""
    python = os.environ.get("PYTHON") or str(ROOT / ".venv" / "bin" / "python")
    if not Path(python).exists():
        python = "python3"
    result = subprocess.run(
        ["bash", str(ROOT / "deploy" / "images" / "app" / "build.sh")],
        cwd=ROOT,
        env={**os.environ, "PYTHON": python, "MEASURE": "0"},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return f"knotenpunkt/app:{VERSION}", f"knotenpunkt/gateway:{VERSION}"


@pytest.fixture(scope="module")
def sink():
    s = Sink(bridge_address())
    yield s
    s.stop()


@pytest.fixture(scope="module")
def stack(images, sink, tmp_path_factory):
    env = {
        "TENANTS": "chemnitz",
        "IMAGE_TAG": VERSION,
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "APP_DB_PASSWORD": secrets.token_hex(16),
        "RABBITMQ_PASSWORD": secrets.token_hex(16),
        "JWT_SECRET": secrets.token_urlsafe(48),
        "LINK_SECRET": secrets.token_urlsafe(48),
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_ISSUER": "knotenpunkt-test",
        "GATEWAY_BIND": "127.0.0.1",
        "GATEWAY_PORT": str(free_port()),
        "SMTP_URL": sink.url,
        "MAIL_FROM": "Knotenpunkt Test <no-reply@example.org>",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "4",
        "DB_POOL_MAX": "4",
    }
    s = Stack(tmp_path_factory.mktemp("compose"), env)
    try:
        s.up()
        yield s
    finally:
        s.run("down", "-v", "--remove-orphans", "-t", "5", check=False, timeout=300)


def gateway_ready(stack: Stack, tenant: str):
    wait_for(
        lambda: requests.get(f"{stack.url}/api/v1/{tenant}/rules", timeout=5).status_code == 200,
        f"the gateway serving {tenant}",
        seconds=120,
        stack=stack,
    )


def test_chemnitz_admission_through_the_gateway(stack, sink):
    settings = Settings(jwt_secret=stack.env["JWT_SECRET"], jwt_issuer=stack.env["JWT_ISSUER"])

    def auth(**kw) -> dict:
        return {"Authorization": "Bearer " + issue_token(settings, tenant="chemnitz", **kw)}

    api = f"{stack.url}/api/v1/chemnitz"
    coord = auth(roles=["coordinator"])
    http = requests.Session()
    gateway_ready(stack, "chemnitz")
    assert http.get(f"{stack.url}/healthz", timeout=5).json()["service"] == "gateway"
    for service in ("membership", "voting", "events", "notifications"):
        doc = http.get(f"{stack.url}/api/v1/{service}/openapi.json", timeout=10)
        assert doc.status_code == 200 and doc.json()["paths"], service
    # the web portal at "/" through the same gateway; an unknown API path stays a problem
    home = http.get(f"{stack.url}/chemnitz/", timeout=10)
    assert home.status_code == 200 and "Integrationsnetzwerk Chemnitz" in home.text
    assert home.headers["Content-Type"].startswith("text/html")
    unknown = http.get(f"{stack.url}/api/v1/chemnitz/nothing-here", timeout=10)
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"].startswith("application/problem+json")

    # API docs in the intranet: the gateway's index, each service's Swagger UI and its assets
    index = http.get(f"{stack.url}/api/v1/docs", timeout=10)
    assert index.status_code == 200 and 'href="/api/v1/voting/docs"' in index.text
    page = http.get(f"{stack.url}/api/v1/membership/docs", timeout=10)
    assert page.status_code == 200 and 'src="docs/static/swagger-ui-bundle.js"' in page.text
    asset = http.get(f"{stack.url}/api/v1/membership/docs/static/swagger-ui-bundle.js", timeout=10)
    assert asset.status_code == 200 and "SwaggerUIBundle" in asset.text
    echoed = http.get(f"{api}/rules", headers={"X-Request-ID": "deploy-test-1"}, timeout=10)
    assert echoed.headers.get("X-Request-ID") == "deploy-test-1"

    # the Vorbereitungsgremium gets three members with e-mail addresses
    people = [f"p{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for i, pid in enumerate(people):
        resp = http.post(
            f"{api}/bodies/vorbereitungsgremium/members",
            json={"person_id": pid, "name": f"Mitglied {i + 1}", "email": f"{pid}@example.org"},
            headers=coord,
            timeout=10,
        )
        assert resp.status_code == 201, resp.text
    # the voting service learns them from membership's events
    wait_for(
        lambda: (
            set(people)
            <= {
                v["person_id"]
                for v in http.get(
                    f"{api}/electorates/vorbereitungsgremium", headers=coord, timeout=10
                ).json()
            }
        ),
        "the electorate in the voting service",
        stack=stack,
    )

    # an organisation applies without logging in
    applicant = f"antrag-{uuid.uuid4().hex[:8]}@example.org"
    resp = http.post(
        f"{api}/applications",
        json={
            "organisation": {
                "name": "Afrikanischer Kulturverein",
                "kind": "migrant_self_organisation",
            },
            "contact": {"name": "Amadou Diallo", "email": applicant},
            "statements": {"migrant_interests": True, "non_commercial": True},
        },
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    application = resp.json()

    # the Koordinierungsstelle checks it; the voting worker opens the ballot
    resp = http.post(
        f"{api}/applications/{application['id']}/check",
        json={"complete": True, "plausible": True},
        headers=coord,
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    ballot = wait_for(
        lambda: next(
            b
            for b in http.get(f"{api}/ballots?status=open", headers=coord, timeout=10).json()
            if b["subject"]["id"] == application["id"]
        ),
        "the admission ballot",
        stack=stack,
    )
    assert ballot["electorate_size"] == 3

    # three votes: 2 yes, 1 no with its reason; the ballot closes when all have voted
    for pid, choice in zip(people, ["yes", "yes", "no"], strict=True):
        vote = {"choice": choice}
        if choice == "no":
            vote["reason"] = "Zweck unklar."
        resp = http.post(
            f"{api}/ballots/{ballot['id']}/votes",
            json=vote,
            headers=auth(roles=["member"], sub=pid, bodies=["vorbereitungsgremium"]),
            timeout=10,
        )
        assert resp.status_code in (200, 201), resp.text

    decided = wait_for(
        lambda: (
            (
                a := http.get(
                    f"{api}/applications/{application['id']}", headers=coord, timeout=10
                ).json()
            )["status"]
            == "admitted"
            and a
        ),
        "the admission",
        stack=stack,
    )
    assert decided["id"] == application["id"]

    # the applicant's receipt went out by SMTP
    receipt = wait_for(lambda: sink.to(applicant), "the receipt to the applicant", stack=stack)
    assert receipt[0]["Subject"].startswith("Ihre Beitrittserklärung ist eingegangen")

    # a backup from inside the stack (pg_dump in the image, the superuser of the stack's server)
    backups = Path(stack.env_file).parent / "backups"
    backups.mkdir()
    os.chmod(backups, 0o777)
    stack.run("run", "--rm", "-v", f"{backups}:/backups", "migrate", "backup", "/backups/b1")
    manifest = json.loads((backups / "b1" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["databases"]) == {"membership", "voting", "events", "notifications"}
    assert "tenants/chemnitz.yaml" in manifest["files"]

    # down (volumes kept) and up again: the data is still there
    stack.run("down", "-t", "5")
    stack.up()
    gateway_ready(stack, "chemnitz")
    again = http.get(f"{api}/applications/{application['id']}", headers=coord, timeout=10)
    assert again.status_code == 200 and again.json()["status"] == "admitted", again.text

    # the same stack as a Saalekreis-only instance: Chemnitz is unknown there
    stack.run("down", "-t", "5")
    stack.env["TENANTS"] = "saalekreis"
    stack.write_env()
    stack.up()
    gateway_ready(stack, "saalekreis")
    resp = http.get(f"{stack.url}/api/v1/chemnitz/rules", timeout=10)
    assert resp.status_code == 404, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert json.loads(resp.text)["type"].endswith("unknown-tenant")
