#!/usr/bin/env bash
# `make test`: the same set-up as the demo, then every test against the real database.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$top"
swift build --build-tests
swift test --skip-build "$@"
