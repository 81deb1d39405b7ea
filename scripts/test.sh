#!/usr/bin/env bash
# `make test`: the same set-up as the demo, then every test against the real database. The
# deployment tests also get two throwaway clusters shaped like Supabase and RDS (their own
# superuser, a non-superuser admin), started here so no test spawns a server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$top"
for shape in supabase rds; do
  upper=$(echo "$shape" | tr a-z A-Z)
  eval "$(scripts/platform-db.sh "$shape" start </dev/null | sed "s/^PLATFORM_/export PLATFORM_${upper}_/")"
done
swift build --build-tests
swift test --skip-build "$@"
