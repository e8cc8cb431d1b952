#!/usr/bin/env bash
# tidy.sh [BUILD_DIR] [FILE_REGEX]: runs clang-tidy (14) with the checks in .clang-tidy over the
# project's own sources (net slack investigators llm store bot tests bench) and their headers.
# BUILD_DIR must hold compile_commands.json (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON;
# default: build). FILE_REGEX narrows the translation units (default: all project sources).
# JOBS sets parallel clang-tidy instances (default 1). TIDY_BASE=<git revision> checks only the
# translation units changed since that revision, plus those that include a changed header directly
# (a full run costs about 13 CPU-seconds per translation unit). Prints each finding once, then
# exits 1 when there is any finding, 2 when it could not run, 0 when clean (or nothing changed).
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$src/build}
jobs=${JOBS:-1}

if [[ ! -f $build/compile_commands.json ]]; then
  echo "tidy.sh: $build/compile_commands.json missing; configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON" >&2
  exit 2
fi
tidy=$(command -v clang-tidy-14 || command -v clang-tidy) || { echo "tidy.sh: clang-tidy not found" >&2; exit 2; }
runner=$(command -v run-clang-tidy-14 || command -v run-clang-tidy) || { echo "tidy.sh: run-clang-tidy not found" >&2; exit 2; }

# The checkout path as a regex (escape the characters regexes treat specially).
src_re=$(printf '%s' "$src" | sed 's/[][\.*^$+?(){}|]/\\&/g')
dirs='(net|slack|investigators|llm|store|bot|tests|bench)'
files=${2:-"^$src_re/$dirs/"}

if [[ -n ${TIDY_BASE:-} && -z ${2:-} ]]; then
  changed=$(git -C "$src" diff --name-only "$TIDY_BASE" -- '*.cpp' '*.hpp') || exit 2
  changed+=$'\n'$(git -C "$src" ls-files --others --exclude-standard -- '*.cpp' '*.hpp')
  tus=()
  while read -r f; do
    [[ -n $f && -f $src/$f ]] || continue
    case $f in
      *.cpp) tus+=("$f") ;;
      *.hpp) while read -r user; do tus+=("$user"); done < <(cd "$src" && grep -rlF --include='*.cpp' "#include \"$f\"" net slack investigators llm store bot tests bench 2>/dev/null) ;;
    esac
  done <<<"$changed"
  if (( ${#tus[@]} == 0 )); then
    echo "tidy.sh: nothing changed since $TIDY_BASE" >&2
    exit 0
  fi
  alternatives=$(printf '%s\n' "${tus[@]}" | sort -u | sed 's/[][\.*^$+?(){}|]/\\&/g' | paste -sd'|')
  files="^$src_re/($alternatives)\$"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
# The compile database comes from GCC: -Wno-unknown-warning-option for its GCC-only -W flags, and
# -Wno-error so that clang's own extra compiler warnings (GCC builds the project; -Werror is GCC's
# job) are not reported as errors; only the checks in .clang-tidy are findings.
"$runner" -clang-tidy-binary "$tidy" -p "$build" -j "$jobs" -quiet \
  -header-filter="^$src_re/$dirs/" \
  -extra-arg=-Wno-unknown-warning-option -extra-arg=-Wno-error \
  "$files" >"$log" 2>&1
runner_rc=$?
secs=$(( $(date +%s) - start ))

# run-clang-tidy always asks for colour: strip it. A header's finding is reported once per
# translation unit that includes it: keep one of each.
sed -i 's/\x1b\[[0-9;]*m//g' "$log"
findings=$(grep -E '^/.*:[0-9]+:[0-9]+: (warning|error): ' "$log" | sort -u)
count=$(printf '%s' "$findings" | grep -c . || true)
if (( count > 0 )); then
  printf '%s\n' "$findings"
  echo "tidy.sh: $count finding(s) in ${secs}s" >&2
  exit 1
fi
if (( runner_rc != 0 )); then
  # No parsable finding but the runner failed (a crash, a missing file): show its output.
  cat "$log" >&2
  echo "tidy.sh: run-clang-tidy failed (rc=$runner_rc) after ${secs}s" >&2
  exit 2
fi
echo "tidy.sh: clean in ${secs}s" >&2
