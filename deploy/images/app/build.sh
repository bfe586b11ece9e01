#!/usr/bin/env bash
# Builds the application image from a wheelhouse (`make image`).
#
#   1. pip wheel: the project and its pinned dependencies into WHEELHOUSE (host, may use the index);
#   2. a small build context: wheels/ and tenants/ (deploy/tenants);
#   3. docker build --network host with BASE_IMAGE, OCI labels; nothing is fetched by pip inside;
#   4. prints the image size and the time from `docker run` to /healthz answering.
#
# Also builds the gateway image (deploy/images/nginx) from it.
#
# Settings (environment): IMAGE (default knotenpunkt/app:<version>), GATEWAY_IMAGE
# (default knotenpunkt/gateway:<version>), BASE_IMAGE
# (default knotenpunkt/debian:bookworm, built by deploy/test-infra.sh; or python:3.11-slim),
# PYTHON (the Python that runs pip wheel), WHEELHOUSE (default var/wheelhouse),
# MEASURE=0 skips the start-time measurement.
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
PYTHON=${PYTHON:-.venv/bin/python}
VERSION=$($PYTHON -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
IMAGE=${IMAGE:-knotenpunkt/app:$VERSION}
GATEWAY_IMAGE=${GATEWAY_IMAGE:-knotenpunkt/gateway:$VERSION}
BASE_IMAGE=${BASE_IMAGE:-knotenpunkt/debian:bookworm}
WHEELHOUSE=${WHEELHOUSE:-var/wheelhouse}
CONTEXT=${CONTEXT:-var/image-context}
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null | head -n1)" ]; then REVISION="$REVISION-dirty"; fi
SOURCE=${SOURCE:-$(git config --get remote.origin.url 2>/dev/null || true)}

log() { printf 'image: %s\n' "$*" >&2; }

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    case "$BASE_IMAGE" in
    knotenpunkt/*) KP_WITH_BASE=1 KP_BASE_IMAGE=$BASE_IMAGE bash deploy/test-infra.sh ;;
    *) docker pull -q "$BASE_IMAGE" >/dev/null ;;
    esac
fi

log "wheelhouse $WHEELHOUSE"
mkdir -p "$WHEELHOUSE"
rm -f "$WHEELHOUSE"/knotenpunkt-*.whl
# The project's own wheel is built from a clean copy of the tree (no build/ left in the checkout).
src=$(mktemp -d /tmp/kp-src.XXXXXX)
trap 'rm -rf "$src"' EXIT
tar -c --exclude=.venv --exclude=var --exclude=build --exclude='*.egg-info' --exclude=__pycache__ \
    --exclude=.git --exclude=tests --exclude=bench \
    pyproject.toml shared services knotenpunkt | tar -x -C "$src"
$PYTHON -m pip wheel -q --wheel-dir "$WHEELHOUSE" "$src"

log "context $CONTEXT"
rm -rf "$CONTEXT"
mkdir -p "$CONTEXT/tenants"
cp -a "$WHEELHOUSE" "$CONTEXT/wheels"
cp -a deploy/tenants/. "$CONTEXT/tenants/"
cp deploy/images/app/Dockerfile "$CONTEXT/Dockerfile"

log "docker build $IMAGE (from $BASE_IMAGE)"
docker build --network host -q \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --build-arg "VERSION=$VERSION" \
    --build-arg "REVISION=$REVISION" \
    --build-arg "SOURCE=$SOURCE" \
    -t "$IMAGE" "$CONTEXT" >/dev/null
rm -rf "$CONTEXT"

size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
printf 'image %s: %d MB\n' "$IMAGE" $((size / 1000 / 1000))

log "docker build $GATEWAY_IMAGE (routes from $IMAGE)"
docker build --network host -q \
    --build-arg "APP_IMAGE=$IMAGE" \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --build-arg "VERSION=$VERSION" \
    --build-arg "REVISION=$REVISION" \
    --build-arg "SOURCE=$SOURCE" \
    -t "$GATEWAY_IMAGE" deploy/images/nginx >/dev/null
size=$(docker image inspect -f '{{.Size}}' "$GATEWAY_IMAGE")
printf 'image %s: %d MB\n' "$GATEWAY_IMAGE" $((size / 1000 / 1000))

[ "${MEASURE:-1}" = 0 ] && exit 0
# Time from `docker run` to /healthz answering: a web process, read-only root
# filesystem, secrets of its own (the database is not needed for /healthz).
port=$($PYTHON -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret() { $PYTHON -c 'import secrets; print(secrets.token_urlsafe(48))'; }
name=kp-image-probe-$$
start=$($PYTHON -c 'import time; print(time.monotonic())')
docker run -d --rm --name "$name" --read-only --tmpfs /var/lib/knotenpunkt:uid=10001,gid=10001 \
    -e JWT_SECRET="$(secret)" -e LINK_SECRET="$(secret)" -e ALLOWED_HOSTS=127.0.0.1,localhost \
    -e DATABASE_URL=postgresql://nobody@127.0.0.1:9/none \
    -p "127.0.0.1:$port:8001" "$IMAGE" web membership --workers 1 >/dev/null
ready=$($PYTHON - "$port" "$start" <<'PY'
import sys, time, urllib.request
port, start = sys.argv[1], float(sys.argv[2])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            if r.status == 200:
                print(f"{time.monotonic() - start:.2f}")
                break
    except OSError:
        time.sleep(0.05)
else:
    print("timeout")
PY
)
docker rm -f "$name" >/dev/null
printf 'image %s: docker run to /healthz answering: %s s\n' "$IMAGE" "$ready"
[ "$ready" != timeout ]
