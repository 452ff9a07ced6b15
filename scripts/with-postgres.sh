#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server that this script starts and stops.
set -euo pipefail
BIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
DIR=$(mktemp -d /tmp/osseo-pg.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$DIR"
  RUN=(runuser -u postgres --)
fi
cleanup() {
  if [ -f "$DIR/data/postmaster.pid" ]; then
    kill -INT "$(head -1 "$DIR/data/postmaster.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$DIR/data/postmaster.pid" ] || break; sleep 0.1; done
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
"${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -U app --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# fsync and friends off: a throwaway server for tests only.
"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" start >/dev/null
"$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U app app
echo "osseo: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
export DATABASE_URL="postgres://app@127.0.0.1:$PORT/app"
"$@"
