#!/usr/bin/env bash
# `make demo`: migrate, load the demo data, audit the policies, connect calendars through the
# real OAuth flow against the provider sandbox, then run the console queries.
set -euo pipefail
source "$(dirname "$0")/env.sh"
crmsync() { "$top/.build/debug/crmsync" "$@"; }

echo "== crmsync migrate"
crmsync migrate
echo
echo "== crmsync seed-demo"
crmsync seed-demo
echo
echo "== crmsync audit"
crmsync audit
echo

echo "== crmsync sandbox (the provider emulator, on a free port)"
sandbox_log="$top/.local/sandbox.log"
crmsync sandbox --port 0 >"$sandbox_log" 2>&1 &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q 'listening on' "$sandbox_log" && break
  sleep 0.1
done
CRMSYNC_SANDBOX_URL=$(grep -o 'http://[0-9.:]*' "$sandbox_log" | head -n 1)
[ -n "$CRMSYNC_SANDBOX_URL" ] || { cat "$sandbox_log" >&2; exit 1; }
export CRMSYNC_SANDBOX_URL
echo "sandbox at $CRMSYNC_SANDBOX_URL"
echo

echo "== crmsync oauth-client set (the sandbox's registered clients, as the platform's apps)"
for provider in google microsoft; do
  CRMSYNC_OAUTH_CLIENT_SECRET=sandbox-secret crmsync oauth-client set --provider "$provider" --client-id sandbox-client
done
echo

acme=10000000-0000-4000-8000-000000000001
echo "== crmsync connect: Alice's Google calendar and Bob's Outlook calendar (Acme), unattended"
crmsync connect --provider google --user 10000000-0000-4000-8000-0000000000a1 --org "$acme" \
  --login-hint alice@acme.example --timeout 30
crmsync connect --provider outlook --user 10000000-0000-4000-8000-0000000000b2 --org "$acme" \
  --login-hint bob@acme.example --timeout 30
echo

echo "== crmsync console"
crmsync console
