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
