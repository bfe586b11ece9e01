"""The `knotenpunkt` command: tenants check, migrate, token, seed-demo, web, worker, dead-letters, backup, restore, gateway-config, run."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from knotenpunkt.shared.config import (
    DATABASES,
    FROM_CHECKOUT,
    PORTAL_PORT,
    PORTS,
    ROOT,
    SERVICES,
    WEB_APPS,
    from_env,
)


def cmd_tenants_check(args) -> int:
    from knotenpunkt.shared.tenants import TenantConfigError, load_file, shared_contacts

    settings = from_env()
    files = [Path(f) for f in args.files] or sorted(settings.tenants_dir.glob("*.yaml"))
    if not files:
        print(f"{settings.tenants_dir}: holds no tenant file (*.yaml)", file=sys.stderr)
        return 1
    failed = 0
    loaded = []
    for f in files:
        try:
            t = load_file(f)
        except TenantConfigError as exc:
            print(f"FEHLER {exc}", file=sys.stderr)
            failed += 1
        else:
            loaded.append(t)
            print(
                f"ok     {f}: {t.name} (membership: {t.membership['mode']}, bodies: {len(t.bodies)})"
            )
    for warning in shared_contacts(loaded):
        print(f"WARNUNG {warning}", file=sys.stderr)
    return 1 if failed else 0


def cmd_migrate(args) -> int:
    from knotenpunkt.shared.db import provision

    services = args.services or list(DATABASES)
    unknown = [s for s in services if s not in DATABASES]
    if unknown:
        print(f"unknown service(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    provision(from_env(), services)
    print(f"migrated: {', '.join(services)}")
    return 0


def cmd_token(args) -> int:
    from knotenpunkt.shared.auth import issue_token
    from knotenpunkt.shared.config import DEV_SECRETS_FILE, development_secrets

    settings = from_env()
    if "JWT_SECRET" not in os.environ and (settings.var_dir / DEV_SECRETS_FILE).is_file():
        # the development instance's own key (make run wrote it at its first start)
        settings = settings.with_(jwt_secret=development_secrets(settings.var_dir)["JWT_SECRET"])
    try:
        token = issue_token(
            settings,
            tenant=args.tenant,
            roles=args.role,
            sub=args.sub,
            bodies=args.body,
            partner_id=args.partner,
            person_id=args.person,
            ttl_seconds=args.hours * 3600,
        )
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(token)
    return 0


def cmd_seed_demo(args) -> int:
    from knotenpunkt.services.events.seed import seed_consultations
    from knotenpunkt.services.membership.seed import seed_demo

    settings = from_env()
    counts = seed_demo(settings)
    for tenant, n in counts.items():
        print(f"{tenant}: {n} new partners")
    print(f"consultations: {seed_consultations(settings)} new")
    return 0


# Access log lines as JSON, like the application's own logs, with the request id.
def _refuse_insecure() -> int:
    """0 when the secrets are fine for this mode; else the reason on stderr and 2."""
    from knotenpunkt.shared.config import InsecureSettings

    try:
        from_env().check_secrets()
    except InsecureSettings as exc:
        print(f"knotenpunkt: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_web(args) -> int:
    if _refuse_insecure():
        return 2
    settings = from_env()
    if args.gateway and args.service != "portal":
        print("knotenpunkt web: --gateway is the portal's (make run's one origin)", file=sys.stderr)
        return 2
    if args.service == "portal" and not (
        os.environ.get("PORTAL_SECRET_KEY") or settings.dev_mode or os.environ.get("DEV_LOGIN")
    ):
        print(
            "knotenpunkt: the portal needs PORTAL_SECRET_KEY (at least 32 random bytes, e.g. "
            "`openssl rand -base64 48`) to sign its forms' CSRF tokens",
            file=sys.stderr,
        )
        return 2
    # Not $PORT: process managers set it for every process; the ports are fixed by design.
    port = args.port or PORTS.get(args.service, PORTAL_PORT)
    # Metrics of all gunicorn workers in one scrape: a fresh multiprocess folder per start.
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = from_env().var_dir / "metrics" / f"{args.service}-{port}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    # gunicorn from this very environment (not looked up on PATH).
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{args.host}:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "knotenpunkt.httpserver.ProblemWorker",
        "--no-control-socket",
        "--graceful-timeout",
        "10",
        "--config",
        "python:knotenpunkt.gunicorn_conf",
        f"knotenpunkt.services.{args.service}.app:create_app()",
    ]
    if args.gateway:
        # make run: the portal's process also routes the gateway's paths (one origin)
        argv[-1] = "knotenpunkt.devgateway:create_app()"
    os.environ["KNOTENPUNKT_SERVICE"] = args.service  # gunicorn's own lines (gunicorn_conf)
    os.execv(sys.executable, argv)
    return 0


def cmd_worker(args) -> int:
    if _refuse_insecure():
        return 2
    from knotenpunkt.shared import logs
    from knotenpunkt.wiring import worker_for

    settings = from_env()
    logs.setup(f"{args.service}-worker", settings.log_level)
    worker_for(args.service, settings=settings).run()
    return 0


def cmd_dead_letters(args) -> int:
    """List the services' dead letters with their reasons, or give them back to their queue."""
    from knotenpunkt.shared.workerops import dead_letters, replay_dead_letters

    settings = from_env()
    if not settings.broker_url:
        print("knotenpunkt dead-letters: BROKER_URL is not set", file=sys.stderr)
        return 2
    services = args.service or list(SERVICES)
    if args.action == "list":
        total = 0
        for service in services:
            for entry in dead_letters(settings, service, limit=args.limit):
                total += 1
                print(
                    f"{entry['service']}\t{entry['id']}\t{entry['type']}\t{entry['tenant']}\t"
                    f"{entry['reason']}"
                )
        print(f"{total} dead letters", file=sys.stderr)
        return 0
    if not args.all and not args.id:
        print(
            "knotenpunkt dead-letters replay: name --id EVENT_ID (repeatable) or --all",
            file=sys.stderr,
        )
        return 2
    ids = None if args.all else set(args.id)
    total = 0
    for service in services:
        for entry in replay_dead_letters(settings, service, ids):
            total += 1
            print(f"replayed {entry['service']}\t{entry['id']}\t{entry['type']}")
    print(f"{total} dead letters replayed", file=sys.stderr)
    return 0


def cmd_backup(args) -> int:
    from knotenpunkt.backup import BackupError, backup

    try:
        manifest = backup(from_env(), Path(args.folder))
    except BackupError as exc:
        print(f"knotenpunkt backup: {exc}", file=sys.stderr)
        return 1
    size = sum(f["bytes"] for f in manifest["files"].values())
    print(f"backup in {args.folder}: {len(manifest['files'])} files, {size} bytes")
    return 0


def cmd_restore(args) -> int:
    from knotenpunkt.backup import BackupError, restore

    try:
        manifest = restore(from_env(), Path(args.folder), with_tenants=not args.skip_tenants)
    except BackupError as exc:
        print(f"knotenpunkt restore: {exc}", file=sys.stderr)
        return 1
    print(
        f"restored {', '.join(manifest['databases'].values())} from {args.folder} "
        f"(backup of {manifest['created_at']}); restart the web processes and workers"
    )
    return 0


def cmd_run(args) -> int:
    from knotenpunkt.devserver import run

    return run(with_seed=not args.no_seed)


def cmd_gateway_config(args) -> int:
    from knotenpunkt.gateway import GatewayConfigError, generate

    upstreams = {}
    for item in args.upstream or []:
        service, sep, target = item.partition("=")
        if not sep or service not in WEB_APPS:
            print(f"--upstream {item!r}: expected <service>=<host:port>", file=sys.stderr)
            return 2
        upstreams[service] = target
    if args.routes:
        from knotenpunkt.devgateway import write_routes

        try:
            write_routes(Path(args.routes))
        except GatewayConfigError as exc:
            print(f"knotenpunkt gateway-config: {exc}", file=sys.stderr)
            return 1
        return 0
    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    try:
        conf = generate(
            upstreams=upstreams,
            listen=args.listen,
            tls_listen=args.tls_listen,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            max_body=args.max_body,
        )
    except GatewayConfigError as exc:
        print(f"knotenpunkt gateway-config: {exc}", file=sys.stderr)
        return 1
    if args.output and args.output != "-":
        Path(args.output).write_text(conf, encoding="utf-8")
    else:
        sys.stdout.write(conf)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="knotenpunkt", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("tenants", help="tenant rules")
    tsub = t.add_subparsers(dest="tenants_command", required=True)
    check = tsub.add_parser("check", help="check tenant files (default: all in TENANTS_DIR)")
    check.add_argument("files", nargs="*")
    check.set_defaults(func=cmd_tenants_check)

    m = sub.add_parser("migrate", help="create roles and databases, apply migrations")
    m.add_argument("services", nargs="*", help=f"default: all of {', '.join(DATABASES)}")
    m.set_defaults(func=cmd_migrate)

    tok = sub.add_parser("token", help="print a development token (HS256)")
    tok.add_argument("--tenant", required=True)
    tok.add_argument("--role", action="append", required=True, help="repeat for several roles")
    tok.add_argument("--body", action="append", help="body key (repeatable)")
    tok.add_argument("--sub")
    tok.add_argument("--partner")
    tok.add_argument("--person", help="person id as in the bodies' member lists (default: --sub)")
    tok.add_argument("--hours", type=int, default=8)
    tok.set_defaults(func=cmd_token)

    s = sub.add_parser("seed-demo", help="fill the four networks with demo data")
    s.set_defaults(func=cmd_seed_demo)

    w = sub.add_parser("web", help="run a service's web process (gunicorn)")
    w.add_argument("service", choices=WEB_APPS)
    w.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    w.add_argument("--port", type=int)
    w.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
    w.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
    w.add_argument(
        "--gateway",
        action="store_true",
        help="portal only: also route the gateway's paths to the services (make run's one origin)",
    )
    w.set_defaults(func=cmd_web)

    wk = sub.add_parser("worker", help="run a service's worker (relay, consumer, jobs)")
    wk.add_argument("service", choices=SERVICES)
    wk.set_defaults(func=cmd_worker)

    dl = sub.add_parser(
        "dead-letters",
        help="list the messages in the services' dead-letter queues (with the reason), or replay them",
    )
    dl.add_argument("action", choices=("list", "replay"))
    dl.add_argument(
        "--service", action="append", help=f"repeatable; default: all of {', '.join(SERVICES)}"
    )
    dl.add_argument("--id", action="append", help="replay: the event id (repeatable)")
    dl.add_argument("--all", action="store_true", help="replay: every dead letter")
    dl.add_argument("--limit", type=int, default=1000, help="list: at most so many per service")
    dl.set_defaults(func=cmd_dead_letters)

    gw = sub.add_parser(
        "gateway-config",
        help="write the nginx gateway configuration generated from the four OpenAPI documents",
    )
    gw.add_argument("-o", "--output", help="file to write (default: standard output)")
    gw.add_argument(
        "--upstream",
        action="append",
        metavar="SERVICE=HOST:PORT",
        help="where a service's web process listens (default: <service>:<its port>)",
    )
    gw.add_argument("--listen", type=int, default=8080, help="plain HTTP port (default 8080)")
    gw.add_argument("--tls-listen", type=int, default=8443, help="HTTPS port (default 8443)")
    gw.add_argument("--tls-cert", help="certificate file (PEM): adds an HTTPS server")
    gw.add_argument("--tls-key", help="its private key (PEM)")
    gw.add_argument("--max-body", default="1m", help="client_max_body_size (default 1m)")
    gw.add_argument(
        "--routes",
        metavar="FILE",
        help="write the route table (JSON) instead, for `knotenpunkt web portal --gateway`",
    )
    gw.set_defaults(func=cmd_gateway_config)

    b = sub.add_parser(
        "backup", help="dump the four databases and the tenant files into a new folder"
    )
    b.add_argument("folder")
    b.set_defaults(func=cmd_backup)

    rs = sub.add_parser("restore", help="restore a backup folder, then migrate")
    rs.add_argument("folder")
    rs.add_argument("--skip-tenants", action="store_true", help="keep the tenant files as they are")
    rs.set_defaults(func=cmd_restore)

    r = sub.add_parser("run", help="start everything with embedded defaults (make run)")
    r.add_argument("--no-seed", action="store_true", help="do not add the demo data")
    r.set_defaults(func=cmd_run)
    return p


def main(argv=None) -> int:
    # From a checkout: its folder (Procfile, var/); installed: KNOTENPUNKT_HOME if set.
    home = os.environ.get("KNOTENPUNKT_HOME") or (str(ROOT) if FROM_CHECKOUT else None)
    if home:
        os.chdir(home)
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
