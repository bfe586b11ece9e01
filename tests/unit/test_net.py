"""Webhook targets: only public addresses, unless the network allows an internal host."""

from __future__ import annotations

import http.server
import threading

import pytest

from knotenpunkt.shared.net import UnsafeTarget, post_checked, resolve_checked


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://0x7f000001/hook",
        "http://2130706433/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/hook",
        "http://192.168.0.1/hook",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "ftp://example.org/hook",
        "http://user:pw@93.184.216.34/hook",
        "file:///etc/passwd",
        "http:///nohost",
    ],
)
def test_internal_and_odd_targets_are_refused(url):
    with pytest.raises(UnsafeTarget):
        resolve_checked(url)


def test_public_address_is_accepted():
    scheme, host, port, path, address = resolve_checked("https://93.184.216.34:8443/a?b=1")
    assert (scheme, port, path, address) == ("https", 8443, "/a?b=1", "93.184.216.34")


def test_an_allowed_internal_host_may_be_called_and_redirects_are_not_followed():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.end_headers()

        def log_message(self, *args):
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        with pytest.raises(UnsafeTarget):
            post_checked(url, b"{}", {})
        status = post_checked(url, b"{}", {}, allowed_hosts={"127.0.0.1"})
    finally:
        server.shutdown()
        server.server_close()
    assert status == 307 and hits == [("/hook", b"{}")]


def test_allowed_hosts_match_names_ports_and_subdomain_patterns():
    from knotenpunkt.shared.net import host_allowed

    allowed = ("knotenpunkt.example.org", "*.kommunen.example", "::1")
    assert host_allowed("knotenpunkt.example.org", allowed)
    assert host_allowed("KNOTENPUNKT.example.org.:8443", allowed)
    assert host_allowed("chemnitz.kommunen.example", allowed)
    assert host_allowed("a.b.kommunen.example:80", allowed)
    assert host_allowed("[::1]:8001", allowed)
    for host in ("evil.example", "kommunen.example", "evilkommunen.example", "", "[::2]:80"):
        assert not host_allowed(host, allowed), host
    assert host_allowed("anything.example", ("*",))


def test_outside_development_allowed_hosts_or_public_url_is_required():
    import pytest

    from knotenpunkt.shared.config import InsecureSettings, from_env

    secrets = {"JWT_SECRET": "j" * 40, "LINK_SECRET": "l" * 40}
    with pytest.raises(InsecureSettings, match="ALLOWED_HOSTS"):
        from_env(secrets).check_hosts()
    from_env({**secrets, "ALLOWED_HOSTS": "a.example, *.b.example"}).check_hosts()
    assert from_env({"ALLOWED_HOSTS": "A.example, *.b.example"}).allowed_hosts == (
        "a.example",
        "*.b.example",
    )
    from_env({**secrets, "PUBLIC_URL": "https://knotenpunkt.example.org"}).check_hosts()
    from_env({"KNOTENPUNKT_DEV": "1"}).check_hosts()
