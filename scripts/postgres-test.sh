#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the store tests.
#   scripts/postgres-test.sh start DIR   -> prints the URL the tests read (MLKAIZEN_TEST_PG_URL)
#   scripts/postgres-test.sh stop DIR
# Installs the Debian package when no server binaries are found. As root, the cluster is
# created and run by the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?a folder for the cluster}

pg_bin() {
  local ctl
  ctl=$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$ctl" ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    ctl=$(ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)
  fi
  dirname "$ctl"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin=$(pg_bin)
case "$action" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; chmod 700 "$dir"; fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >/dev/null
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
esac
