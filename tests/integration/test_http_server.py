"""The web process as deployed: `knotenpunkt web` (gunicorn) answers its own errors as problem+json."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support import free_port


@pytest.fixture(scope="module")
def voting_web(settings, tmp_path_factory):
    port = free_port()
    env = {
        # Not the test runner's PATH: the CLI must find gunicorn in its own environment.
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "DATABASE_URL": settings.database_url,
        "BROKER_URL": settings.broker_url,
        "JWT_SECRET": secrets.token_urlsafe(48),
        "LINK_SECRET": secrets.token_urlsafe(48),
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "KNOTENPUNKT_VAR": str(tmp_path_factory.mktemp("var")),
    }
    cli = Path(sys.executable).parent / "knotenpunkt"
    proc = subprocess.Popen(
        [str(cli), "web", "voting", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        proc.kill()
        with proc.stderr:
            raise AssertionError(proc.stderr.read().decode())
    yield port
    proc.terminate()
    proc.wait(timeout=15)
    proc.stderr.close()


def raw_request(port: int, data: bytes) -> tuple[str, dict, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return lines[0], headers, body


def test_oversized_headers_get_431_problem_json(voting_web):
    request = (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        + b"".join(b"X-Big-%d: %s\r\n" % (i, b"a" * 8000) for i in range(120))
        + b"\r\n"
    )
    status, headers, body = raw_request(voting_web, request)
    assert status.startswith("HTTP/1.1 431")
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["status"] == 431


def test_garbage_request_line_gets_400_problem_json(voting_web):
    status, headers, body = raw_request(voting_web, b"\x16\x03\x01 nonsense\r\n\r\n")
    assert status.startswith("HTTP/1.1 400")
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["title"] == "Ungültige Anfrage"


def healthz_count(port: int) -> float:
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith("http_requests_total{") and 'endpoint="/healthz"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_add_up_across_gunicorn_workers(voting_web):
    """Two gunicorn workers share the load; every scrape shows the sum of both."""
    before = healthz_count(voting_web)
    with requests.Session() as s:
        for _ in range(40):
            assert s.get(f"http://127.0.0.1:{voting_web}/healthz", timeout=5).status_code == 200
    # new connections, so that the scrapes land on both workers
    assert [healthz_count(voting_web) for _ in range(8)] == [before + 40] * 8
