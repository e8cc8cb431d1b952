#!/usr/bin/env bash
# The official Slack Node SDK against the workspace emulator (ctest `node_sdk`): installs the
# pinned packages of tests/node with `npm ci` (skipped when node_modules already matches the lock
# file), starts slack_emulator on a free port, runs tests/node/sdk_scenario.js against it, and
# stops the emulator (which must exit 0: a graceful stop). Fails, never skips, when Node.js is
# missing or too old or the npm registry cannot be reached.
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
# @slack/socket-mode 3.x runs on undici 7, which needs Node.js 20.18.1 or later.
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 18) ? 0 : 1)' ||
  die "node $(node --version) is too old: the pinned @slack packages need Node.js >= 20.18.1"

bash "$(dirname "$0")/node/install.sh" "$node_dir" || die "npm ci failed in $node_dir (see above; is the npm registry reachable?)"

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
EMULATOR="$line" timeout 150 node "$node_dir/sdk_scenario.js" || status=$?

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
