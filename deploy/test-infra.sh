#!/usr/bin/env bash
# Makes sure a Docker engine runs and the PostgreSQL and RabbitMQ images the
# integration tests use are present: pulled where a registry can be reached,
# otherwise built here from Debian's packages (see DEVELOPERS.md).
#
# Settings (environment):
#   KP_POSTGRES_IMAGE  image for PostgreSQL  (default knotenpunkt/postgres:15)
#   KP_RABBITMQ_IMAGE  image for RabbitMQ    (default knotenpunkt/rabbitmq:3)
#   KP_BASE_IMAGE      Debian base for local builds (default knotenpunkt/debian:bookworm)
#   KP_WITH_BASE=1     also make sure the Debian base exists (make image builds FROM it)
# It also makes sure a Compose tool exists (docker-compose or `docker compose`): the
# deployment test runs the compose stack (deploy/compose).
# Images named knotenpunkt/* are always built locally; any other name (for
# instance postgres:15 or rabbitmq:3-management) is pulled.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PG_IMAGE=${KP_POSTGRES_IMAGE:-knotenpunkt/postgres:15}
MQ_IMAGE=${KP_RABBITMQ_IMAGE:-knotenpunkt/rabbitmq:3}
BASE_IMAGE=${KP_BASE_IMAGE:-knotenpunkt/debian:bookworm}

log() { printf 'test-infra: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        log "need root for: $*"; return 1; fi
}

ensure_engine() {
    if docker info >/dev/null 2>&1; then return 0; fi
    if ! command -v dockerd >/dev/null 2>&1; then
        if ! command -v apt-get >/dev/null 2>&1; then
            log "no Docker engine and no apt-get: install Docker, then run make test again"
            return 1
        fi
        log "installing the Docker engine from Debian's packages"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
    fi
    if ! docker info >/dev/null 2>&1; then
        log "starting dockerd"
        mkdir -p /var/log
        as_root sh -c 'nohup dockerd --iptables=false --ip6tables=false >/var/log/knotenpunkt-dockerd.log 2>&1 &'
        for _ in $(seq 1 60); do
            docker info >/dev/null 2>&1 && break
            sleep 1
        done
    fi
    docker info >/dev/null 2>&1 || { log "dockerd did not come up, see /var/log/knotenpunkt-dockerd.log"; return 1; }
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror is read from this machine's own apt configuration, so the
# project names no mirror itself.
host_mirror() {
    local uri
    uri=$(grep -hsE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
    if [ -z "$uri" ]; then
        uri=$(grep -hsE '^\s*deb\s' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
    fi
    printf '%s' "$uri"
}

build_base() {
    have_image "$BASE_IMAGE" && return 0
    if ! command -v debootstrap >/dev/null 2>&1; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    local mirror root
    mirror=$(host_mirror)
    [ -n "$mirror" ] || { log "cannot find a Debian mirror in /etc/apt"; return 1; }
    root=$(mktemp -d /tmp/kp-rootfs.XXXXXX)
    log "debootstrap bookworm (minbase) into $root"
    as_root debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >/tmp/kp-debootstrap.log 2>&1 ||
        { log "debootstrap failed, see /tmp/kp-debootstrap.log"; return 1; }
    # Use the host's apt sources inside the image (security updates included).
    if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
        as_root rm -f "$root/etc/apt/sources.list"
        as_root cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
    fi
    as_root rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
    log "importing $BASE_IMAGE"
    as_root tar -C "$root" -c . | docker import - "$BASE_IMAGE" >/dev/null
    as_root rm -rf "$root"
}

build_local() {
    local image=$1 dir=$2
    have_image "$image" && return 0
    build_base
    log "building $image from Debian's packages"
    docker build --network host -q --build-arg "BASE=$BASE_IMAGE" -t "$image" "$here/images/$dir" >/dev/null
}

ensure_image() {
    local image=$1 dir=$2
    have_image "$image" && return 0
    case "$image" in
    knotenpunkt/*) build_local "$image" "$dir" ;;
    *)
        log "pulling $image"
        timeout 120 docker pull -q "$image" >/dev/null || { log "cannot pull $image"; return 1; }
        ;;
    esac
}

ensure_compose() {
    if command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        log "no docker-compose: install Compose, then run make test again"
        return 1
    fi
    log "installing docker-compose from Debian's packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null ||
        { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
}

# Host tools the deployment tests use: kubectl (kustomize), pg_dump/pg_restore (backup),
# nginx (the gateway configuration checked with nginx -t), promtool (the alerting rules, from
# the prometheus package), Node.js and npm (the OpenID provider of the browser tests,
# tests/support_oidc: oidc-provider 9 wants Node.js 20.19 or newer). From Debian's packages.
ensure_tools() {
    local missing=()
    command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)
    command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    # WeasyPrint's text layout (shared/pdf.py: the tagged PDFs) and the documents' font
    for lib in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; do
        dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        log "missing ${missing[*]}: install them, then run make test again"
        return 1
    fi
    log "installing ${missing[*]} from Debian's packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
        { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }
    # nginx-light starts a server on port 80 on install; the tests only run nginx -t
    if command -v systemctl >/dev/null 2>&1; then as_root systemctl stop nginx >/dev/null 2>&1 || true; fi
    if [ -x /etc/init.d/nginx ]; then as_root /etc/init.d/nginx stop >/dev/null 2>&1 || true; fi
    # the prometheus package may start its server too; the tests only run promtool
    if command -v systemctl >/dev/null 2>&1; then as_root systemctl stop prometheus >/dev/null 2>&1 || true; fi
    if [ -x /etc/init.d/prometheus ]; then as_root /etc/init.d/prometheus stop >/dev/null 2>&1 || true; fi
}

ensure_engine
ensure_compose
ensure_tools
if [ "${KP_WITH_BASE:-0}" = 1 ]; then build_base; fi
ensure_image "$PG_IMAGE" postgres
ensure_image "$MQ_IMAGE" rabbitmq
log "ready: $PG_IMAGE, $MQ_IMAGE"

# The portal's browser tests (tests/browser) drive Debian's Chromium through chromedriver.
ensure_browser() {
    if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then return 0; fi
    if ! command -v apt-get >/dev/null 2>&1; then
        log "no chromium/chromedriver: install them, then run make test again"
        return 1
    fi
    log "installing chromium and chromium-driver from Debian's packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null ||
        { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }
}
ensure_browser

# The import tests (tests/integration/test_imports.py) convert CSV to XLSX and ODS with
# LibreOffice (soffice --headless), as a coordinator's office would have written them.
ensure_office() {
    if command -v soffice >/dev/null 2>&1; then return 0; fi
    if ! command -v apt-get >/dev/null 2>&1; then
        log "no soffice: install LibreOffice Calc, then run make test again"
        return 1
    fi
    log "installing libreoffice-calc-nogui from Debian's packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null ||
        { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; }
}
ensure_office
