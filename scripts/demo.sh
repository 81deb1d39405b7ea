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
# A fresh seed each run: ids never repeat, as at the real providers, so a database kept from an
# earlier demo run never mistakes this sandbox's messages for the last one's. The old log goes
# first: the wait below must not read the previous run's port.
seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
: >"$sandbox_log"
"$top/.build/debug/crmsync" sandbox --port 0 --seed "$seed" >"$sandbox_log" 2>&1 &  # the binary itself, so $! is its pid (a function would run in a subshell)
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
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
alice=10000000-0000-4000-8000-0000000000a1
bob=10000000-0000-4000-8000-0000000000b2
echo "== crmsync connect: Alice's Google calendar and Bob's Outlook calendar (Acme), unattended"
connected=$(crmsync connect --provider google --user "$alice" --org "$acme" \
  --login-hint alice.calendar@acme.example --timeout 30)
echo "$connected"
alice_calendar=$(echo "$connected" | grep -o 'account [0-9a-f-]*' | cut -d' ' -f2)
connected=$(crmsync connect --provider outlook --user "$bob" --org "$acme" \
  --login-hint bob.calendar@acme.example --timeout 30)
echo "$connected"
bob_calendar=$(echo "$connected" | grep -o 'account [0-9a-f-]*' | cut -d' ' -f2)
echo

control() {  # method path [json]: the sandbox's control API, playing the person at Google/Outlook
  curl -sS -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$CRMSYNC_SANDBOX_URL/_sandbox/$2"
}
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" "$@"; }
day=$(date -u -d '+2 days' +%Y-%m-%d)
echo "== In Google, Alice adds a design review and an all-day offsite; in Outlook, Bob adds a call"
review=$(control POST "google/users/alice.calendar@acme.example/calendars/primary/events" \
  "{\"summary\":\"Design review\",\"location\":\"Room 4\",\"start\":{\"dateTime\":\"${day}T09:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},\"end\":{\"dateTime\":\"${day}T10:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}" \
  | grep -o '"id" *: *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')
offsite=$(control POST "google/users/alice.calendar@acme.example/calendars/primary/events" \
  "{\"summary\":\"Team offsite\",\"start\":{\"date\":\"$day\"},\"end\":{\"date\":\"$(date -u -d '+4 days' +%Y-%m-%d)\"}}" \
  | grep -o '"id" *: *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')
control POST "microsoft/users/bob.calendar@acme.example/events" \
  "{\"subject\":\"Call with Initech\",\"start\":{\"dateTime\":\"${day}T14:00:00\",\"timeZone\":\"W. Europe Standard Time\"},\"end\":{\"dateTime\":\"${day}T14:30:00\",\"timeZone\":\"W. Europe Standard Time\"}}" >/dev/null
echo "google events: $review, $offsite"
echo

echo "== crmsync sync: first import (and export of the CRM's appointments to the new calendars)"
crmsync sync --account "$alice_calendar"
crmsync sync --account "$bob_calendar"
echo

echo "== Both sides change: Alice renames the review in the CRM and moves it in Google (a conflict),"
echo "   deletes the offsite in Google, and adds an appointment in the CRM"
sql -c "update public.appointments set title = 'Design review (CRM agenda)' where title = 'Design review' and organization_id = '$acme'"
sql -c "insert into public.appointments (organization_id, owner_id, title, start_time, end_time, time_zone)
        values ('$acme', '$alice', 'Pricing workshop', '${day}T13:00:00Z', '${day}T15:00:00Z', 'UTC')"
control PATCH "google/users/alice.calendar@acme.example/calendars/primary/events/$review" \
  "{\"start\":{\"dateTime\":\"${day}T11:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},\"end\":{\"dateTime\":\"${day}T12:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}" >/dev/null
control DELETE "google/users/alice.calendar@acme.example/calendars/primary/events/$offsite" >/dev/null
echo

echo "== crmsync sync: second round (the conflict waits for a person: strategy 'manual')"
crmsync sync --account "$alice_calendar"
sql -c "select c.detected_at, a.title as crm_title, c.remote_snapshot ->> 'start' as calendar_start
          from public.calendar_conflicts c join public.appointments a on a.id = c.appointment_id
         where c.resolved_at is null"
echo

echo "== crmsync console"
crmsync console
echo

"$top/scripts/demo-mail.sh"
echo

echo "== crmsync serve: the same service over HTTP (API with JWTs, OAuth callback, webhooks, metrics)"
# (--no-mail-worker: the demo runs each mail sync itself, to show them one by one)
serve_log="$top/.local/serve.log"
serve_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
serve_url="http://127.0.0.1:$serve_port"
[ -s "$top/.local/jwt-secret" ] || (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n' >"$top/.local/jwt-secret")
CRMSYNC_GMAIL_PUSH_TOKEN=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')
export CRMSYNC_GMAIL_PUSH_TOKEN serve_url
CRMSYNC_PUBLIC_URL="$serve_url" CRMSYNC_JWT_SECRET_FILE="$top/.local/jwt-secret" CRMSYNC_WORKER_POLL_SECONDS=60 \
  CRMSYNC_RETURN_URL="http://crm.example/settings/calendars" CRMSYNC_LOG_LEVEL=notice \
  "$top/.build/debug/crmsync" serve --port "$serve_port" --no-mail-worker >"$serve_log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$serve_url/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "serving on $serve_url; /readyz: $(curl -sS "$serve_url/readyz")"
"$top/scripts/demo-mail-api.sh"
echo

source "$top/scripts/demo-api.sh"
globex=20000000-0000-4000-8000-000000000001
gina=20000000-0000-4000-8000-0000000000a1
hank=20000000-0000-4000-8000-0000000000b2

echo "-- GET /v1/calendar/accounts as Alice (Acme)"
api "$alice" "$acme" GET /v1/calendar/accounts | python3 -c 'import json,sys; [print(" ", a["provider"], a["email"], a["status"], (a.get("last_sync") or {}).get("status")) for a in json.load(sys.stdin)["accounts"]]'
echo "-- the same account as Hank (Globex): $(api "$hank" "$globex" GET "/v1/calendar/accounts/$alice_calendar")"
echo "-- a forged token: $(curl -sS -H 'Authorization: Bearer e30.e30.' -H "X-Organization-Id: $acme" "$serve_url/v1/calendar/accounts")"

echo "-- Gina (Globex) connects her Outlook calendar through the API and a browser"
started=$(api "$gina" "$globex" POST /v1/calendar/accounts/connect '{"provider":"outlook","login_hint":"gina.calendar@globex.example"}')
authorize=$(echo "$started" | python3 -c 'import json,sys; print(json.load(sys.stdin)["authorization_url"])')
callback=$(curl -sS -o /dev/null -w '%{redirect_url}' "$authorize")        # the provider's consent page redirects
back=$(curl -sS -o /dev/null -w '%{redirect_url}' "$callback")             # our callback redirects to the CRM
echo "   browser lands on: $back"
echo "   replaying the callback: $(curl -sS -o /dev/null -w '%{redirect_url}' "$callback")"
gina_calendar=$(echo "$back" | grep -o 'account=[0-9a-f-]*' | cut -d= -f2)

echo "-- in Outlook, Gina adds a meeting; Graph's notification wakes the worker"
for _ in $(seq 1 100); do  # the first sync and the push channel come right after the callback
  [ "$(sql -Atc "select count(*) from public.calendar_push_channels where calendar_account_id = '$gina_calendar' and status = 'active'")" = 1 ] \
    && [ "$(sql -Atc "select count(*) from public.calendar_sync_log where calendar_account_id = '$gina_calendar' and completed_at is not null")" -ge 1 ] && break
  sleep 0.1
done
meeting="Board prep with Initech ($(date +%H:%M:%S))"  # new on every run of the demo
begin=$(date +%s%N)
control POST "microsoft/users/gina.calendar@globex.example/events" \
  "{\"subject\":\"$meeting\",\"start\":{\"dateTime\":\"${day}T10:00:00\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"${day}T11:00:00\",\"timeZone\":\"UTC\"}}" >/dev/null
arrived=no
for _ in $(seq 1 200); do
  [ "$(sql -Atc "select count(*) from public.appointments where title = '$meeting'")" = 1 ] && arrived=yes && break
  sleep 0.02
done
[ "$arrived" = yes ] || { echo "the meeting did not reach the CRM; serve log:" >&2; tail -n 20 "$serve_log" >&2; exit 1; }
echo "   '$meeting' is in the CRM after $(( ($(date +%s%N) - begin) / 1000000 )) ms"

echo "-- Alice resolves her conflict through the API (keep the CRM's version)"
conflict=$(api "$alice" "$acme" GET /v1/calendar/conflicts | python3 -c 'import json,sys; c = json.load(sys.stdin)["conflicts"]; print(c[0]["id"] if c else "")')
[ -n "$conflict" ] && api "$alice" "$acme" POST "/v1/calendar/conflicts/$conflict/resolve" '{"keep":"crm"}' \
  | python3 -c 'import json,sys; c = json.load(sys.stdin); print("  ", c["id"], c.get("resolution"))'
"$top/scripts/demo-mail-http.sh"
echo "-- /metrics (excerpt)"
curl -sS "$serve_url/metrics" | grep -E '^crmsync_(sync_runs_total|webhook_deliveries_total|api_auth_refused_total|due_accounts|mail_[a-z_]+_total)' | head -n 12
kill -TERM "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
echo "serve stopped (SIGTERM)"
