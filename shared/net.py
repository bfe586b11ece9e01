"""Outgoing HTTP to addresses a tenant configured (webhooks), safe against SSRF, and the one
rule for what an internal address is (webhooks here, federation peers in membership).

A target must resolve to public addresses only, unless its host is listed in
the tenant's allowed internal hosts. The address is resolved and checked at
subscription and again at every delivery, and the connection goes to exactly
the address that was checked (no second lookup an attacker's DNS could
answer differently). Redirects are never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit


class UnsafeTarget(ValueError):
    """The URL may not be called: `reason` says why, in German, without internal detail."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# The one answer to a federation peer's registration that could not be checked, whatever went
# wrong (an internal or unresolvable address, a closed port, a timeout, a redirect, another
# answer): the refusal tells nothing about the network behind the URL (no port-scan oracle).
PEER_NOT_CHECKED = (
    "Der Partner-Knoten konnte unter dieser URL nicht geprüft werden: erreichbar sein müssen "
    "eine öffentliche Knotenpunkt-Instanz mit dem angegebenen Netzwerk, ihrem Aussteller (issuer) "
    "und ihren Schlüsseln (jwks_url)."
)

# Names that never leave the machine or its site (RFC 6761 localhost, mDNS .local, .internal).
INTERNAL_NAMES = ("localhost", ".localhost", ".local", ".internal")


def _public(addr: ipaddress._BaseAddress) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast and not addr.is_reserved


def internal_host(host: str) -> bool:
    """Whether a URL's host is internal before any lookup: a local name (localhost, .local,
    .internal) or an address that is not public (loopback, private, link-local, unique-local,
    multicast, reserved). Another name is not: it is resolved and checked at every call
    (:func:`resolve_checked`)."""
    host = host.lower().rstrip(".")
    if host == INTERNAL_NAMES[0] or host.endswith(INTERNAL_NAMES[1:]):
        return True
    try:
        addr = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not _public(addr)


def request_host_name(host: str) -> str:
    """The name of a Host header without its port (``[::1]:8000`` → ``::1``), lower case."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    return host.rstrip(".")


def host_allowed(host: str, patterns) -> bool:
    """Whether a request's Host (with or without port) is one of ALLOWED_HOSTS: a name, an
    address, ``*.example.org`` (any subdomain of example.org, not example.org itself) or ``*``."""
    name = request_host_name(host)
    if not name:
        return False
    for pattern in patterns:
        pattern = pattern.strip().lower().rstrip(".")
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]) and len(name) > len(pattern[1:]):
            return True
    return False


def resolve_checked(url: str, allowed_hosts: frozenset[str] | set[str] = frozenset()):
    """(scheme, host, port, path, address) of a URL whose host resolves to allowed addresses.

    Raises UnsafeTarget for other schemes, credentials in the URL, hosts that
    do not resolve, and private, loopback, link-local or unique-local addresses
    (unless the host is in allowed_hosts).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget("Die URL ist ungültig.") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget("Erlaubt sind nur http- und https-URLs.")
    if parts.username or parts.password:
        raise UnsafeTarget("Zugangsdaten gehören nicht in die URL.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeTarget("Die URL nennt keinen Host.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"Der Host {host} ist nicht auflösbar.") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if host not in allowed_hosts:
        bad = [a for a in addresses if not _public(a)]
        if bad or not addresses:
            raise UnsafeTarget(
                f"Der Host {host} zeigt auf eine interne Adresse; erlaubt sind nur öffentliche "
                "Adressen (oder die Hosts, die das Netzwerk ausdrücklich freigibt)."
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port, path, str(addresses[0])


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed address, with SNI and certificate check for the URL's host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post_checked(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allowed_hosts: frozenset[str] | set[str] = frozenset(),
    timeout: float = 10.0,
) -> int:
    """POST to the checked address of url; returns the status (redirects are not followed).

    Raises UnsafeTarget, or OSError/http.client.HTTPException for network failures.
    """
    scheme, host, port, path, address = resolve_checked(url, allowed_hosts)
    cls = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    conn = cls(host, address, port, timeout)
    try:
        conn.request(
            "POST", path, body=body, headers={**headers, "Host": _host_header(host, port, scheme)}
        )
        resp = conn.getresponse()
        resp.read(65536)
        return resp.status
    finally:
        conn.close()


def _host_header(host: str, port: int, scheme: str) -> str:
    default = 443 if scheme == "https" else 80
    name = f"[{host}]" if ":" in host else host
    return name if port == default else f"{name}:{port}"
