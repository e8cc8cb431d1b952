#!/usr/bin/env bash
# Runs every benchmark with its defaults (what `make bench` runs: BUILD_DIR/bench/bench_*), keeps
# each one's JSON in SAVE_DIR/<name>.json (and shows it on stderr as it comes), and prints a
# Markdown table (bench, metric, value) of the headline numbers for the README on stdout. With
# --from DIR it runs nothing and tabulates the JSON saved in DIR by an earlier run. A bench that
# fails still gets its JSON kept and tabulated (its exit status goes to stderr). Needs jq.
# Usage: scripts/bench-table.sh [--build BUILD_DIR (build)] [--save SAVE_DIR (BUILD_DIR/bench-results)]
#                               [--from DIR]
set -euo pipefail

build=build
save=""
from=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --save) save="$2"; shift 2 ;;
    --from) from="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "bench-table.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v jq >/dev/null || { echo "bench-table.sh: jq is needed (apt-get install jq)" >&2; exit 2; }

if [[ -z "$from" ]]; then
  save="${save:-$build/bench-results}"
  mkdir -p "$save"
  found=0
  for b in "$build"/bench/bench_*; do
    [[ -x "$b" ]] || continue
    found=1
    name="${b##*/bench_}"
    echo "bench-table.sh: running bench_$name" >&2
    start=$SECONDS
    status=0
    "$b" >"$save/$name.json" || status=$?
    cat "$save/$name.json" >&2
    echo "bench-table.sh: bench_$name took $((SECONDS - start)) s, exit status $status" >&2
  done
  [[ $found -eq 1 ]] || { echo "bench-table.sh: no benchmarks in $build/bench (build first)" >&2; exit 1; }
  from="$save"
fi

# One row per headline number; a bench not listed here gets every numeric field.
read -r -d '' rows <<'JQ' || true
def r($m; $v): "| \(.bench) | \($m) | \($v // "-") |";
def slash($a; $b): "\($a // "-") / \($b // "-")";
if .bench == "slack_events" then
  r("events/s, alertbot vs Bolt"; slash(.alertbot.events_per_s; .bolt.events_per_s)),
  r("ack p50 µs, alertbot vs Bolt"; slash(.alertbot.ack_us.p50; .bolt.ack_us.p50)),
  r("ack p99 µs, alertbot vs Bolt"; slash(.alertbot.ack_us.p99; .bolt.ack_us.p99)),
  r("events/s ratio (alertbot / Bolt)"; .ratio.events_per_s?)
elif .bench == "alert_path" then
  r("alerts"; .alerts),
  r("ack p50 / p99 µs"; slash(.ack_us.p50; .ack_us.p99)),
  r("placeholder p50 / p99 µs"; slash(.first_reply_us.p50; .first_reply_us.p99)),
  r("report ready p50 / p99 ms"; slash(.report_ms.p50; .report_ms.p99))
elif .bench == "alert_storm" then
  r("alerts / groups / seconds"; "\(.alerts) / \(.groups) / \(.storm_s)"),
  r("hook acks 200 of requests"; "\(.hook_status["200"] // 0) of \(.requests)"),
  r("hook ack p50 / p99 µs"; slash(.hook_ack_us.p50; .hook_ack_us.p99)),
  r("ingest alerts/s"; .ingest_alerts_per_s),
  r("reports within \(.wait_s) s after the storm"; "\(.reports) of \(.groups)"),
  r("groups posted twice"; .groups_posted_twice),
  r("first report after s"; (.first_report_s // "none within the run")),
  r("all reported after s"; (.all_reported_s // "not within the run")),
  r("Slack floor for the storm's posts, s"; .slack_floor_s),
  r("peak RSS / growth MiB"; slash(.rss_mib.peak_getrusage; .rss_mib.growth))
elif .bench == "critical_path" then
  (.sweep[] as $s | r("report / slowest source at \($s.slowest_source_ms) ms"; "\($s.ratio) (\($s.report_ms) ms)"))
elif .bench == "pipeline" then
  r("total p50 ms (slowest source \(.slowest_source_ms) ms)"; .total_ms.p50),
  r("total / slowest source"; .ratio_p50),
  r("analysis p50 ms (\(.spans) spans)"; .analysis_ms.p50)
elif .bench == "trace_diff" then
  r("spans/s"; (.spans_per_second | floor)),
  r("seconds for \(.spans) spans"; (.seconds * 1000 | round / 1000))
elif .bench == "job_queue" then
  (["sqlite", "postgres"][] as $b |
    if (.[$b] | type) == "object" and (.[$b].error | not) then
      r("\($b): claim+complete jobs/s (\(.claimers) workers)"; .[$b].claim_complete_per_s),
      r("\($b): enqueue jobs/s"; .[$b].enqueue_per_s),
      r("\($b): claimed twice / never"; slash(.[$b].claimed_twice; .[$b].never_claimed))
    else r($b; (.[$b] | if type == "object" then .error else . end)) end)
else
  (paths(numbers) as $p | r($p | map(tostring) | join("."); getpath($p)))
end
JQ

echo "| bench | metric | value |"
echo "| --- | --- | --- |"
for f in "$from"/*.json; do
  [[ -s "$f" ]] || { echo "| ${f##*/} | (no output) | - |"; continue; }
  jq -r "$rows" "$f" 2>/dev/null || echo "| ${f##*/} | (not JSON) | - |"
done
