"""Settings from the environment, with defaults that let `make run` work on a fresh machine."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

# The folder the code lives in: the checkout, or site-packages' folder when installed.
ROOT = Path(__file__).resolve().parent.parent
# Running from a checkout (make run, the tests) or from an installed package (the image,
# a virtualenv on a server): the defaults below never point into site-packages.
FROM_CHECKOUT = (ROOT / "pyproject.toml").is_file() and (ROOT / "deploy").is_dir()
# Where relative data lives: KNOTENPUNKT_HOME; else the checkout; else /var/lib/knotenpunkt.
HOME = Path(
    os.environ.get("KNOTENPUNKT_HOME") or (ROOT if FROM_CHECKOUT else "/var/lib/knotenpunkt")
)
# Tenant files: the checkout's deploy/tenants; installed: /etc/knotenpunkt/tenants.
DEFAULT_TENANTS_DIR = (
    ROOT / "deploy" / "tenants" if FROM_CHECKOUT else Path("/etc/knotenpunkt/tenants")
)
SERVICES = ("membership", "voting", "events", "notifications")
PORTS = {"membership": 8001, "voting": 8002, "events": 8003, "notifications": 8004}
# The web portal: a fifth web process, a backend for the frontend over the four services.
PORTAL_PORT = 8000
WEB_APPS = ("portal", *SERVICES)
# The databases `knotenpunkt migrate` provisions: one per service, and the portal's (its
# server-side sessions only: no tenant data, no outbox).
DATABASES = (*SERVICES, "portal")
WORKER_OPS_PORTS = {"membership": 9001, "voting": 9002, "events": 9003, "notifications": 9004}

# Public development secrets: valid only with KNOTENPUNKT_DEV=1 (make run, tests that say so).
DEV_JWT_SECRET = "knotenpunkt-development-secret-change-me!"
DEV_LINK_SECRET = "knotenpunkt-development-link-secret-change-me!"
MIN_SECRET_BYTES = 32
# The secrets of a development instance (make run): made at random at its first start and
# kept under the var folder, readable by its owner only; never the public ones above.
DEV_SECRETS_FILE = "dev-secrets.json"
DEV_SECRET_NAMES = ("JWT_SECRET", "LINK_SECRET", "PORTAL_SECRET_KEY")


def development_secrets(var_dir: Path) -> dict[str, str]:
    """This development instance's own secrets (JWT_SECRET, LINK_SECRET, PORTAL_SECRET_KEY):
    read from ``<var>/dev-secrets.json``, or made at random and written there (mode 0600) at
    the first start; a file missing a name gets it added."""
    path = Path(var_dir) / DEV_SECRETS_FILE
    found: dict[str, str] = {}
    if path.is_file():
        found = json.loads(path.read_text(encoding="utf-8"))
    missing = [name for name in DEV_SECRET_NAMES if not found.get(name)]
    if missing:
        found.update({name: secrets.token_urlsafe(48) for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(found, out, indent=2)
    os.chmod(path, 0o600)
    return {name: found[name] for name in DEV_SECRET_NAMES}


class InsecureSettings(RuntimeError):
    """A process outside development mode was started without its own secrets."""


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to know about its surroundings.

    DATABASE_URL names the server and a role allowed to create databases and
    roles (used by `knotenpunkt migrate`); services themselves connect as the
    application role APP_DB_USER, which owns no table.
    """

    database_url: str = "postgresql://postgres@127.0.0.1:55432/postgres"
    app_db_user: str = "knotenpunkt_app"
    app_db_password: str = "knotenpunkt-app"
    broker_url: str = ""
    smtp_url: str = ""
    mail_dir: Path = HOME / "var" / "mail"
    mail_from: str = "Knotenpunkt <no-reply@knotenpunkt.local>"
    tenants_dir: Path = DEFAULT_TENANTS_DIR
    # TENANTS: the tenants this instance serves (empty: every file in tenants_dir).
    tenants: tuple[str, ...] = ()
    jwt_secret: str = DEV_JWT_SECRET
    link_secret: str = DEV_LINK_SECRET
    dev_mode: bool = False
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "knotenpunkt-dev"
    jwt_audience: str = "knotenpunkt"
    jwt_jwks_url: str = ""
    jwt_tenant_claim: str = "tenant"
    jwt_roles_claim: str = "roles"
    jwt_bodies_claim: str = "bodies"
    jwt_partner_claim: str = "partner_id"
    jwt_person_claim: str = "person_id"
    jwks_cache_seconds: float = 300.0
    jwks_refetch_cooldown: float = 30.0
    var_dir: Path = HOME / "var"
    log_level: str = "INFO"
    pool_min: int = 1
    pool_max: int = 10
    # how long a request waits for a database connection before it answers 503
    db_pool_timeout: float = 5.0
    outbox_batch: int = 500
    outbox_poll_seconds: float = 1.0
    consumer_max_retries: int = 5
    reminder_hours: float = 48.0
    # Group commit of a web process's concurrent casts (shared.groupcommit): up to
    # VOTING_BATCH_MAX casts or VOTING_BATCH_WAIT_MS, whichever first; a maximum of 0 or 1: none.
    voting_batch_max: int = 64
    voting_batch_wait_ms: float = 2.0
    # PUBLIC_URL: the one origin every link the system writes starts with (mails, calendars,
    # OParl ids, federation): the gateway in production, the portal's port under make run (its
    # process routes the API paths from the gateway's route table, knotenpunkt.devgateway).
    public_url: str = f"http://127.0.0.1:{PORTAL_PORT}"
    # Whether PUBLIC_URL was set (from_env): then it, not a request's Host, is the base of ids
    # and absolute links (OParl); the default above is a development address.
    public_url_given: bool = False
    # ALLOWED_HOSTS: the host names this instance answers to (comma-separated; `*.example.org`
    # for its subdomains, `*` for any); a request for another Host (or X-Forwarded-Host from a
    # trusted proxy) is refused with 400. Outside development mode ALLOWED_HOSTS or PUBLIC_URL
    # must be set (check_hosts).
    allowed_hosts: tuple[str, ...] = ()
    # The portal's public address, the base of the links in mails that lead to its pages (an
    # invitation's reply link): PORTAL_PUBLIC_URL, else PUBLIC_URL (the gateway serves it at /).
    portal_url: str = f"http://127.0.0.1:{PORTAL_PORT}"
    notify_max_attempts: int = 8
    notify_backoff_seconds: float = 30.0
    max_body_bytes: int = 1024 * 1024
    # Imports of spreadsheets (membership): the largest file and the most rows one upload takes
    import_max_bytes: int = 10 * 1024 * 1024
    import_max_rows: int = 20_000
    rate_anonymous_client: str = "30/hour"
    rate_anonymous_target: str = "5/hour"
    # TRUSTED_PROXIES: how many proxies in front (the gateway: 1) whose X-Forwarded-* to believe.
    trusted_proxies: int = 0
    # The workers' ops endpoints (/readyz, /metrics): WORKER_OPS_PORT (0: none), default per service.
    worker_ops: int | None = None
    worker_ops_host: str = "127.0.0.1"
    # /readyz of a web process says "degraded" when an unsent outbox event is older than this.
    outbox_degraded_seconds: float = 120.0
    # Federation between instances: FEDERATION_URL (default: PUBLIC_URL) is this instance's
    # public URL (the issuer of its federation tokens; peers call <url>/api/v1/<tenant>/federation/directory and read
    # <url>/.well-known/jwks.json). FEDERATION_KEY_FILE: its RS256 signing key (PEM; generated
    # under the var folder when missing, in development mode only).
    federation_url: str = f"http://127.0.0.1:{PORTAL_PORT}"
    federation_key_file: Path = HOME / "var" / "federation-key.pem"
    # how often the membership worker pulls each active peer
    federation_sync_seconds: float = 900.0
    # peers on loopback or private addresses (tests, one host with several instances)
    federation_allow_internal: bool = False
    # HTTP timeout of one call to a peer (connect and read), and the lifetime of our tokens
    federation_timeout: float = 10.0
    # a peer unreachable longer than this: the Koordinierungsstelle is told (and when it is back)
    federation_stale_hours: float = 48.0
    federation_token_seconds: int = 60
    extra: dict = field(default_factory=dict)

    @property
    def broker(self) -> str:
        """The broker URL; kombu's filesystem transport under var/ unless BROKER_URL is set."""
        return self.broker_url or "filesystem://"

    def broker_transport_options(self) -> dict:
        """Transport options: the folders the filesystem transport uses, none for AMQP."""
        if self.broker_url:
            return {}
        folder = self.var_dir / "broker"
        (folder / "queue").mkdir(parents=True, exist_ok=True)
        (folder / "processed").mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        }

    def service_database(self, service: str) -> str:
        """Name of the database a service owns."""
        return self.extra.get(f"{service}_database") or f"knotenpunkt_{service}"

    def admin_url(self, database: str | None = None) -> str:
        """DATABASE_URL pointed at another database (same privileged role)."""
        return _with(self.database_url, database=database)

    def app_url(self, service: str) -> str:
        """URL the service's processes use: its own database, as the application role."""
        override = os.environ.get(f"{service.upper()}_DATABASE_URL")
        if override:
            return override
        return _with(
            self.database_url,
            database=self.service_database(service),
            user=self.app_db_user,
            password=self.app_db_password,
        )

    def worker_ops_port(self, service: str) -> int:
        """The port of a worker's ops endpoints: WORKER_OPS_PORT, else 9001–9004 (0: none)."""
        if self.worker_ops is not None:
            return self.worker_ops
        return WORKER_OPS_PORTS.get(service, 0)

    def check_secrets(self) -> None:
        """Outside development mode, refuse the public development secrets and short ones.

        Raises InsecureSettings saying what to set.
        """
        if self.dev_mode:
            return
        problems = []
        if not self.jwt_jwks_url:
            if self.jwt_secret == DEV_JWT_SECRET:
                problems.append(
                    "JWT_SECRET is not set (the public development secret would let anyone sign "
                    "tokens): set JWT_SECRET to at least 32 random bytes, or JWT_JWKS_URL to your "
                    "login provider's key set"
                )
            elif len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
                problems.append(
                    f"JWT_SECRET is {len(self.jwt_secret.encode())} bytes long; it needs at least "
                    f"{MIN_SECRET_BYTES} random bytes (e.g. `openssl rand -base64 48`)"
                )
        if self.link_secret == DEV_LINK_SECRET:
            problems.append(
                "LINK_SECRET is not set (it signs unsubscribe and status links): set it to at "
                "least 32 random bytes, different from JWT_SECRET"
            )
        elif len(self.link_secret.encode()) < MIN_SECRET_BYTES:
            problems.append(
                f"LINK_SECRET is {len(self.link_secret.encode())} bytes long; it needs at least "
                f"{MIN_SECRET_BYTES} random bytes"
            )
        elif self.link_secret == self.jwt_secret:
            problems.append("LINK_SECRET must differ from JWT_SECRET")
        if problems:
            raise InsecureSettings(
                "Knotenpunkt does not start with these settings: "
                + "; ".join(problems)
                + ". (For development only: KNOTENPUNKT_DEV=1 allows the public development secrets.)"
            )

    def check_hosts(self) -> None:
        """Outside development mode, refuse to start when neither ALLOWED_HOSTS nor PUBLIC_URL
        says which host the ids and links are built from (a client's Host header would be).

        Raises InsecureSettings saying what to set.
        """
        if self.dev_mode or self.allowed_hosts or self.public_url_given:
            return
        raise InsecureSettings(
            "Knotenpunkt does not start with these settings: neither ALLOWED_HOSTS nor PUBLIC_URL "
            "is set, so ids and links would be built from whatever Host header a client sends: "
            "set ALLOWED_HOSTS to the host names this instance answers to (comma-separated, "
            "e.g. `knotenpunkt.example.org,*.knotenpunkt.example.org`) and/or PUBLIC_URL to its "
            "public address. (For development only: KNOTENPUNKT_DEV=1.)"
        )

    def with_(self, **changes) -> Settings:
        """A copy with some settings changed (tests use this)."""
        return replace(self, **changes)


def _with(url: str, *, database=None, user=None, password=None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        host = netloc.rsplit("@", 1)[-1]
        cred = quote(user, safe="")
        if password:
            cred += ":" + quote(password, safe="")
        netloc = f"{cred}@{host}"
    path = f"/{database}" if database is not None else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def _embedded_url(var_dir: Path, env) -> str | None:
    """The URL of make run's embedded PostgreSQL, with the password it generated (var/pg-password)."""
    secret = var_dir / "pg-password"
    if not secret.is_file():
        return None
    port = env.get("EMBEDDED_PG_PORT", "55432")
    password = quote(secret.read_text(encoding="utf-8").strip(), safe="")
    return f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres"


def from_env(env: dict | None = None) -> Settings:
    """Read settings from the environment (or the given mapping)."""
    env = os.environ if env is None else env
    d = Settings()
    var_dir = Path(env.get("KNOTENPUNKT_VAR", d.var_dir))
    database_url = env.get("DATABASE_URL") or _embedded_url(var_dir, env) or d.database_url
    return Settings(
        database_url=database_url,
        app_db_user=env.get("APP_DB_USER", d.app_db_user),
        app_db_password=env.get("APP_DB_PASSWORD", d.app_db_password),
        broker_url=env.get("BROKER_URL", ""),
        smtp_url=env.get("SMTP_URL", ""),
        mail_dir=Path(env.get("MAIL_DIR", var_dir / "mail")),
        mail_from=env.get("MAIL_FROM", d.mail_from),
        tenants_dir=Path(env.get("TENANTS_DIR", d.tenants_dir)),
        tenants=tuple(k.strip() for k in env.get("TENANTS", "").split(",") if k.strip()),
        jwt_secret=env.get("JWT_SECRET") or d.jwt_secret,
        link_secret=env.get("LINK_SECRET") or d.link_secret,
        dev_mode=env.get("KNOTENPUNKT_DEV", "").lower() in ("1", "true", "yes"),
        jwt_algorithm=env.get("JWT_ALGORITHM", d.jwt_algorithm),
        jwt_issuer=env.get("JWT_ISSUER", d.jwt_issuer),
        jwt_audience=env.get("JWT_AUDIENCE", d.jwt_audience),
        jwt_jwks_url=env.get("JWT_JWKS_URL", ""),
        jwt_tenant_claim=env.get("JWT_TENANT_CLAIM", d.jwt_tenant_claim),
        jwt_roles_claim=env.get("JWT_ROLES_CLAIM", d.jwt_roles_claim),
        jwt_bodies_claim=env.get("JWT_BODIES_CLAIM", d.jwt_bodies_claim),
        jwt_partner_claim=env.get("JWT_PARTNER_CLAIM", d.jwt_partner_claim),
        jwt_person_claim=env.get("JWT_PERSON_CLAIM", d.jwt_person_claim),
        jwks_cache_seconds=float(env.get("JWKS_CACHE_SECONDS", d.jwks_cache_seconds)),
        jwks_refetch_cooldown=float(env.get("JWKS_REFETCH_COOLDOWN", d.jwks_refetch_cooldown)),
        var_dir=var_dir,
        log_level=env.get("LOG_LEVEL", d.log_level),
        pool_min=int(env.get("DB_POOL_MIN", d.pool_min)),
        pool_max=int(env.get("DB_POOL_MAX", d.pool_max)),
        db_pool_timeout=float(env.get("DB_POOL_TIMEOUT", d.db_pool_timeout)),
        outbox_batch=int(env.get("OUTBOX_BATCH", d.outbox_batch)),
        outbox_poll_seconds=float(env.get("OUTBOX_POLL_SECONDS", d.outbox_poll_seconds)),
        consumer_max_retries=int(env.get("CONSUMER_MAX_RETRIES", d.consumer_max_retries)),
        reminder_hours=float(env.get("BALLOT_REMINDER_HOURS", d.reminder_hours)),
        public_url=(env.get("PUBLIC_URL") or d.public_url).rstrip("/"),
        public_url_given=bool(env.get("PUBLIC_URL", "").strip()),
        allowed_hosts=tuple(
            h.strip().lower() for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip()
        ),
        voting_batch_max=int(env.get("VOTING_BATCH_MAX", d.voting_batch_max)),
        voting_batch_wait_ms=float(env.get("VOTING_BATCH_WAIT_MS", d.voting_batch_wait_ms)),
        portal_url=(env.get("PORTAL_PUBLIC_URL") or env.get("PUBLIC_URL") or d.portal_url).rstrip(
            "/"
        ),
        notify_max_attempts=int(env.get("NOTIFY_MAX_ATTEMPTS", d.notify_max_attempts)),
        notify_backoff_seconds=float(env.get("NOTIFY_BACKOFF_SECONDS", d.notify_backoff_seconds)),
        max_body_bytes=int(env.get("MAX_BODY_BYTES", d.max_body_bytes)),
        import_max_bytes=int(env.get("IMPORT_MAX_BYTES", d.import_max_bytes)),
        import_max_rows=int(env.get("IMPORT_MAX_ROWS", d.import_max_rows)),
        rate_anonymous_client=env.get("RATE_ANONYMOUS_CLIENT", d.rate_anonymous_client),
        rate_anonymous_target=env.get("RATE_ANONYMOUS_TARGET", d.rate_anonymous_target),
        trusted_proxies=int(env.get("TRUSTED_PROXIES", d.trusted_proxies)),
        worker_ops=int(env["WORKER_OPS_PORT"]) if env.get("WORKER_OPS_PORT") else None,
        worker_ops_host=env.get("WORKER_OPS_HOST", env.get("HOST", d.worker_ops_host)),
        outbox_degraded_seconds=float(
            env.get("OUTBOX_DEGRADED_SECONDS", d.outbox_degraded_seconds)
        ),
        federation_url=(
            env.get("FEDERATION_URL") or env.get("PUBLIC_URL") or d.federation_url
        ).rstrip("/"),
        federation_key_file=Path(env.get("FEDERATION_KEY_FILE") or var_dir / "federation-key.pem"),
        federation_sync_seconds=float(
            env.get("FEDERATION_SYNC_SECONDS", d.federation_sync_seconds)
        ),
        # default: allowed in development mode (make run: peers on this machine)
        federation_allow_internal=env.get(
            "FEDERATION_ALLOW_INTERNAL", env.get("KNOTENPUNKT_DEV", "")
        ).lower()
        in ("1", "true", "yes"),
        federation_timeout=float(env.get("FEDERATION_TIMEOUT", d.federation_timeout)),
        federation_stale_hours=float(env.get("FEDERATION_STALE_HOURS", d.federation_stale_hours)),
        federation_token_seconds=int(
            env.get("FEDERATION_TOKEN_SECONDS", d.federation_token_seconds)
        ),
    )
