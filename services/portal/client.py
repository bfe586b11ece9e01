"""HTTP calls to the four services with the caller's token (or none, for public pages)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from flask import current_app, g, has_request_context, session

from . import i18n


class ServiceUnavailable(Exception):
    """A service did not answer (connection refused, timeout)."""


@dataclass
class Reply:
    status: int
    data: object = None
    headers: dict = field(default_factory=dict)
    content: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def or_404(self):
        """The answer's data, or the portal's 404 page when the service found nothing."""
        if not self.ok:
            from flask import abort

            abort(404)
        return self.data

    @property
    def detail(self) -> str:
        """The problem's sentence (problem+json detail), for the error summary."""
        if isinstance(self.data, dict):
            return str(self.data.get("detail") or self.data.get("title") or "")
        return ""

    @property
    def errors(self) -> dict[str, list[str]]:
        """Per-field messages of a 422 ({"organisation.name": ["…"]})."""
        if isinstance(self.data, dict) and isinstance(self.data.get("errors"), dict):
            return {str(k): [str(m) for m in v] for k, v in self.data["errors"].items()}
        return {}

    @property
    def total(self) -> int | None:
        value = self.headers.get("X-Total-Count")
        return int(value) if value and value.isdigit() else None


class Api:
    """Base URLs per service; one requests.Session per thread (connection reuse)."""

    def __init__(self, urls: dict[str, str], timeout: float = 10.0):
        self.urls = dict(urls)
        self.timeout = timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
        return s

    def url(self, service: str, tenant: str, path: str) -> str:
        return f"{self.urls[service]}/api/v1/{tenant}/{path.lstrip('/')}"

    def call(
        self,
        method: str,
        service: str,
        tenant: str,
        path: str,
        *,
        params=None,
        json=None,
        token: str | None = None,
        files=None,
        data=None,
        timeout: float | None = None,
        context: dict | None = None,
    ) -> Reply:
        if params:
            params = {k: v for k, v in params.items() if v not in (None, "", [])}
        return self._request(
            method,
            self.url(service, tenant, path),
            service,
            params=params,
            json=json,
            token=token,
            files=files,
            data=data,
            timeout=timeout,
            context=context,
        )

    def fetch(self, url: str) -> Reply:
        """An anonymous GET of a full URL of one of the services (e.g. an OParl file)."""
        return self._request("GET", url, url)

    def _request(
        self,
        method,
        url,
        what,
        *,
        params=None,
        json=None,
        token=None,
        files=None,
        data=None,
        timeout=None,
        context=None,
    ) -> Reply:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        headers.update(context_headers() if context is None else context)
        try:
            resp = self._session().request(
                method,
                url,
                params=params,
                json=json,
                files=files,
                data=data,
                headers=headers,
                timeout=timeout or self.timeout,
            )
        except requests.RequestException as exc:
            raise ServiceUnavailable(f"{what}: {exc.__class__.__name__}") from exc
        if resp.status_code >= 500 and resp.status_code != 501:
            raise ServiceUnavailable(f"{what}: HTTP {resp.status_code}")
        data = None
        if "json" in resp.headers.get("Content-Type", ""):
            try:
                data = resp.json()
            except ValueError:
                data = None
        return Reply(resp.status_code, data, dict(resp.headers), resp.content)


def context_headers() -> dict[str, str]:
    """What a call carries of the page's request: its language and request id."""
    if not has_request_context():
        return {}
    headers = {"Accept-Language": i18n.current_language()}
    if "request_id" in g:
        headers["X-Request-ID"] = g.request_id
    return headers


def api() -> Api:
    return current_app.extensions["portal_api"]


def token() -> str | None:
    return session.get("token")


def public(service: str, tenant: str, path: str, **params) -> Reply:
    """An anonymous GET (what anyone may see)."""
    return api().call("GET", service, tenant, path, params=params)


def as_user(method: str, service: str, tenant: str, path: str, **kw) -> Reply:
    """A call with the signed-in person's token."""
    return api().call(method, service, tenant, path, token=token(), **kw)


# The calls of one page that do not depend on each other go out at once (a page's wait is
# its slowest call, not their sum); a bounded pool per web process.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="portal-calls")


def as_user_all(*calls: tuple) -> list[Reply]:
    """Several calls with the signed-in person's token at once, answers in the calls' order;
    each call is (method, service, tenant, path) or (method, service, tenant, path, kwargs).
    A service that does not answer raises ServiceUnavailable as a single call would."""
    bearer, client, context = token(), api(), context_headers()

    def one(call: tuple) -> Reply:
        method, service, tenant, path, *rest = call
        kw = rest[0] if rest else {}
        return client.call(method, service, tenant, path, token=bearer, context=context, **kw)

    futures = [_POOL.submit(one, call) for call in calls]
    return [f.result() for f in futures]
