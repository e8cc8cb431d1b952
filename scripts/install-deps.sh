#!/usr/bin/env bash
# Installs every Debian package that building, testing and the demo need. Idempotent: when all
# packages are present it only checks (well under a second) and changes nothing.
# Boost comes as the 1.81 -dev packages; never libboost-dev/libboost-all-dev (1.74, conflicting).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libcurl4-openssl-dev openssl ca-certificates
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libsqlite3-dev libyaml-cpp-dev libpq-dev libpqxx-dev
  libcairo2-dev fonts-dejavu-core tzdata sqlite3 jq
  clang lld libclang-rt-14-dev
  postgresql prometheus prometheus-alertmanager
  chromium  # the report page browser test (tests/node/report_page_check.mjs, headless via playwright-core)
)

# Node.js and npm run the official Slack SDK test and the Bolt side of bench_slack_events
# (tests/node). A machine that already has `node` on PATH keeps it; otherwise Debian's is
# installed. The pinned @slack packages need Node.js >= 20.18.1: Debian bookworm's nodejs is 18,
# so there the node_sdk test fails and the benchmark leaves the Bolt side out, each saying why.
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
