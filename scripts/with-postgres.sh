#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server that this script starts and stops.
# Two roles, as in production (README, "PostgreSQL roles"): osseo_owner owns the database and runs
# the migrations (here it is also the cluster's superuser, so the tests can play an intruder with
# the owner's powers); osseo_app, the application's role, owns nothing and may not rewrite the
# audit trail. DATABASE_URL names osseo_app; OSSEO_MIGRATION_DB_USER names the owner.
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
"${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -U osseo_owner --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# fsync and friends off: a throwaway server for tests only.
"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" start >/dev/null
"$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U osseo_owner -d postgres -c "CREATE ROLE osseo_app LOGIN"
"$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U osseo_owner -O osseo_owner app
echo "osseo: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (roles osseo_owner, osseo_app)" >&2
export DATABASE_URL="postgres://osseo_app@127.0.0.1:$PORT/app"
export OSSEO_MIGRATION_DB_USER=osseo_owner
"$@"
