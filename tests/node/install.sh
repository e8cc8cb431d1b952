#!/usr/bin/env bash
# Installs the pinned packages of tests/node with `npm ci`, once: skipped when node_modules was
# installed from the current package-lock.json (a stamp holds its checksum). Serialised with flock,
# so the ctest driver and bench_slack_events can share the folder. npm's own output goes to stderr.
# Usage: install.sh [TESTS_NODE_DIR]   Exit 1 when npm ci fails (registry unreachable, bad lock).
set -euo pipefail
cd "${1:-$(dirname "$0")}"
stamp=node_modules/.alertbot-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
exec 9<package-lock.json
flock 9
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "install.sh: npm ci in $(pwd)" >&2
if ! timeout 240 npm ci --no-audit --no-fund --fetch-retries=2 --fetch-timeout=30000 >&2; then
  echo "install.sh: npm ci failed: is the npm registry reachable?" >&2
  exit 1
fi
echo "$want" >"$stamp"
