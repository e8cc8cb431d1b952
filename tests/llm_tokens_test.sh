#!/usr/bin/env bash
# llm/token_estimate against the real tokenizers (ctest `llm_tokens`): installs the pinned
# js-tiktoken of tests/llm_tokens with `npm ci` (skipped when node_modules already matches the
# lock file), counts the tokens of every tests/data/token_corpus sample with cl100k_base and
# o200k_base, runs token_estimate_tool on the same samples and compares (tests/llm_tokens/
# compare.js): fails when any estimate is more than 10% under a real count. Fails, never skips,
# when Node.js is missing or the npm registry cannot be reached.
# Usage: llm_tokens_test.sh TOKEN_ESTIMATE_TOOL SOURCE_DIR
set -euo pipefail

tool=${1:?usage: llm_tokens_test.sh TOKEN_ESTIMATE_TOOL SOURCE_DIR}
source_dir=${2:?usage: llm_tokens_test.sh TOKEN_ESTIMATE_TOOL SOURCE_DIR}
node_dir=$source_dir/tests/llm_tokens
corpus=$source_dir/tests/data/token_corpus

die() {
  echo "llm_tokens_test: FAIL: $*" >&2
  exit 1
}

command -v node >/dev/null || die "node is not on PATH (scripts/install-deps.sh installs Node.js and npm)"
command -v npm >/dev/null || die "npm is not on PATH (scripts/install-deps.sh installs Node.js and npm)"
[ "$(node -e 'console.log(process.versions.node.split(".")[0])')" -ge 18 ] || die "node $(node --version) is too old: js-tiktoken needs Node.js 18 or later"

bash "$source_dir/tests/node/install.sh" "$node_dir" || die "npm ci failed in $node_dir (see above; is the npm registry reachable?)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

node "$node_dir/real_counts.js" "$corpus" >"$scratch/real.json" || die "real_counts.js failed"
"$tool" "$corpus" >"$scratch/estimates.tsv" || die "token_estimate_tool failed"
node "$node_dir/compare.js" "$scratch/real.json" "$scratch/estimates.tsv" || die "an estimate is more than 10% under the real count (table above)"
echo "llm_tokens_test: PASS"
