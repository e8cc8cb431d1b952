#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (preset "fuzz", into build-fuzz/) and runs
# each one for SECONDS (default 10) from its seeds: the hand-written ones of
# tests/fuzz/corpus/<target>/ and the fixtures listed in tests/fuzz/seeds.txt. Prints one line per
# target (name, runs, result) and exits non-zero when any target crashed, leaked, hung or ran out
# of memory; the line gives the input that did it, to replay with `<binary> <file>`.
#
#   scripts/fuzz.sh [SECONDS]          CI uses the default; give minutes or hours for a real hunt.
#   FUZZ_BUILD_DIR=dir                 another build directory (default: build-fuzz)
#   FUZZ_TARGETS="slack llm"           only these targets
#   JOBS=n                             build parallelism (default: nproc)
#
# Inputs found along the way stay in <build>/fuzz-corpus/<target>/ and seed the next run.
set -euo pipefail

seconds="${1:-10}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [seconds-per-target]" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${FUZZ_BUILD_DIR:-build-fuzz}"
jobs="${JOBS:-$(nproc)}"

if [ ! -f "$build/build.ninja" ]; then
  cmake --preset fuzz -B "$build" >/dev/null
fi
cmake --build "$build" --target fuzz -j "$jobs"

# Seeds: rebuilt on every run, so that a fixture changed or removed is not fuzzed stale.
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
for dir in tests/fuzz/corpus/*/; do
  target="$(basename "$dir")"
  mkdir -p "$seeds/$target"
  cp "$dir"* "$seeds/$target/"
done
while read -r target letter pattern; do
  case "$target" in '' | '#'*) continue ;; esac
  mkdir -p "$seeds/$target"
  found=0
  for f in $pattern; do
    [ -f "$f" ] || continue
    found=1
    { printf '%s' "$letter"; cat "$f"; } >"$seeds/$target/${letter}_$(echo "$f" | tr '/' '_')"
  done
  if [ "$found" = 0 ]; then
    echo "fuzz.sh: tests/fuzz/seeds.txt: no file matches $pattern" >&2
    exit 2
  fi
done <tests/fuzz/seeds.txt

failed=0
for exe in "$build"/fuzz/fuzz_*; do
  target="${exe##*/fuzz_}"
  if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $target "* ]]; then continue; fi
  corpus="$build/fuzz-corpus/$target"
  crashes="$build/fuzz-crashes/$target"
  log="$build/fuzz-logs/$target.log"
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")" "$seeds/$target"
  # -timeout: one input taking longer is a hang; -rss_limit_mb: a parser must not balloon.
  status=0
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$corpus" "$seeds/$target" >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  if [ "$status" = 0 ]; then
    printf '%-14s runs=%-10s ok\n' "fuzz_$target" "${runs:-?}"
  else
    failed=1
    input="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)"
    why="$(grep -m1 -E '^SUMMARY:|ERROR: libFuzzer:|==ERROR:' "$log" || echo "exit status $status")"
    printf '%-14s runs=%-10s FAILED: %s; input: %s; log: %s\n' "fuzz_$target" "${runs:-?}" "$why" \
      "${input:-none}" "$log"
    tail -n 40 "$log" | sed 's/^/    | /'
  fi
done
exit "$failed"
