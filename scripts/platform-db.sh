#!/usr/bin/env bash
# A throwaway PostgreSQL cluster shaped like a managed platform, for the deployment tests and
# for trying `crmsync migrate` as a non-superuser by hand.
#
#   scripts/platform-db.sh supabase|rds start   initdb + bootstrap on first use; print the URLs
#   scripts/platform-db.sh supabase|rds stop
#
# supabase: the bootstrap superuser is `supabase_admin` (the only superuser, as on Supabase);
#           Tests/platforms/supabase.sql makes `postgres` (CREATEROLE, CREATEDB, REPLICATION,
#           BYPASSRLS, pg_read_all_data; not SUPERUSER), `anon`, `authenticated`,
#           `service_role`, the `auth` schema with Supabase's auth.uid(), default privileges.
# rds:      the bootstrap superuser is `rdsadmin`; Tests/platforms/rds.sql makes the master
#           user `crmsync_admin` (CREATEROLE, CREATEDB, member of `rds_superuser`).
#
# Like dev-db.sh it listens on a private Unix socket only (no TCP), in its own directory, so it
# uses CRMSYNC_PG_PORT's number without taking a TCP port. Prints shell assignments:
#   PLATFORM_SUPERUSER_URL  the platform's own superuser (what a customer never has)
#   PLATFORM_ADMIN_URL      the admin role a customer gets (runs `crmsync migrate`)
#   PLATFORM_ADMIN          its name
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
shape=${1:-}
port=${CRMSYNC_PG_PORT:-54329}
pgbin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
case "$shape" in
  supabase) superuser=supabase_admin; admin=postgres; database=postgres ;;
  rds) superuser=rdsadmin; admin=crmsync_admin; database=crmsync ;;
  *) echo "usage: $0 supabase|rds start|stop" >&2; exit 2 ;;
esac

if [ "$(id -u)" = 0 ]; then as_server() { runuser -u postgres -- "$@"; }; else as_server() { "$@"; }; fi

# As in dev-db.sh: when the postgres user cannot reach the project folder (a clone under /root,
# say), the cluster lives in /tmp and .local/pg-<shape> links to it.
link="$top/.local/pg-$shape"
mkdir -p "$top/.local"
if [ ! -e "$link" ]; then
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$top/.local"; then
    ln -s "$(mktemp -d "/tmp/crmsync-pg-$shape.XXXXXX")" "$link"
  else
    mkdir -p "$link"
  fi
fi
base=$(readlink -f "$link")
[ "$(id -u)" = 0 ] && chown postgres: "$base"
data="$base/data"
run="$base/run"

start() {
  if [ ! -s "$data/PG_VERSION" ]; then
    as_server mkdir -p "$data" "$run"
    as_server "$pgbin/initdb" -D "$data" -U "$superuser" --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$base/initdb.log" 2>&1 || { cat "$base/initdb.log" >&2; exit 1; }
    fresh=1
  fi
  as_server mkdir -p "$run"
  if ! as_server "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_server "$pgbin/pg_ctl" -D "$data" -w -l "$base/server.log" \
      -o "-c listen_addresses='' -c port=$port -c unix_socket_directories='$run' -c fsync=off -c max_connections=200" \
      start >/dev/null || { tail -n 20 "$base/server.log" >&2; exit 1; }
  fi
  if [ -n "${fresh:-}" ]; then
    "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "postgresql:///postgres?host=$run&port=$port&user=$superuser" \
      -f "$top/Tests/platforms/$shape.sql" >"$base/bootstrap.log" 2>&1 || { cat "$base/bootstrap.log" >&2; exit 1; }
  fi
  echo "PLATFORM_SUPERUSER_URL='postgresql:///$database?host=$run&port=$port&user=$superuser'"
  echo "PLATFORM_ADMIN_URL='postgresql:///$database?host=$run&port=$port&user=$admin'"
  echo "PLATFORM_ADMIN='$admin'"
}

stop() {
  if [ -s "$data/PG_VERSION" ]; then as_server "$pgbin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true; fi
}

case "${2:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 supabase|rds start|stop" >&2; exit 2 ;;
esac
