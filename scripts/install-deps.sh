#!/usr/bin/env bash
# Installs the Debian packages crmsync needs and a fresh machine may lack, and nothing else:
# libpq (client library and headers), libcurl (FoundationNetworking's HTTP), the PostgreSQL
# server binaries (the throwaway cluster), psql and curl (the demo) and pkg-config; and the
# loopback mail servers of scripts/mail-servers.sh for the mail tests and the demo: Dovecot's
# IMAP and LMTP daemons, and aiosmtpd for the system python3 (the SMTP capture server); wrk, the
# HTTP load generator of `make bench-scale`. Only
# as root; otherwise it names what is missing.
set -euo pipefail

wanted=(libpq-dev libcurl4-openssl-dev pkg-config postgresql postgresql-contrib postgresql-client curl
  dovecot-imapd dovecot-lmtpd python3-aiosmtpd openssl wrk)
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root or install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
