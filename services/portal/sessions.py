"""The portal's sessions, kept on the server (its database, table portal_sessions).

- The cookie (`knotenpunkt_portal`, HttpOnly, SameSite=Lax, Secure behind https) holds only a
  random opaque id (32 bytes). The API token, the login, the CSRF token, the language and a
  pending OIDC login stay on the server: the row is found by the id's SHA-256, and its data are
  sealed (AES-GCM) under a key derived from the id, so that the table alone (or a copy of it)
  gives neither a cookie nor a token.
- Logout deletes the row: a copied cookie replayed afterwards finds nothing (a fresh, empty
  session: the console sends it to the login).
- A session ends after PORTAL_SESSION_IDLE_MINUTES without a request (default 60) and at the
  latest PORTAL_SESSION_MAX_HOURS after it began (default 8), however busy.
- `rotate()` (at every login and logout) moves the data to a new id and deletes the old row:
  an id planted in a browser before the login (session fixation) is worth nothing after it.
- A visitor without a cookie costs no query; a row is written only when something is kept
  (a form's CSRF token, the language, a login).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import secrets
from datetime import timedelta

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import render_template
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from . import session_store as store

log = logging.getLogger(__name__)

IDLE_MINUTES = 60
MAX_HOURS = 8
# a request within this time after the last one does not write the row again
TOUCH_SECONDS = 60
# ended sessions are deleted at most this often (by each process, when it writes one)
SWEEP_SECONDS = 300
_ID = re.compile(r"[A-Za-z0-9_-]{43}")
_SERIALIZER = TaggedJSONSerializer()


def _derived(purpose: bytes, sid: str) -> bytes:
    return hashlib.sha256(b"knotenpunkt-portal-session\0" + purpose + b"\0" + sid.encode()).digest()


def digest(sid: str) -> bytes:
    """What the table keeps of a session id (its key: the id itself stays in the cookie)."""
    return _derived(b"id", sid)


def seal(sid: str, data: dict) -> bytes:
    nonce = os.urandom(12)
    plain = _SERIALIZER.dumps(dict(data)).encode()
    return nonce + AESGCM(_derived(b"key", sid)).encrypt(nonce, plain, digest(sid))


def unseal(sid: str, sealed: bytes) -> dict | None:
    try:
        plain = AESGCM(_derived(b"key", sid)).decrypt(sealed[:12], sealed[12:], digest(sid))
        return _SERIALIZER.loads(plain.decode())
    except (InvalidTag, ValueError):
        return None


class PortalSession(CallbackDict, SessionMixin):
    """A session's data with its id (None: not stored yet) and what saving it must do."""

    def __init__(self, data=None, sid: str | None = None, *, seen=None, expires=None):
        def changed(self):
            self.modified = True

        super().__init__(data, changed)
        self.sid = sid
        self.seen = seen
        self.expires = expires
        self.modified = False
        self.rotated = False
        # the browser sent a cookie that finds no live session (ended, logged out, unknown)
        self.refused = False
        # the database did not answer: no session, and saving one is not possible
        self.unavailable = False

    def rotate(self) -> None:
        """Keep the data under a new id; the old id ends (login, logout)."""
        self.rotated = True
        self.modified = True


def setting(value, name: str, default: float) -> float:
    """A positive number of minutes or hours from the settings (RuntimeError naming it)."""
    if value in (None, ""):
        return float(default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0.0
    if not (number > 0 and math.isfinite(number)):
        raise RuntimeError(f"{name} must be a positive number (got {value!r})")
    return number


class PortalSessions(SessionInterface):
    """Flask's session interface over the portal's database (knotenpunkt.shared.db.Database)."""

    def __init__(self, db, *, idle: timedelta, lifetime: timedelta, clock):
        self.db = db
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock
        self._opened = False
        self._swept = None

    def _database(self):
        if not self._opened:  # after gunicorn forked; open() twice is harmless
            self.db.open(wait=False)
            self._opened = True
        return self.db

    def open_session(self, app, request) -> PortalSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid:
            return PortalSession()
        refused = PortalSession()
        refused.refused = True
        if not _ID.fullmatch(sid):
            return refused
        now = self.clock()
        try:
            with self._database().connection() as conn:
                row = store.find(conn, digest(sid), now=now, idle_since=now - self.idle)
        except psycopg.Error:
            log.warning("portal sessions: the database did not answer", exc_info=True)
            broken = PortalSession()
            broken.unavailable = True
            return broken
        data = unseal(sid, row["sealed"]) if row else None
        if data is None:
            return refused
        return PortalSession(data, sid, seen=row["seen_at"], expires=row["expires_at"])

    def save_session(self, app, session: PortalSession, response) -> None:
        if session.unavailable:
            return
        now = self.clock()
        if not self._writes(session, now):
            if session.refused:  # a cookie that finds no session: the browser forgets it
                self._forget(app, response)
            return
        try:
            with self._database().connection() as conn:
                self._save(app, conn, session, response, now)
        except psycopg.Error:
            log.warning("portal sessions: could not save a session", exc_info=True)
            _unavailable(response)

    def _writes(self, session: PortalSession, now) -> bool:
        """Whether saving needs the database (a visitor without a session and data does not)."""
        if session.sid is None:
            return bool(session)
        recent = session.seen is not None and now - session.seen <= timedelta(seconds=TOUCH_SECONDS)
        return session.modified or session.rotated or not session or not recent

    def _forget(self, app, response) -> None:
        response.delete_cookie(
            self.get_cookie_name(app),
            path=self.get_cookie_path(app),
            domain=self.get_cookie_domain(app),
            secure=self.get_cookie_secure(app),
            httponly=True,
            samesite=self.get_cookie_samesite(app),
        )

    def _save(self, app, conn, session: PortalSession, response, now) -> None:
        name = self.get_cookie_name(app)
        if session.sid is not None and (session.rotated or not session):
            store.delete(conn, digest(session.sid))
        if not session:
            self._forget(app, response)
            return
        if session.sid is None or session.rotated:
            sid = secrets.token_urlsafe(32)
            expires = now + self.lifetime
            store.insert(conn, digest(sid), seal(sid, session), now=now, expires=expires)
            session.sid, session.seen, session.expires = sid, now, expires
            session.rotated = False
            response.set_cookie(
                name,
                sid,
                expires=expires,
                path=self.get_cookie_path(app),
                domain=self.get_cookie_domain(app),
                secure=self.get_cookie_secure(app),
                httponly=True,
                samesite=self.get_cookie_samesite(app),
            )
            self._sweep(conn, now)
        elif session.modified:
            store.update(conn, digest(session.sid), seal(session.sid, session), now=now)
        else:
            store.touch(conn, digest(session.sid), now=now)
        response.vary.add("Cookie")

    def _sweep(self, conn, now) -> None:
        if self._swept is not None and now - self._swept < timedelta(seconds=SWEEP_SECONDS):
            return
        self._swept = now
        gone = store.delete_ended(conn, now=now, idle_since=now - self.idle)
        if gone:
            log.info("portal sessions: %d ended sessions deleted", gone)


def _unavailable(response) -> None:
    """The answer becomes the 503 page: a login or logout that was not kept must not look done."""
    response.status_code = 503
    response.headers.pop("Location", None)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.set_data(render_template("error.html", status=503, reason="down"))
