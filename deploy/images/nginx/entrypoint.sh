#!/bin/bash
# Starts nginx with the generated configuration: with TLS when a certificate is
# mounted at /etc/knotenpunkt/tls/tls.crt (and tls.key), plain HTTP otherwise.
# `healthcheck`: GET /healthz on the plain port (bash only, no curl in the image).
set -euo pipefail
if [ "${1:-}" = healthcheck ]; then
    exec 3<>/dev/tcp/127.0.0.1/8080
    printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
    read -r -t 3 status <&3
    case "$status" in *" 200 "*) exit 0 ;; *) exit 1 ;; esac
fi
conf=/etc/knotenpunkt/nginx.conf
if [ -s /etc/knotenpunkt/tls/tls.crt ] && [ -s /etc/knotenpunkt/tls/tls.key ]; then
    conf=/etc/knotenpunkt/nginx-tls.conf
fi
exec nginx -e stderr -c "$conf" -g 'daemon off;' "$@"
