#!/usr/bin/env bash
# `make test`: the same set-up as the demo, then every test against the real database and the
# loopback mail servers (scripts/mail-servers.sh). The deployment tests also get two throwaway
# clusters shaped like Supabase and RDS (their own superuser, a non-superuser admin), started
# here so no test spawns a server; and the tenancy matrix runs again on each, migrated by that
# non-superuser admin.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$top"
for shape in supabase rds; do
  upper=$(echo "$shape" | tr a-z A-Z)
  eval "$(scripts/platform-db.sh "$shape" start </dev/null | sed "s/^PLATFORM_/export PLATFORM_${upper}_/")"
done
# The mail suites' Dovecot and SMTP servers (loopback; reused when already running).
eval "$(scripts/mail-servers.sh start)"
swift build --build-tests
swift test --skip-build "$@"
if [ $# -eq 0 ]; then
  # Scratch databases are dropped `with (force)`, which signals crmsync_app's sessions: on the
  # Supabase shape `postgres` gets pg_signal_backend for that, and nothing else changes.
  psql -X -q "$PLATFORM_SUPABASE_SUPERUSER_URL" -c 'grant pg_signal_backend to postgres'
  for shape in SUPABASE RDS; do
    admin_url=PLATFORM_${shape}_ADMIN_URL
    echo "== tenancy matrix as the ${shape,,} shape's admin (not a superuser)"
    DATABASE_URL="${!admin_url}" swift test --skip-build --filter 'TenancyMatrix|PooledIdentity'
  done
fi
if [ $# -eq 0 ]; then
  # Schemathesis (pinned, installed into .local/schemathesis on first use) against a running
  # `crmsync serve`: the OpenAPI document and the server must agree. A
  # separate step after the Swift tests, bounded to a few examples per operation (about 10 s).
  echo "== schemathesis against crmsync serve's /openapi.json"
  scripts/schemathesis.sh
fi
