#!/usr/bin/env bash
# The mail part of `make demo` over HTTP, against the running `crmsync serve` (demo.sh passes
# its URL) with minted JWTs: Alice lists her mailboxes and messages and searches them; Bob, her
# colleague, reads her Gmail at each sharing level she picks (private, metadata, subject, full);
# Hank of another organization gets 404; Alice sends with an Idempotency-Key, twice, and the
# message goes out once.
set -euo pipefail
source "$(dirname "$0")/env.sh"
: "${serve_url:?}"
source "$top/scripts/demo-api.sh"
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" "$@"; }
crmsync() { "$top/.build/debug/crmsync" "$@"; }
json() {  # python code reading the JSON on stdin as d
  python3 -c "import json, sys
d = json.load(sys.stdin)
$1"
}

acme=10000000-0000-4000-8000-000000000001
alice=10000000-0000-4000-8000-0000000000a1
bob=10000000-0000-4000-8000-0000000000b2
globex=20000000-0000-4000-8000-000000000001
hank=20000000-0000-4000-8000-0000000000b2
gmail_account=$(sql -Atc "select id from public.email_accounts where organization_id = '$acme' and email = 'alice.mail@gmail.example'")
[ -n "$gmail_account" ] || { echo "Alice's Gmail mailbox is not connected (demo-mail-api.sh runs first)" >&2; exit 1; }

echo "== The mail API as Alice (Acme)"
echo "-- GET /v1/mail/accounts"
api "$alice" "$acme" GET /v1/mail/accounts \
  | json 'for a in d["accounts"]: print("  ", a["provider"], a["email"], a["status"], "sharing:", a["sharing_level"])'
echo "-- GET /v1/mail/messages?account=…&limit=3 (newest first, keyset pages)"
page=$(api "$alice" "$acme" GET "/v1/mail/messages?account=$gmail_account&limit=3")
echo "$page" | json 'print("\n".join("   %s | %s | %s" % (m["received_at"], m["from"], m["subject"]) for m in d["messages"])); print("   next_cursor:", "yes" if d.get("next_cursor") else "no")'
echo "-- GET /v1/mail/messages?q=quote (full-text search)"
api "$alice" "$acme" GET "/v1/mail/messages?q=quote&account=$gmail_account" | json 'print("  ", len(d["messages"]), "messages:", sorted({m["subject"] for m in d["messages"]}))'
message=$(echo "$page" | json 'print(d["messages"][0]["id"])')
echo "-- GET /v1/mail/messages/{id}: $(api "$alice" "$acme" GET "/v1/mail/messages/$message" | json 'print(d["subject"], "| body:", (d.get("body_text") or "").strip()[:50])')"
echo "-- all mail with a contact: GET /v1/mail/messages?participant=sales@initech.example"
api "$alice" "$acme" GET "/v1/mail/messages?participant=sales@initech.example" | json 'print("  ", len(d["messages"]), "messages from or to sales@initech.example")'

echo "== Bob (Acme member) reads Alice's Gmail at each sharing level she chooses"
for level in private metadata subject full; do
  api "$alice" "$acme" PATCH "/v1/mail/accounts/$gmail_account" "{\"sharing_level\":\"$level\"}" >/dev/null
  listed=$(api "$bob" "$acme" GET "/v1/mail/messages?account=$gmail_account&limit=1")
  shown=$(api "$bob" "$acme" GET "/v1/mail/messages/$message")
  printf '  %-8s list: %s\n           show: %s\n' "$level" \
    "$(echo "$listed" | json 'm = d.get("messages"); print("404 " + d["error"]["code"] if m is None else "access=%s from=%s subject=%s" % (m[0]["access"], m[0]["from"], m[0]["subject"]))')" \
    "$(echo "$shown" | json 'print("404 " + d["error"]["code"] if "error" in d else "subject=%s body=%s" % (d["subject"], "yes" if d.get("body_text") else "none"))')"
done
api "$alice" "$acme" PATCH "/v1/mail/accounts/$gmail_account" '{"sharing_level":"private"}' >/dev/null
echo "-- Hank (Globex) asks for the same message: $(api "$hank" "$globex" GET "/v1/mail/messages/$message")"
echo "-- Hank forging Acme's header: $(api "$hank" "$acme" GET "/v1/mail/messages/$message")"

echo "== Alice sends through the API with an Idempotency-Key; the retry is answered, not sent again"
key="demo-$(date +%s%N)"
send() {
  curl -sS -D "$top/.local/send-headers" -X POST -H "Authorization: Bearer $(token "$alice")" -H "X-Organization-Id: $acme" \
    -H "Idempotency-Key: $key" -H 'Content-Type: application/json' \
    --data "{\"account_id\":\"$gmail_account\",\"to\":[\"sales@initech.example\"],\"subject\":\"Re: Quote 1\",\"text\":\"Confirmed, thank you.\",\"reply_to\":\"$message\"}" \
    "$serve_url/v1/mail/messages"
}
first=$(send); second=$(send)
replayed=$(grep -i '^idempotent-replayed' "$top/.local/send-headers" | tr -d '\r' || true)
echo "   first:  $(echo "$first" | json 'print(d["id"], d["status"])')"
echo "   second: $(echo "$second" | json 'print(d["id"], d["status"])') (${replayed:-no replay header})"
[ "$(echo "$first" | json 'print(d["id"])')" = "$(echo "$second" | json 'print(d["id"])')" ] \
  || { echo "the same Idempotency-Key made two outbox entries" >&2; exit 1; }
outbox=$(echo "$first" | json 'print(d["id"])')
crmsync mail sync --account "$gmail_account" >/dev/null
echo "-- GET /v1/mail/outbox/{id} after the worker's run: $(api "$alice" "$acme" GET "/v1/mail/outbox/$outbox" | json 'print(d["status"], "attempts:", d["attempts"])')"
echo "-- Bob asks for Alice's outbox entry: $(api "$bob" "$acme" GET "/v1/mail/outbox/$outbox")"
