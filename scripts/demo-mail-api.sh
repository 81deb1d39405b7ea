#!/usr/bin/env bash
# The Gmail and Outlook part of `make demo`, against the provider sandbox and the running
# `crmsync serve` (demo.sh passes their URLs and the Gmail push token): Alice connects a Gmail
# mailbox and Bob an Outlook one through OAuth, both are imported, a new message reaches Alice's
# Gmail and its Pub/Sub push marks her account due, and her reply lands in Bob's Outlook inbox.
set -euo pipefail
source "$(dirname "$0")/env.sh"
: "${CRMSYNC_SANDBOX_URL:?}" "${serve_url:?}" "${CRMSYNC_GMAIL_PUSH_TOKEN:?}"
crmsync() { "$top/.build/debug/crmsync" "$@"; }
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" "$@"; }
control() {  # method path [json]: the sandbox's control API, playing the mail providers
  curl -fsS -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$CRMSYNC_SANDBOX_URL/_sandbox/$2"
}
mime() {  # from to subject message-id [in-reply-to]: a small RFC 5322 message as a JSON string
  python3 - "$@" <<'PY'
import json, sys
f, t, s, mid = sys.argv[1:5]
lines = [f"From: {f}", f"To: {t}", f"Subject: {s}", f"Message-ID: <{mid}>", "Date: Tue, 01 Dec 2026 09:00:00 +0000",
         "Content-Type: text/plain; charset=utf-8"]
if len(sys.argv) > 5: lines += [f"In-Reply-To: <{sys.argv[5]}>", f"References: <{sys.argv[5]}>"]
print(json.dumps("\r\n".join(lines) + "\r\n\r\n" + f"{s}: details inside.\r\n"))
PY
}

acme=10000000-0000-4000-8000-000000000001
alice=10000000-0000-4000-8000-0000000000a1
bob=10000000-0000-4000-8000-0000000000b2
run=$(date +%s)
gmail=alice.mail@gmail.example
outlook=bob.mail@outlook.example

echo "== Mail already waiting: two messages in Alice's Gmail, two in Bob's Outlook"
for n in 1 2; do
  control POST "google/users/$gmail/messages" "{\"mime\": $(mime "Initech <sales@initech.example>" "$gmail" "Quote $n" "quote-$n-$run@initech.example")}" >/dev/null
  control POST "microsoft/users/$outlook/messages" "{\"mime\": $(mime "Globex <ops@globex.example>" "$outlook" "Delivery $n" "delivery-$n-$run@globex.example")}" >/dev/null
done

echo "== crmsync mail connect: Alice's Gmail and Bob's Outlook, through OAuth with the mail scopes"
connected=$(crmsync mail connect --provider gmail --user "$alice" --org "$acme" --email "$gmail" --timeout 30)
echo "$connected"
gmail_account=$(echo "$connected" | grep -o 'account [0-9a-f-]*' | cut -d' ' -f2)
connected=$(crmsync mail connect --provider outlook --user "$bob" --org "$acme" --email "$outlook" --timeout 30)
echo "$connected"
outlook_account=$(echo "$connected" | grep -o 'account [0-9a-f-]*' | cut -d' ' -f2)

echo "== The operator's Pub/Sub subscription pushes Gmail's changes to crmsync serve"
control POST google/pubsub "{\"topicName\": \"projects/demo/topics/gmail\", \"pushEndpoint\": \"$serve_url/webhooks/gmail?token=$CRMSYNC_GMAIL_PUSH_TOKEN\"}" >/dev/null

echo "== crmsync mail sync: both imported (Gmail also registers its watch)"
CRMSYNC_GMAIL_PUSH_TOPIC=projects/demo/topics/gmail crmsync mail sync --account "$gmail_account"
crmsync mail sync --account "$outlook_account"

echo "== A customer writes to Alice; Gmail's push reaches crmsync serve, which marks her mailbox due"
sql -c "update public.email_accounts set sync_requested_at = null where id = '$gmail_account'"
control POST "google/users/$gmail/messages" "{\"mime\": $(mime "Initech <sales@initech.example>" "$gmail" "Urgent: revised quote" "urgent-$run@initech.example")}" >/dev/null
due=no
for _ in $(seq 1 50); do
  [ "$(sql -Atc "select sync_requested_at is not null from public.email_accounts where id = '$gmail_account'")" = t ] && { due=yes; break; }
  sleep 0.1
done
[ "$due" = yes ] || { echo "the Gmail push did not reach crmsync serve" >&2; exit 1; }
echo "-- pushed: Alice's mailbox is due; the stored history id decides what is read"
crmsync mail sync --account "$gmail_account"

echo "== Alice replies to Bob's Outlook address from the CRM; it arrives in his inbox"
printf 'Thanks Bob, the revised quote is attached to the CRM record.\n' \
  | crmsync mail send --account "$gmail_account" --to "$outlook" --subject "Revised quote for Globex"
crmsync mail sync --account "$outlook_account"
crmsync mail sync --account "$gmail_account"   # Gmail's Sent copy takes over the outbox's row: one row per message
sql -c "select s.subject, m.direction, a.provider, m.labels
          from public.email_messages m
          join public.email_message_subjects s on s.organization_id = m.organization_id and s.email_message_id = m.id
          join public.email_accounts a on a.organization_id = m.organization_id and a.id = m.email_account_id
         where a.id in ('$gmail_account', '$outlook_account') and m.expunged_at is null
         order by a.provider, m.received_at"
arrived=$(sql -Atc "select count(*) from public.email_messages_visible
                      where email_account_id = '$outlook_account' and subject = 'Revised quote for Globex' and expunged_at is null")
[ "$arrived" = 1 ] || { echo "the reply did not reach Bob's Outlook mailbox" >&2; exit 1; }
