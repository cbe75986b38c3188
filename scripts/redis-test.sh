#!/usr/bin/env bash
# A throwaway Redis server on loopback for the Celery tests.
#   scripts/redis-test.sh start DIR   -> prints the URL the tests read (MLKAIZEN_TEST_REDIS_URL)
#   scripts/redis-test.sh stop DIR
# Installs Debian's redis-server when it is missing. Nothing is saved to disk.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?a folder for the server}

if ! command -v redis-server >/dev/null; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
fi

case "$action" in
  start)
    mkdir -p "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
    for _ in $(seq 1 100); do
      if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
        echo "redis://127.0.0.1:$port/0"
        exit 0
      fi
      sleep 0.1
    done
    echo "redis-test: the server did not start (see $dir/redis.log)" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/redis.pid" ]; then
      kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
      rm -f "$dir/redis.pid"
    fi
    ;;
esac
