#!/bin/sh
# Initialises the cluster on first start (as the official image does), then
# runs postgres in the foreground as the postgres user.
set -eu
if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
mkdir -p "$PGDATA" /var/run/postgresql
chown -R postgres:postgres "$PGDATA" /var/run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pw=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:-postgres}" >"$pw"
    chown postgres "$pw"
    su postgres -s /bin/sh -c "initdb -D '$PGDATA' -U '$user' --pwfile='$pw' -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256" >/dev/null
    rm -f "$pw"
    echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
    echo "host all all ::/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [ "$db" != "postgres" ]; then
        su postgres -s /bin/sh -c "postgres --single -D '$PGDATA' postgres" <<EOF >/dev/null
CREATE DATABASE "$db" OWNER "$user";
EOF
    fi
fi
if [ "$1" = "postgres" ]; then
    shift
    exec su postgres -s /bin/sh -c 'exec postgres -D "$PGDATA" -c listen_addresses="*" "$@"' -- sh "$@"
fi
exec "$@"
