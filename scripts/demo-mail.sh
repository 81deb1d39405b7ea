#!/usr/bin/env bash
# The mail half of `make demo`: a local Dovecot and SMTP server stand in for iCloud or any IMAP
# provider. Alice's mailbox is connected (the login is checked before anything is stored), its
# mail imported, a reply sent that lands in Bob's INBOX and in Alice's Sent folder, and the mail
# monitoring queries shown. Servers this script started are stopped when it ends.
set -euo pipefail
source "$(dirname "$0")/env.sh"
crmsync() { "$top/.build/debug/crmsync" "$@"; }
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" "$@"; }

base_port=${CRMSYNC_MAIL_PORT:-10143}
if ! { exec 3<>"/dev/tcp/127.0.0.1/$base_port"; } 2>/dev/null; then
  trap '"$top/scripts/mail-servers.sh" stop' EXIT
else
  exec 3>&-
fi
echo "== mail servers (Dovecot IMAP and an SMTP server delivering into it, on loopback)"
eval "$("$top/scripts/mail-servers.sh" start)"
export CRMSYNC_MAIL_CA_FILE=$CRMSYNC_TEST_MAIL_CA   # their self-signed certificate, trusted for this demo only
doveadm() { command doveadm -c "$CRMSYNC_TEST_DOVECOT_CONF" "$@"; }

acme=10000000-0000-4000-8000-000000000001
alice=10000000-0000-4000-8000-0000000000a1
run=$(date +%s)
echo "-- Bob has written to Alice (three messages, one with an attachment and a German subject)"
for n in 1 2 3; do
  printf '%s\r\n' "From: Bob <bob@example.test>" "To: Alice <alice@example.test>" \
    "Subject: =?UTF-8?Q?Angebot_f=C3=BCr_St=C3=BChle_$n?=" "Message-ID: <offer-$n-$run@example.test>" \
    "Date: $(date -R)" "MIME-Version: 1.0" "Content-Type: multipart/mixed; boundary=b" "" \
    "--b" "Content-Type: text/plain; charset=utf-8" "" "Offer $n: twelve chairs." \
    "--b" "Content-Type: application/pdf; name=offer-$n.pdf" "Content-Transfer-Encoding: base64" "" "JVBERi0xLjQK" "--b--" \
    | doveadm save -u alice@example.test -m INBOX
done
echo

echo "== crmsync mail connect --provider imap (password from the environment, never argv)"
connected=$(DEMO_MAIL_PASSWORD=secret crmsync mail connect --provider imap --user "$alice" --org "$acme" \
  --email alice@example.test --display-name "Alice Example" \
  --imap-host 127.0.0.1 --imap-port "$CRMSYNC_TEST_IMAPS_PORT" --imap-security tls \
  --smtp-host 127.0.0.1 --smtp-port "$CRMSYNC_TEST_SMTP_PORT" --smtp-security starttls --password-env DEMO_MAIL_PASSWORD)
echo "$connected"
mail_account=$(echo "$connected" | grep -o 'account [0-9a-f-]*' | cut -d' ' -f2)
echo "-- a wrong password is refused and nothing is stored:"
DEMO_MAIL_PASSWORD=wrong crmsync mail connect --provider imap --user "$alice" --org "$acme" --email alice@example.test \
  --imap-host 127.0.0.1 --imap-port "$CRMSYNC_TEST_IMAPS_PORT" --smtp-host 127.0.0.1 --smtp-port "$CRMSYNC_TEST_SMTP_PORT" \
  --password-env DEMO_MAIL_PASSWORD || true
echo

echo "== crmsync mail sync: INBOX and Sent imported (read-only: nothing is marked read)"
crmsync mail sync --account "$mail_account"
sql -c "select s.subject, m.from_address, m.is_read, m.has_attachments, m.direction
          from public.email_messages m
          join public.email_message_subjects s on s.organization_id = m.organization_id and s.email_message_id = m.id
         where m.email_account_id = '$mail_account' and m.internet_message_id like '%-$run@example.test' order by 1"
echo

echo "== crmsync mail send: Alice replies to offer 2 (In-Reply-To and References keep the thread)"
echo "Thank you, Bob: we take the twelve chairs. Alice" \
  | crmsync mail send --account "$mail_account" --to bob@example.test --reply-to "<offer-2-$run@example.test>"
reply_id=$(sql -Atc "select message_id from public.email_outbox where email_account_id = '$mail_account' order by created_at desc limit 1")
for _ in $(seq 1 50); do
  [ -n "$(doveadm search -u bob@example.test mailbox INBOX header Message-ID "$reply_id")" ] && break
  sleep 0.1
done
echo "-- in Bob's INBOX:"
doveadm fetch -u bob@example.test 'hdr.in-reply-to hdr.references' mailbox INBOX header Message-ID "$reply_id"
echo "-- in Alice's Sent folder: $(doveadm search -u alice@example.test mailbox Sent header Message-ID "$reply_id" | wc -l) copy"
crmsync mail sync --account "$mail_account"
sql -c "select subject, direction, sent_at is not null as sent from public.email_messages_visible
         where email_account_id = '$mail_account' and internet_message_id = '$reply_id'"
echo

echo "== mail monitoring"
sql -x -c "select * from public.email_account_health where id = '$mail_account'"
sql -c "select * from public.recent_email_sync_errors limit 5"
