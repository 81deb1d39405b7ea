#!/usr/bin/env bash
# A throwaway local PostgreSQL cluster for the demo and the tests.
#
#   scripts/dev-db.sh start   start it (initdb on first use); print `export DATABASE_URL=…`
#   scripts/dev-db.sh stop    stop it
#   scripts/dev-db.sh url     print the superuser URL of the `crmsync` database
#
# The server never runs as root: when we are root it runs as the `postgres` system user. It
# listens on a private Unix socket only (no TCP), trusts local connections, and keeps its data
# under .local/pg (git-ignored). When the postgres user cannot reach the project folder (a clone
# under /root, say), the data lives in /tmp and .local/pg links to it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
port=${CRMSYNC_PG_PORT:-54329}
database=${CRMSYNC_PG_DATABASE:-crmsync}
pgbin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$pgbin/initdb" ] || { echo "dev-db: no PostgreSQL server binaries found (set PG_BIN)" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
  as_server() { runuser -u postgres -- "$@"; }
  superuser=postgres
else
  as_server() { "$@"; }
  superuser=$(id -un)
fi

link="$top/.local/pg"
mkdir -p "$top/.local"
if [ ! -e "$link" ]; then
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$top/.local"; then
    target=$(mktemp -d /tmp/crmsync-pg.XXXXXX)
    ln -s "$target" "$link"
  else
    mkdir -p "$link"
  fi
fi
base=$(readlink -f "$link")
data="$base/data"
run="$base/run"
[ "$(id -u)" = 0 ] && chown postgres: "$base"

url() { echo "postgresql:///$database?host=$run&port=$port&user=$superuser"; }

start() {
  if [ ! -s "$data/PG_VERSION" ]; then
    as_server mkdir -p "$data" "$run"
    as_server "$pgbin/initdb" -D "$data" -U "$superuser" --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$base/initdb.log" 2>&1 \
      || { cat "$base/initdb.log" >&2; exit 1; }
  fi
  as_server mkdir -p "$run"
  if ! as_server "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_server "$pgbin/pg_ctl" -D "$data" -w -l "$base/server.log" \
      -o "-c listen_addresses='' -c port=$port -c unix_socket_directories='$run' -c fsync=off -c max_connections=300" \
      start >/dev/null \
      || { tail -n 20 "$base/server.log" >&2; exit 1; }
  fi
  if ! "$pgbin/psql" -Atq "postgresql:///postgres?host=$run&port=$port&user=$superuser" \
       -c "select 1 from pg_database where datname = '$database'" | grep -q 1; then
    "$pgbin/createdb" -h "$run" -p "$port" -U "$superuser" "$database"
  fi
  echo "export DATABASE_URL='$(url)'"
}

stop() {
  if [ -s "$data/PG_VERSION" ]; then
    as_server "$pgbin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
