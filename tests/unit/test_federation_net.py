"""Calls to peers go to exactly the address that was checked: one lookup of the peer's name,
so a DNS answer that changes between the check and the call (rebinding to loopback) cannot
send the directory pull or the key-set fetch anywhere else."""

from __future__ import annotations

import http.server
import json
import socket
import threading

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from knotenpunkt.shared.auth import _CheckedJWKClient
from knotenpunkt.shared.config import Settings
from knotenpunkt.shared.federation import FederationClient, PeerUnreachable, SigningKey

PUBLIC_IP = "93.184.216.34"
REBINDING = "peer.rebind.example"
LOCAL = "peer.local.example"


class Keys:
    """A key store with one key made here (no file)."""

    key_ = SigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def key(self) -> SigningKey:
        return self.key_


@pytest.fixture
def listener():
    """A loopback port that records whether anything connected to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def connected_to(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


@pytest.fixture
def rebinding(monkeypatch, listener):
    """The peer's name: public at the first lookup, loopback (the listener) after it; every
    connection attempt is recorded (and refused: no call leaves this machine)."""
    port = listener.getsockname()[1]
    lookups, attempts = [], []
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == REBINDING:
            lookups.append(host)
            address = PUBLIC_IP if len(lookups) == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, *args, **kwargs)

    def create_connection(address, *args, **kwargs):
        attempts.append(address)
        raise ConnectionRefusedError("no network in unit tests")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    return {"port": port, "lookups": lookups, "attempts": attempts}


def test_the_directory_pull_goes_to_the_checked_address(rebinding, listener):
    client = FederationClient(Settings(federation_timeout=1.0), keys=Keys())
    with pytest.raises(PeerUnreachable, match="nicht erreichbar"):
        client.fetch_directory(
            base_url=f"https://{REBINDING}:{rebinding['port']}",
            remote_tenant="chemnitz",
            caller_tenant="mittelsachsen",
            params={"page_size": 200},
        )
    assert rebinding["lookups"] == [REBINDING]  # looked up once, for the check
    assert rebinding["attempts"] == [(PUBLIC_IP, rebinding["port"])]  # and called there
    assert not connected_to(listener)


def test_the_key_set_is_fetched_from_the_checked_address(rebinding, listener):
    keys = _CheckedJWKClient(
        f"https://{REBINDING}:{rebinding['port']}/.well-known/jwks.json",
        False,
        cache_jwk_set=True,
        timeout=1.0,
    )
    with pytest.raises(jwt.PyJWKClientConnectionError, match="nicht erreichbar"):
        keys.get_jwk_set()
    assert rebinding["lookups"] == [REBINDING]
    assert rebinding["attempts"] == [(PUBLIC_IP, rebinding["port"])]
    assert not connected_to(listener)


def test_internal_names_are_refused_before_any_call(monkeypatch):
    attempts = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: attempts.append(a))
    client = FederationClient(Settings(federation_timeout=1.0), keys=Keys())
    for base, reason in (
        ("https://127.0.0.1:9", "interne Adresse"),
        ("http://93.184.216.34", "nur über https"),
    ):
        with pytest.raises(PeerUnreachable, match=reason):
            client.fetch_directory(
                base_url=base, remote_tenant="chemnitz", caller_tenant="x", params={}
            )
    assert attempts == []


@pytest.fixture
def peer(monkeypatch):
    """A peer on loopback under a name of its own (FEDERATION_ALLOW_INTERNAL): it answers
    what the test sets and records the requests."""
    seen, answer = [], {"status": 200, "body": b"{}", "headers": {}}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, dict(self.headers)))
            self.send_response(answer["status"])
            for name, value in answer["headers"].items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer["body"])))
            self.end_headers()
            self.wfile.write(answer["body"])

        def log_message(self, *args):
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == LOCAL:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://{LOCAL}:{port}", "port": port, "seen": seen, "answer": answer}
    server.shutdown()
    server.server_close()


def test_a_pinned_call_speaks_http_as_before(peer):
    settings = Settings(federation_timeout=2.0, federation_allow_internal=True)
    client = FederationClient(settings, keys=Keys())

    def pull(**kw):
        return client.fetch_directory(
            base_url=peer["url"] + "/",
            remote_tenant="chemnitz",
            caller_tenant="mittelsachsen",
            params={"page_size": 2, "modified_since": "2026-01-01T00:00:00+00:00"},
            **kw,
        )

    peer["answer"].update(body=b'{"items": []}', headers={"ETag": '"v1"'})
    page = pull()
    assert page.body == {"items": []} and page.etag == '"v1"'
    path, headers = peer["seen"][-1]
    assert path == (
        "/api/v1/chemnitz/federation/directory?page_size=2"
        "&modified_since=2026-01-01T00%3A00%3A00%2B00%3A00"
    )
    assert headers["Host"] == f"{LOCAL}:{peer['port']}"
    assert headers["Authorization"].startswith("Bearer ") and "If-None-Match" not in headers
    peer["answer"].update(status=304, body=b"")
    assert pull(etag='"v1"') is None and peer["seen"][-1][1]["If-None-Match"] == '"v1"'
    peer["answer"].update(status=307, headers={"Location": "http://127.0.0.1:1/"})
    with pytest.raises(PeerUnreachable) as refused:  # a redirect is not followed
        pull()
    assert refused.value.status == 307
    peer["answer"].update(status=200, body=b"[1, 2]", headers={})
    with pytest.raises(PeerUnreachable, match="kein Verzeichnis"):
        pull()

    # the key set the same way
    jwks = {"keys": [Keys.key_.public_jwk]}
    peer["answer"].update(body=json.dumps(jwks).encode())
    keys = _CheckedJWKClient(f"{peer['url']}/.well-known/jwks.json", True, timeout=2.0)
    assert [k.key_id for k in keys.get_jwk_set().keys] == [Keys.key_.kid]
    peer["answer"].update(body=b"x" * (300 * 1024))
    with pytest.raises(jwt.PyJWKClientConnectionError, match="zu groß"):
        keys.fetch_data()
