#!/usr/bin/env bash
# `make demo`: migrate, load the demo data, audit the policies, run the console queries.
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
echo "== crmsync console"
crmsync console
