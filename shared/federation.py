"""Federation between Knotenpunkt instances: the instance's signing key and key set, the
short-lived tokens one instance presents to another, and the HTTP client that pulls a peer's
shared directory.

Trust is per peer and explicit: an instance signs its calls with its own RS256 key
(FEDERATION_KEY_FILE) and publishes the public half at ``/.well-known/jwks.json``; the
called instance verifies them against the key set of the peer it registered
(:class:`knotenpunkt.shared.auth.FederationVerifier`). No secret is shared.

A token says who calls (``iss``: the calling instance's FEDERATION_URL, ``sub``: its
network), whom (``aud``: the called instance's URL, ``tenant``: the network there) and
lives ``federation_token_seconds`` (default 60).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from knotenpunkt.shared import net
from knotenpunkt.shared.config import Settings

log = logging.getLogger(__name__)

ROLE = "federation"
TENANT_CLAIM = "tenant"
# The longest lifetime a verifier accepts (iat to exp), whatever the caller's setting.
MAX_TOKEN_SECONDS = 300
# One page of a peer's directory may not be larger than this.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
KEY_BITS = 3072


class FederationKeyMissing(RuntimeError):
    """The instance has no signing key (FEDERATION_KEY_FILE); the message says what to do."""


# The one answer to a registration whose peer could not be checked (shared.net).
PEER_NOT_CHECKED = net.PEER_NOT_CHECKED
# What an instance says about one of its networks at /api/v1/<tenant>/federation/system.
SYSTEM_PATH = "/api/v1/{tenant}/federation/system"
MAX_SYSTEM_BYTES = 64 * 1024


class PeerNotChecked(Exception):
    """A peer's registration could not be checked: the reason is always PEER_NOT_CHECKED."""

    def __init__(self, detail: str):
        super().__init__(PEER_NOT_CHECKED)
        self.reason = PEER_NOT_CHECKED
        self.detail = detail


class PeerUnreachable(Exception):
    """A call to a peer failed: `reason` is a German sentence without internal detail,
    `status` the HTTP status when the peer answered."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def normal_url(url: str) -> str:
    """An instance URL as issuer and audience compare it: without trailing slashes."""
    return (url or "").strip().rstrip("/")


# --- The signing key ----------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class SigningKey:
    """The instance's RS256 key; `kid` is the RFC 7638 thumbprint of its public half."""

    private: rsa.RSAPrivateKey

    @property
    def public_jwk(self) -> dict:
        numbers = self.private.public_key().public_numbers()
        jwk = {"e": _int_b64(numbers.e), "kty": "RSA", "n": _int_b64(numbers.n)}
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    @property
    def kid(self) -> str:
        numbers = self.private.public_key().public_numbers()
        canonical = json.dumps(
            {"e": _int_b64(numbers.e), "kty": "RSA", "n": _int_b64(numbers.n)},
            separators=(",", ":"),
            sort_keys=True,
        )
        return _b64(hashlib.sha256(canonical.encode()).digest())

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": self.kid})


def generate_key_file(path: Path) -> None:
    """Write a new RSA key (PEM, PKCS#8, mode 0600) to path, atomically."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    try:
        os.link(tmp, path)  # never replaces a key another process wrote meanwhile
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


class KeyStore:
    """The signing key of FEDERATION_KEY_FILE, read again when the file changes (rotation:
    replace the file; peers fetch the new key set when they meet the new key id).

    Missing file: generated in development mode (make run), else FederationKeyMissing.
    """

    def __init__(self, settings: Settings):
        self.path = Path(settings.federation_key_file)
        self.generate = settings.dev_mode
        self._lock = threading.Lock()
        self._loaded: tuple[float, SigningKey] | None = None

    def key(self) -> SigningKey:
        """The current key; raises FederationKeyMissing."""
        with self._lock:
            if not self.path.is_file():
                if not self.generate:
                    raise FederationKeyMissing(
                        f"FEDERATION_KEY_FILE {self.path} fehlt: ohne eigenen Schlüssel kann diese "
                        "Instanz keine anderen Netzwerke abfragen (einen RSA-Schlüssel erzeugen, "
                        "z. B. `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072`)."
                    )
                generate_key_file(self.path)
                log.info("federation: generated the signing key %s", self.path)
            mtime = self.path.stat().st_mtime
            if self._loaded is None or self._loaded[0] != mtime:
                private = serialization.load_pem_private_key(self.path.read_bytes(), None)
                if not isinstance(private, rsa.RSAPrivateKey):
                    raise FederationKeyMissing(
                        f"FEDERATION_KEY_FILE {self.path} ist kein RSA-Schlüssel."
                    )
                self._loaded = (mtime, SigningKey(private))
            return self._loaded[1]

    def jwks(self) -> dict:
        """The public key set (empty without a key: nothing is signed, nothing to verify)."""
        try:
            return {"keys": [self.key().public_jwk]}
        except FederationKeyMissing as exc:
            log.warning("federation: %s", exc)
            return {"keys": []}


def federation_token(
    key: SigningKey,
    *,
    issuer: str,
    caller_tenant: str,
    audience: str,
    tenant: str,
    ttl_seconds: int,
    now: float | None = None,
) -> str:
    """A token for one call: our instance (iss) and network (sub) call `tenant` at `audience`."""
    issued = int(time.time() if now is None else now)
    return key.sign(
        {
            "iss": normal_url(issuer),
            "sub": caller_tenant,
            "aud": normal_url(audience),
            TENANT_CLAIM: tenant,
            "roles": [ROLE],
            "iat": issued,
            "exp": issued + max(1, min(ttl_seconds, MAX_TOKEN_SECONDS)),
            "jti": uuid.uuid4().hex,
        }
    )


# --- The client ---------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryPage:
    """One page of a peer's directory: its body and its ETag."""

    body: dict
    etag: str | None


@dataclass(frozen=True)
class Answer:
    """A peer's answer: status, headers (names in lower case) and body."""

    status: int
    headers: dict[str, str]
    body: bytes


def get_pinned(
    url: str,
    headers: dict[str, str],
    *,
    allow_internal: bool,
    timeout: float,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> Answer:
    """GET a peer's URL at exactly the address that was checked (shared.net): one lookup, so no
    second answer of the peer's DNS can send the call elsewhere (no rebinding window); https
    with the certificate checked for the URL's host; redirects never followed; the body capped.

    Only https and public addresses unless allow_internal (FEDERATION_ALLOW_INTERNAL: then
    any address, still the one resolved once). Raises PeerUnreachable (refused target, network
    error, timeout, answer too large).
    """
    try:
        if not allow_internal and not url.startswith("https://"):
            raise net.UnsafeTarget("Andere Instanzen werden nur über https abgefragt.")
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
        scheme, host, port, path, address = net.resolve_checked(
            url, {host} if allow_internal else frozenset()
        )
    except (net.UnsafeTarget, ValueError) as exc:
        raise PeerUnreachable(getattr(exc, "reason", "Die URL ist ungültig.")) from exc
    cls = net._PinnedHTTPS if scheme == "https" else net._PinnedHTTP
    conn = cls(host, address, port, timeout)
    try:
        conn.request("GET", path, headers={**headers, "Host": net._host_header(host, port, scheme)})
        resp = conn.getresponse()
        chunks, size = [], 0
        while chunk := resp.read(65536):
            size += len(chunk)
            if size > max_bytes:
                raise PeerUnreachable("Die Antwort des Partner-Knotens ist zu groß.")
            chunks.append(chunk)
        answer_headers = {k.lower(): v for k, v in resp.getheaders()}
        return Answer(resp.status, answer_headers, b"".join(chunks))
    except (OSError, http.client.HTTPException) as exc:
        log.info("federation: %s: %s: %s", url, exc.__class__.__name__, exc)
        raise PeerUnreachable("Der Partner-Knoten ist nicht erreichbar.") from exc
    finally:
        conn.close()


class FederationClient:
    """Calls peers: signed, with timeouts, no redirects, capped answers, and — unless
    FEDERATION_ALLOW_INTERNAL — only to public addresses over https, each call to the address
    that was checked (:func:`get_pinned`)."""

    def __init__(self, settings: Settings, keys: KeyStore | None = None):
        self.settings = settings
        self.keys = keys or KeyStore(settings)

    def fetch_directory(
        self,
        *,
        base_url: str,
        remote_tenant: str,
        caller_tenant: str,
        params: dict,
        etag: str | None = None,
    ) -> DirectoryPage | None:
        """One page of the peer's shared directory; None when it answers 304 (etag matched).

        Raises PeerUnreachable (refused address, network error, timeout, refusal, no JSON
        object) and FederationKeyMissing.
        """
        base = normal_url(base_url)
        url = f"{base}/api/v1/{remote_tenant}/federation/directory"
        if params:
            url += "?" + urlencode(params)
        token = federation_token(
            self.keys.key(),
            issuer=self.settings.federation_url,
            caller_tenant=caller_tenant,
            audience=base,
            tenant=remote_tenant,
            ttl_seconds=self.settings.federation_token_seconds,
        )
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        resp = get_pinned(
            url,
            headers,
            allow_internal=self.settings.federation_allow_internal,
            timeout=self.settings.federation_timeout,
        )
        if resp.status == 304:
            return None
        if resp.status != 200:
            log.info("federation: %s answered %s", url, resp.status)
            raise PeerUnreachable(
                f"Der Partner-Knoten antwortete mit HTTP {resp.status}.", status=resp.status
            )
        try:
            data = json.loads(resp.body)
        except ValueError as exc:
            raise PeerUnreachable("Der Partner-Knoten lieferte kein gültiges JSON.") from exc
        if not isinstance(data, dict):
            raise PeerUnreachable("Der Partner-Knoten lieferte kein Verzeichnis.")
        return DirectoryPage(data, resp.headers.get("etag"))

    def check_peer(self, *, base_url: str, tenant: str, issuer: str, jwks_url: str) -> None:
        """Before a peer is registered: its System (``SYSTEM_PATH``) and key set are reachable
        over the same checked calls as the sync (public addresses only unless
        FEDERATION_ALLOW_INTERNAL, no redirects) and agree with the registration (the System
        names this issuer and network; the key set holds at least one RSA key with an id).

        Raises PeerNotChecked with one generic text; the log line says what failed.
        """
        base = normal_url(base_url)
        system_url = base + SYSTEM_PATH.format(tenant=tenant)
        try:
            system = self._json(system_url)
            keys = self._json(jwks_url)
        except PeerUnreachable as exc:
            log.info("federation: peer %s not checked: %s", base, exc.reason)
            raise PeerNotChecked(exc.reason) from exc
        said = (normal_url(str(system.get("issuer") or "")), system.get("tenant"))
        if said != (normal_url(issuer), tenant):
            log.info("federation: peer %s says it is %s, not %s", base, said, (issuer, tenant))
            raise PeerNotChecked("issuer or network differ")
        found = keys.get("keys")
        if not isinstance(found, list) or not any(
            isinstance(k, dict) and k.get("kty") == "RSA" and k.get("kid") for k in found
        ):
            log.info("federation: peer %s: no RSA key with an id at %s", base, jwks_url)
            raise PeerNotChecked("no key")

    def _json(self, url: str) -> dict:
        """A JSON object from a peer's public URL (unsigned); raises PeerUnreachable."""
        resp = get_pinned(
            url,
            {"Accept": "application/json"},
            allow_internal=self.settings.federation_allow_internal,
            timeout=self.settings.federation_timeout,
            max_bytes=MAX_SYSTEM_BYTES,
        )
        if resp.status != 200:
            raise PeerUnreachable(f"{url} answered {resp.status}", status=resp.status)
        try:
            data = json.loads(resp.body)
        except ValueError as exc:
            raise PeerUnreachable(f"{url}: no JSON") from exc
        if not isinstance(data, dict):
            raise PeerUnreachable(f"{url}: no JSON object")
        return data
