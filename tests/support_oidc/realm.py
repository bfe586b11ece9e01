"""panva's oidc-provider (from the npm registry, OpenID Certified) run with the machine's Node.js
on loopback, set up like a municipal Keycloak realm (provider.mjs beside this file).

The pinned package (package.json, package-lock.json) is installed with ``npm ci`` into
var/test-oidc-provider/ the first time, and again when the lock file changes; node_modules
is never committed.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
INSTALL = HERE.parents[1] / "var" / "test-oidc-provider"
CLIENT_ID = "knotenpunkt-portal"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise AssertionError(f"{name} not found: install Debian's nodejs and npm")
    return found


def install() -> Path:
    """The provider's folder with its node_modules (npm ci when missing or the lock changed)."""
    INSTALL.mkdir(parents=True, exist_ok=True)
    lock = (HERE / "package-lock.json").read_bytes()
    installed = INSTALL / "package-lock.json"
    with (INSTALL / ".install-lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # another test process may be installing
        if not (INSTALL / "node_modules" / "oidc-provider").is_dir() or (
            not installed.exists() or installed.read_bytes() != lock
        ):
            shutil.copy(HERE / "package.json", INSTALL / "package.json")
            shutil.copy(HERE / "package-lock.json", INSTALL / "package-lock.json")
            subprocess.run(
                [_binary("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=INSTALL,
                check=True,
                timeout=300,
            )
        shutil.copy(HERE / "provider.mjs", INSTALL / "provider.mjs")
    return INSTALL


@dataclass
class User:
    """A realm user: realm roles and the attributes Keycloak's mappers put into the tokens."""

    username: str
    name: str
    tenant: str
    roles: list[str]
    bodies: list[str] = field(default_factory=list)
    person_id: str | None = None
    access_token_ttl: int | None = None
    password: str = field(default_factory=lambda: uuid.uuid4().hex)
    sub: str = field(default_factory=lambda: str(uuid.uuid4()))  # a UUID, as in Keycloak

    def as_json(self) -> dict:
        return {
            "password": self.password,
            "sub": self.sub,
            "name": self.name,
            "email": f"{self.username}@example.org",
            "realm_roles": [*self.roles, "offline_access", "uma_authorization"],
            "attributes": {
                "tenant": self.tenant,
                "bodies": self.bodies,
                **({"person_id": self.person_id} if self.person_id else {}),
            },
            **({"access_token_ttl": self.access_token_ttl} if self.access_token_ttl else {}),
        }


class Realm:
    """The running provider: issuer, client, users; rotate() makes a new signing key active."""

    def __init__(self, users: list[User], redirect_uri: str, post_logout_uri: str):
        self.users = {u.username: u for u in users}
        self.client_secret = uuid.uuid4().hex
        folder = install()
        self._tmp = tempfile.TemporaryDirectory(prefix="kp-realm-")
        realm_file = Path(self._tmp.name) / "realm.json"
        realm_file.write_text(
            json.dumps(
                {
                    "client": {
                        "client_id": CLIENT_ID,
                        "client_secret": self.client_secret,
                        "redirect_uris": [redirect_uri],
                        "post_logout_redirect_uris": [post_logout_uri],
                    },
                    "users": {u.username: u.as_json() for u in users},
                }
            ),
            encoding="utf-8",
        )
        self.proc = subprocess.Popen(
            [_binary("node"), str(folder / "provider.mjs"), str(realm_file)],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.log: list[str] = []
        for line in self.proc.stdout:  # its warnings (e.g. the Node.js version), then the port
            if line.startswith("listening "):
                self.issuer = f"http://127.0.0.1:{int(line.split()[1])}"
                break
            self.log.append(line.rstrip())
        else:
            self.stop()
            raise AssertionError("the OpenID provider did not start: " + "\n".join(self.log))
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.log.append(line.rstrip())

    @property
    def discovery(self) -> dict:
        return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5).json()

    def state(self) -> dict:
        return requests.get(f"{self.issuer}/_realm/state", timeout=5).json()

    def rotate(self) -> dict:
        """A new active signing key; the previous one stays published (passive)."""
        resp = requests.post(f"{self.issuer}/_realm/rotate", timeout=30)
        resp.raise_for_status()
        return resp.json()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        drainer = getattr(self, "_drainer", None)
        if drainer is not None:
            drainer.join(timeout=5)  # ends at the pipe's end
        self.proc.stdout.close()
        self._tmp.cleanup()
