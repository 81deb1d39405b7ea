#!/usr/bin/env bash
# Schemathesis against the OpenAPI document of a running `crmsync serve`: the
# server and /openapi.json must agree on every documented route, status, header and body, and on
# methods a path does not have (405 with Allow). Bounded: a few examples per operation.
#
# Sourced set-up as for the tests (scripts/env.sh: database, key). Installs a pinned Schemathesis
# into .local/schemathesis (a venv, created once with python3 -m venv and pip) the first time.
# Needs .build/debug/crmsync (swift build). Exit status: Schemathesis's (0 = no failure).
#   SCHEMATHESIS_MAX_EXAMPLES  examples per operation (default 10)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$top"
# Pinned with the Hypothesis it was run with (4.1.4 with a later Hypothesis crashed in
# hypothesis-jsonschema, and expected 406 for a missing required header).
version=4.32.5
venv="$top/.local/schemathesis"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "version $version\$"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$version" "hypothesis==6.170.17" "hypothesis-graphql==0.13.5"
fi

crmsync() { "$top/.build/debug/crmsync" "$@"; }
crmsync migrate >/dev/null
crmsync seed-demo >/dev/null

# The provider sandbox, so that routes which call a provider (a disconnect revokes the tokens)
# reach one at once instead of waiting on the real providers' hosts.
sandbox_log="$top/.local/schemathesis-sandbox.log"
"$top/.build/debug/crmsync" sandbox --port 0 >"$sandbox_log" 2>&1 &  # the binary, so $! is its pid
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q 'listening on' "$sandbox_log" && break
  sleep 0.1
done
sandbox_url=$(grep -o 'http://[0-9.:]*' "$sandbox_log" | head -n 1)
[ -n "$sandbox_url" ] || { cat "$sandbox_log" >&2; exit 1; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
secret="$top/.local/jwt-secret"
[ -s "$secret" ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n' >"$secret")
log="$top/.local/schemathesis-serve.log"
CRMSYNC_SANDBOX_URL="$sandbox_url" CRMSYNC_PUBLIC_URL="$url" CRMSYNC_JWT_SECRET_FILE="$secret" CRMSYNC_LOG_LEVEL=warning \
  CRMSYNC_RETURN_URL="http://crm.example/settings/calendars" \
  "$top/.build/debug/crmsync" serve --port "$port" --no-worker >"$log" 2>&1 &  # the binary, so $! is its pid
serve_pid=$!
trap 'kill "$serve_pid" "$sandbox_pid" 2>/dev/null || true; wait "$serve_pid" "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -fsS "$url/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

# A member of the demo organization, as the CRM's backend would issue the token.
token=$(python3 - "$secret" <<'PY'
import base64, hashlib, hmac, json, sys, time
enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
header = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
claims = enc(json.dumps({"sub": "10000000-0000-4000-8000-0000000000a1", "aud": "authenticated", "role": "authenticated",
                         "exp": int(time.time()) + 3600}).encode())
key = open(sys.argv[1]).read().strip().encode()
print(f"{header}.{claims}.{enc(hmac.new(key, f'{header}.{claims}'.encode(), hashlib.sha256).digest())}")
PY
)
# One worker: Hypothesis parses lambda sources with `ast`, which CPython 3.11 does not do safely
# from two threads at once ("AST constructor recursion depth mismatch").
"$venv/bin/schemathesis" run "$url/openapi.json" --url "$url" \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-10}" --generation-deterministic --workers 1 \
  -H "Authorization: Bearer $token" -H "X-Organization-Id: 10000000-0000-4000-8000-000000000001" \
  # every check runs (the default), some per operation as schemathesis.toml says
