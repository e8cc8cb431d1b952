#!/usr/bin/env bash
# The official Slack Node SDK against the workspace emulator (ctest `node_sdk`): installs the
# pinned packages of tests/node with `npm ci` (skipped when node_modules already matches the lock
# file), starts slack_emulator on a free port, runs tests/node/sdk_scenario.js against it, and
# stops the emulator (which must exit 0: a graceful stop). Fails, never skips, when Node.js is
# missing or the npm registry cannot be reached. On Node.js older than 20.18.1 (Debian bookworm
# ships 18) it runs the same scenario with the last SDK releases for Node 18, pinned in
# tests/node/node18 (ALERTBOT_NODE_SDK=node18 forces that set).
# Usage: node_sdk_test.sh SLACK_EMULATOR_BINARY SOURCE_DIR
set -euo pipefail

emulator_bin=${1:?usage: node_sdk_test.sh SLACK_EMULATOR_BINARY SOURCE_DIR}
node_dir=${2:?usage: node_sdk_test.sh SLACK_EMULATOR_BINARY SOURCE_DIR}/tests/node

die() {
  echo "node_sdk_test: FAIL: $*" >&2
  exit 1
}

command -v node >/dev/null || die "node is not on PATH (scripts/install-deps.sh installs Node.js and npm)"
command -v npm >/dev/null || die "npm is not on PATH (scripts/install-deps.sh installs Node.js and npm)"
# @slack/socket-mode 3.x runs on undici 7, which needs Node.js 20.18.1 or later; older Node.js
# gets socket-mode 2.x and web-api 7.x (tests/node/node18), found through NODE_PATH.
packages_dir=$node_dir
if [ "${ALERTBOT_NODE_SDK:-}" = node18 ] ||
  ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 18) ? 0 : 1)'; then
  packages_dir=$node_dir/node18
  echo "node_sdk_test: node $(node --version): using the Node 18 SDK set in $packages_dir"
fi
[ "$(node -e 'console.log(process.versions.node.split(".")[0])')" -ge 18 ] || die "node $(node --version) is too old: the SDK needs Node.js 18 or later"

bash "$(dirname "$0")/node/install.sh" "$packages_dir" || die "npm ci failed in $packages_dir (see above; is the npm registry reachable?)"

scratch=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill -TERM "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

mkfifo "$scratch/ready"
"$emulator_bin" --port 0 >"$scratch/ready" 2>"$scratch/emulator.log" &
emulator_pid=$!
exec 3<"$scratch/ready"
line=""
read -t 10 -r line <&3 || die "slack_emulator printed no address within 10 s: $(cat "$scratch/emulator.log")"
echo "node_sdk_test: emulator at $line"

status=0
EMULATOR="$line" NODE_PATH="$packages_dir/node_modules" timeout 150 node "$node_dir/sdk_scenario.js" || status=$?

kill -TERM "$emulator_pid"
emulator_status=0
wait "$emulator_pid" || emulator_status=$?
emulator_pid=""
if [ -s "$scratch/emulator.log" ]; then
  echo "--- slack_emulator log"
  cat "$scratch/emulator.log"
fi
[ "$status" -eq 0 ] || die "the Node scenario failed (exit $status)"
[ "$emulator_status" -eq 0 ] || die "slack_emulator did not stop cleanly on SIGTERM (exit $emulator_status)"
echo "node_sdk_test: PASS"
