"""Database access: a pool per process, a tenant-scoped unit of work, migrations and roles.

Every transaction begins with ``select set_config('app.tenant', %s, true)``;
row-level security on every tenant table then hides the other networks' rows,
even from a query that forgets its ``where tenant = …``.
"""

from __future__ import annotations

import importlib.util
import logging
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from knotenpunkt.shared.config import DATABASES, SERVICES, Settings
from knotenpunkt.shared.errors import NotFound

log = logging.getLogger(__name__)

SHARED_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class PoolOutageLog(logging.Filter):
    """psycopg_pool warns "error connecting" at every try while the server is away. This filter
    (on the "psycopg.pool" logger) lets the first of an outage through per pool, drops the
    repeats, and says once when the pool connects again (one line per change of state)."""

    def __init__(self):
        super().__init__()
        self._away: dict[str, float] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not (isinstance(record.msg, str) and record.msg.startswith("error connecting in ")):
            return True
        name = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
        with self._lock:
            if name in self._away:
                return False
            self._away[name] = time.monotonic()
        return True

    def connected(self, name: str) -> None:
        with self._lock:
            since = self._away.pop(name, None)
        if since is not None:
            log.warning(
                "pool %r: database reachable again after %.1f s", name, time.monotonic() - since
            )


POOL_LOG = PoolOutageLog()


def closed_by_server(conn: psycopg.Connection) -> bool:
    """Has the server closed this idle connection (restart, admin shutdown, killed backend)?

    An idle pooled connection has nothing to read; one the server closed has its last message
    and the end of the stream waiting. A poll of the socket, no round trip.
    """
    if conn.closed or conn.broken:
        return True
    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class OneTrip:
    """A pooled connection (autocommit) on which each execute() sends BEGIN READ ONLY, the
    tenant setting (row-level security), the statement and COMMIT as one simple-protocol
    message: one round trip. The values are bound on the client (psycopg's ClientCursor,
    quoted as literals); the cursor returned stands at the statement's result. A failed
    statement is rolled back before its error is raised."""

    def __init__(self, conn: psycopg.Connection, tenant: str):
        self._conn, self._tenant = conn, tenant

    def execute(self, query, params=None) -> psycopg.ClientCursor:
        cur = psycopg.ClientCursor(self._conn)
        setting = cur.mogrify(
            "begin read only; select set_config('app.tenant', %s, true)", (self._tenant,)
        )
        try:
            cur.execute(f"{setting}; {cur.mogrify(query, params)}; commit")
        except BaseException:
            if not self._conn.closed:
                self._conn.rollback()
            raise
        cur.nextset()  # the tenant setting
        cur.nextset()  # the statement
        return cur


class Database:
    """A connection pool for one service's database, opened after gunicorn forks."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10, name: str = "db"):
        self.url = url
        logging.getLogger("psycopg.pool").addFilter(POOL_LOG)  # once: addFilter ignores repeats
        self.pool = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            open=False,
            name=name,
            # a server that accepts but does not answer (frozen) fails a try after 5 s
            kwargs={"row_factory": dict_row, "autocommit": False, "connect_timeout": 5},
            configure=lambda _conn: POOL_LOG.connected(name),
        )
        self._checking = threading.Lock()

    def open(self, wait: bool = True, timeout: float = 30.0) -> None:
        """Open the pool; with wait, block until min_size connections work (raises PoolTimeout)."""
        self.pool.open(wait=wait, timeout=timeout)

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[psycopg.Connection]:
        """A pooled connection the server has not closed meanwhile (as pool.connection()).

        After a restart of the server, the pool's idle connections are dead; each one met is
        closed (the pool replaces it in the background) and the next taken, so that the first
        request after the restart gets a working connection instead of an error.
        """
        for _ in range(self.pool.max_size + 1):
            conn = self.pool.getconn(timeout)
            if not closed_by_server(conn):
                break
            conn.close()
            self.pool.putconn(conn)  # a closed connection is dropped and replaced
        else:
            raise psycopg.OperationalError("the pool gives only connections the server closed")
        try:
            with conn:
                yield conn
        finally:
            self.pool.putconn(conn)

    @contextmanager
    def transaction(self, tenant: str) -> Iterator[psycopg.Connection]:
        """One unit of work for one tenant: committed on success, rolled back on any error."""
        with self.connection() as conn:
            conn.execute("select set_config('app.tenant', %s, true)", (tenant,))
            yield conn

    @contextmanager
    def one_trip(self, tenant: str) -> Iterator[OneTrip]:
        """Reads of one tenant where each statement is a read-only transaction of its own in
        one round trip (OneTrip): for a hot read's version, where BEGIN, the tenant setting,
        the statement and COMMIT would otherwise cost three."""
        with self.connection() as conn:
            conn.autocommit = True
            try:
                yield OneTrip(conn, tenant)
            finally:
                if not conn.closed:
                    conn.autocommit = False

    def check_soon(self) -> None:
        """After a connection failure: check the pool's idle connections and replace the broken
        ones (pool.check()), in the background and one check at a time, so that the next
        request gets a working connection and this one's answer does not wait."""
        if not self._checking.acquire(blocking=False):
            return
        threading.Thread(target=self._check, name=f"{self.pool.name}-check", daemon=True).start()

    def _check(self) -> None:
        try:
            self.pool.check()
        except Exception as exc:  # the pool closed meanwhile, or the server went away again
            log.info("pool %r: check failed: %s: %s", self.pool.name, type(exc).__name__, exc)
        finally:
            self._checking.release()

    def ping(self, *, pooled: bool = False, timeout: int = 2) -> None:
        """Raises if the database cannot answer a trivial query.

        By default over a connection of its own with a connect timeout (readiness checks): a
        pooled one would wait forever on a server that holds the connection but does not answer
        (frozen, overloaded). pooled: over a pooled connection (no new connection each time;
        the worker's once-a-second check, which also finds the pool's dead connections).
        """
        if pooled:
            with self.connection(timeout=float(timeout)) as conn:
                conn.execute("select 1")
            return
        with psycopg.connect(self.url, connect_timeout=timeout) as conn:
            conn.execute("select 1")


LOCKS = {None: "", "share": " for share", "update": " for update"}


def get_by_id(conn, table: str, row_id, missing: str, lock: str | None = None) -> dict:
    """The row of `table` with this id, seen through the tenant's row-level security.

    lock: None, "share" or "update". Raises NotFound with the sentence `missing`.
    """
    row = conn.execute(
        sql.SQL("select * from {} where id = %s").format(sql.Identifier(table))
        + sql.SQL(LOCKS[lock]),
        (row_id,),
    ).fetchone()
    if row is None:
        raise NotFound(missing)
    return row


# --- Statement builders -----------------------------------------------------
# Column and table names go through sql.Identifier, values through parameters:
# a caller can pass any dict without opening a way to SQL injection.

_OPS = {
    "eq": "{} = %s",
    "any": "%s = any({})",
    "ilike": "{} ilike %s",
    "gte": "{} >= %s",
    "lte": "{} <= %s",
    "lt": "{} < %s",
    "gt": "{} > %s",
}


def like_pattern(text: str) -> str:
    """`%text%` for LIKE/ILIKE with the wildcards %, _ and the escape \\ in text escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def where(*, raw: tuple[sql.Composable, ...] = (), **conditions) -> tuple[sql.Composable, list]:
    """A WHERE clause (or nothing) from column conditions whose value is not None.

    Keys are ``column`` (equality) or ``column__op`` with op in eq, any (value
    is one element of an array column), ilike (value is matched as a substring,
    wildcards escaped), gte, lte, lt, gt. ``raw`` adds fixed SQL fragments
    (e.g. ``sql.SQL("public")``). Returns (clause, parameters).
    """
    parts: list[sql.Composable] = list(raw)
    args: list = []
    for key, value in conditions.items():
        if value is None:
            continue
        column, _, op = key.partition("__")
        op = op or "eq"
        if op not in _OPS:
            raise ValueError(f"unknown operator {op!r} in {key!r}")
        parts.append(sql.SQL(_OPS[op]).format(sql.Identifier(column)))
        args.append(like_pattern(value) if op == "ilike" else value)
    if not parts:
        return sql.SQL(""), args
    return sql.SQL("where ") + sql.SQL(" and ").join(parts), args


def insert(
    conn,
    table: str,
    values: dict,
    *,
    returning: bool = True,
    on_conflict: tuple[str, ...] | None = None,
) -> dict | None:
    """Insert one row of `values` (column → value) into `table`; returns the row.

    ``on_conflict`` names the columns of a unique key: a row already there is left
    as it is (``on conflict (...) do nothing``; then nothing is returned).
    """
    cols = list(values)
    stmt = sql.SQL("insert into {} ({}) values ({})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, cols)),
        sql.SQL(", ").join(sql.Placeholder() * len(cols)),
    )
    if on_conflict:
        stmt += sql.SQL(" on conflict ({}) do nothing").format(
            sql.SQL(", ").join(map(sql.Identifier, on_conflict))
        )
    if returning:
        stmt += sql.SQL(" returning *")
        return conn.execute(stmt, [values[c] for c in cols]).fetchone()
    conn.execute(stmt, [values[c] for c in cols])
    return None


def update(
    conn,
    table: str,
    row_id,
    values: dict,
    *,
    extra: tuple[sql.Composable, ...] = (),
) -> dict | None:
    """Set `values` on the row of `table` with this id; returns the row, None when there is none.

    Times come in as values (the handler's ``ctx.now``), never SQL ``now()``; extra adds
    fixed assignments (e.g. ``sql.SQL("sequence = sequence + 1")``).
    """
    sets = [sql.SQL("{} = %s").format(sql.Identifier(c)) for c in values]
    sets.extend(extra)
    if not sets:
        return conn.execute(
            sql.SQL("select * from {} where id = %s").format(sql.Identifier(table)), (row_id,)
        ).fetchone()
    stmt = sql.SQL("update {} set {} where id = %s returning *").format(
        sql.Identifier(table), sql.SQL(", ").join(sets)
    )
    return conn.execute(stmt, [*values.values(), row_id]).fetchone()


def _yoyo_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else url


def migration_dirs(service: str) -> list[Path]:
    """The shared migrations (outbox, processed events, rate limits) and the service's own; the
    portal, which keeps sessions only, has its own only."""
    services = Path(importlib.util.find_spec("knotenpunkt.services").submodule_search_locations[0])
    shared = [SHARED_MIGRATIONS] if service in SERVICES else []
    return [*shared, services / service / "migrations"]


def provision(settings: Settings, services=DATABASES) -> None:
    """Create the application role and one database per service (and the portal's), then
    migrate each.

    Runs as the privileged role of DATABASE_URL (CREATEDB and CREATEROLE suffice, no
    superuser); safe to run again (upgrades run it before the new processes start).
    """
    ensure_role_and_databases(settings, services)
    for service in services:
        migrate(settings, service)


def ensure_role_and_databases(settings: Settings, services=DATABASES) -> None:
    """The application role (login, no privileges of its own) and the services' databases.

    A role that exists gets its password set again and nothing else: changing
    SUPERUSER or BYPASSRLS attributes needs a superuser, which upgrades must not.
    Raises RuntimeError when the existing role can bypass row-level security.
    """
    role = sql.Identifier(settings.app_db_user)
    password = sql.Literal(settings.app_db_password)
    with psycopg.connect(settings.database_url, autocommit=True) as admin:
        found = admin.execute(
            "select rolsuper, rolbypassrls from pg_roles where rolname = %s",
            (settings.app_db_user,),
        ).fetchone()
        if found is None:
            admin.execute(
                sql.SQL("create role {} login nocreatedb nocreaterole password {}").format(
                    role, password
                )
            )
        else:
            if any(found):
                raise RuntimeError(
                    f"the application role {settings.app_db_user} is a superuser or bypasses "
                    "row-level security; it must be neither (ALTER ROLE ... NOSUPERUSER NOBYPASSRLS)"
                )
            admin.execute(sql.SQL("alter role {} login password {}").format(role, password))
        for service in services:
            name = settings.service_database(service)
            if not admin.execute(
                "select 1 from pg_database where datname = %s", (name,)
            ).fetchone():
                admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
                log.info("created database %s", name)


def migrate(settings: Settings, service: str) -> int:
    """Apply the shared and the service's SQL migrations; grant the app role; check RLS.

    Returns the number of migrations applied. Raises RuntimeError when a table
    with a tenant column lacks forced row-level security.
    """
    from yoyo import get_backend, read_migrations

    url = settings.admin_url(settings.service_database(service))
    backend = get_backend(_yoyo_url(url))
    migrations = read_migrations(*[str(d) for d in migration_dirs(service)])
    with backend.lock():
        todo = backend.to_apply(migrations)
        backend.apply_migrations(todo)
    backend.connection.close()
    with psycopg.connect(url, autocommit=True) as conn:
        _grant(conn, settings, service)
        _check_rls(conn, service)
    log.info("migrated %s (%d applied)", service, len(todo))
    return len(todo)


def tenant_tables(conn) -> list[dict]:
    """Tables of the public schema with a tenant column, and their RLS flags."""
    return conn.execute(
        """
        select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
          from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind = 'r'
           and exists (select 1 from pg_attribute a
                        where a.attrelid = c.oid and a.attname = 'tenant' and not a.attisdropped)
         order by 1
        """
    ).fetchall()


# Tables without a tenant column the application role reads and writes: the portal's sessions
# (a browser's, found by an unguessable id, not a network's rows).
UNTENANTED = {"portal": ("portal_sessions",)}


def _grant(conn, settings: Settings, service: str) -> None:
    role = sql.Identifier(settings.app_db_user)
    db = sql.Identifier(settings.service_database(service))
    conn.execute(sql.SQL("grant connect on database {} to {}").format(db, role))
    conn.execute(sql.SQL("grant usage on schema public to {}").format(role))
    tables = [r["name"] for r in tenant_tables(conn.cursor(row_factory=dict_row))]
    for name in [*tables, *UNTENANTED.get(service, ())]:
        conn.execute(
            sql.SQL("grant select, insert, update, delete on {} to {}").format(
                sql.Identifier(name), role
            )
        )
    conn.execute(
        sql.SQL("grant usage, select on all sequences in schema public to {}").format(role)
    )


def _check_rls(conn, service: str) -> None:
    bad = [
        r["name"]
        for r in tenant_tables(conn.cursor(row_factory=dict_row))
        if not (r["enabled"] and r["forced"])
    ]
    if bad:
        raise RuntimeError(f"{service}: tables without forced row-level security: {', '.join(bad)}")
