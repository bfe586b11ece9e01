"""The portal's Flask app: server-rendered pages over the four services' HTTP APIs.

Its own data are the visitors' sessions (language, login, the token it calls the services
with), kept in its own database (sessions.py; the cookie holds only a random id).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, g, render_template, request, session
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from knotenpunkt.shared.tenant_public import text_dir
from knotenpunkt.shared.web import unknown_host

from . import i18n, labels, nav, sessions, zone
from .client import Api, ServiceUnavailable
from .forms import field_id

SERVICES = ("membership", "voting", "events", "notifications")
DEFAULT_PORTS = {"membership": 8001, "voting": 8002, "events": 8003, "notifications": 8004}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def settings_from_env(env=None) -> dict:
    """The portal's settings from the environment (create_app's config overrides them)."""
    env = os.environ if env is None else env
    api_url = env.get("API_URL", "").rstrip("/")
    conf = {
        "API_URL": api_url,
        "DEV_LOGIN": _flag(env.get("DEV_LOGIN", "")),
        "PUBLIC_URL": env.get("PORTAL_PUBLIC_URL", ""),
        "OIDC_ISSUER": env.get("OIDC_ISSUER", "").rstrip("/"),
        "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPES": env.get("OIDC_SCOPES", "openid email profile"),
        "OIDC_TENANT_CLAIM": env.get("JWT_TENANT_CLAIM", "tenant"),
        "OIDC_ROLES_CLAIM": env.get("JWT_ROLES_CLAIM", "roles"),
        "OIDC_BODIES_CLAIM": env.get("JWT_BODIES_CLAIM", "bodies"),
        "OIDC_PERSON_CLAIM": env.get("JWT_PERSON_CLAIM", "person_id"),
        "API_TIMEOUT": float(env.get("PORTAL_API_TIMEOUT", "10")),
        # an import's upload and apply: the membership service's limit, and a longer wait
        "IMPORT_MAX_BYTES": int(env.get("IMPORT_MAX_BYTES", 10 * 1024 * 1024)),
        "IMPORT_TIMEOUT": float(env.get("PORTAL_IMPORT_TIMEOUT", "300")),
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0") or 0),
        "TENANTS": [t.strip() for t in env.get("TENANTS", "").split(",") if t.strip()],
        # server-side sessions (sessions.py): idle and absolute timeout
        "SESSION_IDLE_MINUTES": env.get("PORTAL_SESSION_IDLE_MINUTES", ""),
        "SESSION_MAX_HOURS": env.get("PORTAL_SESSION_MAX_HOURS", ""),
    }
    for service in SERVICES:
        key = f"{service.upper()}_URL"
        conf[key] = (
            env.get(key) or api_url or f"http://127.0.0.1:{DEFAULT_PORTS[service]}"
        ).rstrip("/")
    if env.get("PORTAL_SECRET_KEY") or env.get("SECRET_KEY"):
        conf["SECRET_KEY"] = env.get("PORTAL_SECRET_KEY") or env.get("SECRET_KEY")
    if "SESSION_COOKIE_SECURE" in env:
        conf["SESSION_COOKIE_SECURE"] = _flag(env["SESSION_COOKIE_SECURE"])
    return conf


def _network_of_path() -> None:
    """An error page under a network's address (no route matched) still shows the network's
    footer (Impressum, Datenschutz, Barrierefreiheit): g.tenant and g.rules from the path."""
    from .tenants import network

    if g.get("rules"):
        return
    first = request.path.strip("/").split("/", 1)[0]
    rules = network(first) if first else None
    if rules:
        g.tenant, g.rules = first, rules


def create_app(config: dict | None = None, clock=None) -> Flask:
    """Build the portal. `config` overrides the settings read from the environment.

    KNOTENPUNKT_SETTINGS (a knotenpunkt.shared.config.Settings) signs development
    tokens and names the portal's database (app_url("portal"), PORTAL_DATABASE_URL
    overrides it); it defaults to the environment's (from_env()). `clock` (tests) is the
    time of the sessions' idle and absolute ends.
    """
    from knotenpunkt.shared.config import from_env
    from knotenpunkt.shared.db import Database
    from knotenpunkt.shared.usecase import utcnow

    app = Flask(__name__)
    conf = settings_from_env()
    conf.update(config or {})
    if conf.get("API_URL") and not (config or {}).get("MEMBERSHIP_URL"):
        for service in SERVICES:
            conf.setdefault(f"{service.upper()}_URL", conf["API_URL"])
    app.config.update(conf)
    kp = app.config.get("KNOTENPUNKT_SETTINGS") or from_env()
    app.config["KNOTENPUNKT_SETTINGS"] = kp
    if not app.config.get("SECRET_KEY"):
        if not (app.config["DEV_LOGIN"] or kp.dev_mode):
            raise RuntimeError(
                "The portal needs PORTAL_SECRET_KEY (at least 32 random bytes) to sign its "
                "forms' CSRF tokens (for development only: DEV_LOGIN=1 or KNOTENPUNKT_DEV=1)."
            )
        # Development: one key for every worker process, derived from the development secret.
        app.config["SECRET_KEY"] = hmac.new(
            kp.jwt_secret.encode(), b"knotenpunkt-portal-session", hashlib.sha256
        ).hexdigest()
    public = app.config.get("PUBLIC_URL") or ""
    allowed = tuple(app.config.get("ALLOWED_HOSTS") or kp.allowed_hosts)
    if not (app.config["DEV_LOGIN"] or kp.dev_mode or allowed or public or kp.public_url_given):
        raise RuntimeError(
            "The portal needs ALLOWED_HOSTS (the host names it answers to, comma-separated, "
            "`*.example.org` for subdomains) or PUBLIC_URL / PORTAL_PUBLIC_URL: otherwise its "
            "links would be built from whatever Host header a client sends (for development "
            "only: DEV_LOGIN=1 or KNOTENPUNKT_DEV=1)."
        )
    if "SESSION_COOKIE_SECURE" not in conf:
        app.config["SESSION_COOKIE_SECURE"] = public.startswith("https://")
    idle = sessions.setting(
        app.config.get("SESSION_IDLE_MINUTES"), "PORTAL_SESSION_IDLE_MINUTES", sessions.IDLE_MINUTES
    )
    hours = sessions.setting(
        app.config.get("SESSION_MAX_HOURS"), "PORTAL_SESSION_MAX_HOURS", sessions.MAX_HOURS
    )
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="knotenpunkt_portal",
        PERMANENT_SESSION_LIFETIME=int(hours * 3600),
        WTF_CSRF_TIME_LIMIT=int(hours * 3600),
        BABEL_DEFAULT_LOCALE="de",
        BABEL_TRANSLATION_DIRECTORIES=str(i18n.TRANSLATIONS),
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    db = Database(
        app.config.get("SESSION_DATABASE_URL") or kp.app_url("portal"),
        min_size=kp.pool_min,
        max_size=kp.pool_max,
        name="portal-web",
    )
    db.pool.timeout = kp.db_pool_timeout
    app.session_interface = sessions.PortalSessions(
        db, idle=timedelta(minutes=idle), lifetime=timedelta(hours=hours), clock=clock or utcnow
    )
    app.extensions["portal_sessions"] = app.session_interface

    i18n.compile_catalogues()
    Babel(app, locale_selector=i18n.select_locale)

    @app.before_request
    def _upload_limit():
        """The Einzug's upload may be as large as an import takes (before CSRF reads the form)."""
        if request.endpoint == "manage.imports" and request.method == "POST":
            request.max_content_length = app.config["IMPORT_MAX_BYTES"] + 64 * 1024

    CSRFProtect(app)
    app.extensions["portal_api"] = Api(
        {s: app.config[f"{s.upper()}_URL"] for s in SERVICES}, timeout=app.config["API_TIMEOUT"]
    )

    from . import auth, console, console_events, console_manage, documents, legal
    from . import public as public_pages

    app.register_blueprint(auth.bp)
    app.register_blueprint(public_pages.bp)
    app.register_blueprint(legal.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(console_manage.bp)
    app.register_blueprint(documents.docs)
    app.register_blueprint(console_events.bp)
    app.register_blueprint(console_events.reply_bp)

    app.jinja_env.filters.update(choice=labels.choice, language=labels.language, when=zone.when)
    app.jinja_env.globals.update(
        field_id=field_id,
        pairs=lambda items: [(i, i) for i in items or []],
        choice_options=labels.choice_options,
        is_coordinator=nav.is_coordinator,
        dir_of=text_dir,
        L=labels,
    )

    @app.context_processor
    def _globals():
        lang = i18n.current_language()
        return {
            "lang": lang,
            "text_dir": "rtl" if lang in i18n.RTL else "ltr",
            "languages": i18n.LANGUAGES,
            "user": session.get("user"),
            "L": labels,
            "dev_login": app.config["DEV_LOGIN"],
            "oidc_login": bool(app.config["OIDC_ISSUER"]),
        }

    @app.before_request
    def _nonce():
        g.request_id = request.headers.get("X-Request-ID") or secrets.token_hex(8)
        refused = unknown_host(allowed)
        if refused is not None:
            return refused
        if getattr(session, "unavailable", False) and request.endpoint != "healthz":
            raise ServiceUnavailable("the portal's sessions (its database) did not answer")

    @app.after_request
    def _headers(resp):
        issuer = urlsplit(app.config["OIDC_ISSUER"] or "")
        # the logout form is answered with a redirect to the provider's end_session_endpoint
        resp.headers["Content-Security-Policy"] = (
            CSP.replace(
                "form-action 'self'", f"form-action 'self' {issuer.scheme}://{issuer.netloc}"
            )
            if issuer.scheme in ("http", "https") and issuer.netloc
            else CSP
        )
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers.setdefault("Cache-Control", "no-store")
        resp.headers["Content-Language"] = i18n.current_language()
        return resp

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return render_template("error.html", status=400, reason="csrf"), 400

    @app.errorhandler(ServiceUnavailable)
    def _down(exc):
        return render_template("error.html", status=503, reason="down"), 503

    @app.errorhandler(404)
    def _not_found(exc):
        _network_of_path()
        return render_template("error.html", status=404, reason="not_found"), 404

    @app.errorhandler(403)
    def _forbidden(exc):
        _network_of_path()
        return render_template("error.html", status=403, reason="forbidden"), 403

    @app.errorhandler(500)
    def _failed(exc):
        return render_template("error.html", status=500, reason="failed"), 500

    @app.route("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
