#!/usr/bin/env bash
# The alertbot command line as users and scripts see it: exit codes, --help, check-config on the
# shipped example and on a misspelled copy, commands not available yet, and the offline demo.
# Usage: cli_test.sh ALERTBOT_BINARY SOURCE_DIR
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

check() {  # check NAME EXPECTED_EXIT COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL $name: exit $got, wanted $want"; echo "--- stdout"; cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

expect_in() {  # expect_in NAME FILE TEXT
  if ! grep -qF -- "$3" "$2"; then
    echo "FAIL $1: '$3' not in $(basename "$2")"; cat "$2"; failures=$((failures + 1))
  fi
}

for cmd in run demo investigate digest check-config migrate mcp version; do
  check "$cmd --help" 0 "$bin" "$cmd" --help
  expect_in "$cmd --help prints usage" "$tmp/out" "alertbot $cmd"
done
check "no command is a usage error" 2 "$bin"
check "unknown command" 2 "$bin" frobnicate
check "unknown option" 2 "$bin" check-config --config x --nope
check "version" 0 "$bin" version
expect_in "version text" "$tmp/out" "alertbot 0."
check "mcp without --config" 2 "$bin" mcp </dev/null
check "mcp on empty input exits 0" 0 "$bin" mcp --config "$src/deploy/alertbot.example.yaml" </dev/null
if [ -s "$tmp/out" ]; then echo "FAIL mcp wrote to stdout without a request"; cat "$tmp/out"; failures=$((failures + 1)); fi

env -u SLACK_BOT_TOKEN -u SLACK_APP_TOKEN -u SLACK_SIGNING_SECRET \
  "$bin" check-config --config "$src/deploy/alertbot.example.yaml" >"$tmp/out" 2>"$tmp/err"
if [ $? != 0 ]; then echo "FAIL check-config on the example"; cat "$tmp/err"; failures=$((failures + 1)); else echo "ok   check-config on the example"; fi
expect_in "check-config prints the resolved config" "$tmp/out" "services:"

# The config baked into the container image loads with nothing but its defaults.
env -u SLACK_BOT_TOKEN -u SLACK_APP_TOKEN -u ALERTBOT_STORE_URL \
  "$bin" check-config --config "$src/deploy/docker/alertbot.yaml" >"$tmp/out" 2>"$tmp/err"
if [ $? != 0 ]; then echo "FAIL check-config on the image's config"; cat "$tmp/err"; failures=$((failures + 1)); else echo "ok   check-config on the image's config"; fi

SLACK_BOT_TOKEN=xoxb-cli-test-secret-token "$bin" check-config --config "$src/deploy/alertbot.example.yaml" >"$tmp/out" 2>&1
if grep -q "xoxb-cli-test-secret-token" "$tmp/out"; then echo "FAIL check-config printed a secret"; failures=$((failures + 1)); else echo "ok   check-config masks secrets"; fi

sed 's/^\(  *\)bot_token:/\1bot_tokn:/' "$src/deploy/alertbot.example.yaml" >"$tmp/misspelled.yaml"
line=$(grep -n "bot_tokn:" "$tmp/misspelled.yaml" | head -1 | cut -d: -f1)
check "check-config with a misspelled key" 1 "$bin" check-config --config "$tmp/misspelled.yaml"
expect_in "the error names the file, line and key" "$tmp/err" "$tmp/misspelled.yaml:$line: slack.bot_tokn"

# Secrets come only from the environment or files: `run` refuses one written in the file, naming
# the file, line, key and fix (before connecting anywhere); check-config only notes it.
cat >"$tmp/literal.yaml" <<YAML
store: { url: "sqlite://$tmp/literal.db" }
slack: { app_token: '\${CLI_TEST_APP_TOKEN}', bot_token: xoxb-cli-literal-secret }
YAML
CLI_TEST_APP_TOKEN=xapp-from-env check "run refuses a secret written in the file" 2 "$bin" run --config "$tmp/literal.yaml"
cat "$tmp/out" "$tmp/err" >"$tmp/all"
expect_in "the refusal names the file, line and key" "$tmp/all" "$tmp/literal.yaml:2: slack.bot_token: a secret is written in the file"
expect_in "the refusal says how to fix it" "$tmp/all" 'write bot_token: ${SLACK_BOT_TOKEN} or bot_token_file: <path>'
if grep -q "xoxb-cli-literal-secret" "$tmp/all"; then echo "FAIL the refusal printed the secret"; failures=$((failures + 1)); fi
if grep -q "app_token" "$tmp/all"; then echo "FAIL a secret from the environment was refused"; cat "$tmp/all"; failures=$((failures + 1)); fi
CLI_TEST_APP_TOKEN=xapp-from-env check "check-config accepts a secret written in the file" 0 "$bin" check-config --config "$tmp/literal.yaml"
expect_in "check-config notes what run would refuse" "$tmp/err" "note: \`alertbot run\` would refuse: $tmp/literal.yaml:2: slack.bot_token"

check "check-config without --config" 2 "$bin" check-config
check "check-config on a missing file" 1 "$bin" check-config --config "$tmp/nope.yaml"

cat >"$tmp/store.yaml" <<YAML
store: { url: "sqlite://$tmp/cli.db" }
YAML
check "migrate" 0 "$bin" migrate --config "$tmp/store.yaml"
expect_in "migrate prints the version" "$tmp/out" "schema version"

# The digest of a week seeded straight into the migrated database (UTC: no digest section).
check "digest rejects a bad --week" 2 "$bin" digest --config "$tmp/store.yaml" --week 2026-47
check "digest rejects a bad --format" 2 "$bin" digest --config "$tmp/store.yaml" --format yaml
check "digest --post needs a digest channel" 1 "$bin" digest --config "$tmp/store.yaml" --post
if command -v sqlite3 >/dev/null; then
  sqlite3 "$tmp/cli.db" <<'SQL'
INSERT INTO alerts (source, name, status, severity, service, fingerprint, group_key, labels_json, annotations_json,
                    starts_at, event_key, received_at) VALUES
  ('alertmanager', 'HighLatency', 'firing', 'critical', 'checkout', 'fpA', 'gA', '{}', '{}', 1794909600000, '', 1794909600000),
  ('alertmanager', 'HighLatency', 'firing', 'critical', 'checkout', 'fpA', 'gA', '{}', '{}', 1794909600000, '', 1794909900000),
  ('alertmanager', 'HighLatency', 'firing', 'critical', 'checkout', 'fpA', 'gA', '{}', '{}', 1794996000000, '', 1794996000000),
  ('alertmanager', 'HighLatency', 'firing', 'critical', 'checkout', 'fpA', 'gA', '{}', '{}', 1795082400000, '', 1795082400000);
INSERT INTO investigations (service, trigger_kind, requested_by, status, report_json, error, created_at, first_reply_at,
                            finished_at, llm_calls, llm_prompt_tokens, llm_completion_tokens, llm_cost_usd, llm_ms)
  VALUES ('checkout', 'alert', '', 'done', '{}', '', 1794909660000, 1794909662000, 1794909690000, 2, 1200, 300, 0.25, 900);
INSERT INTO feedback (investigation_id, user_id, verdict, comment, created_at) VALUES (1, 'U1', 'helpful', '', 1794909900000);
SQL
  check "digest --week --format json" 0 "$bin" digest --config "$tmp/store.yaml" --week 2026-W47 --format json
  expect_in "digest json names the week" "$tmp/out" '"week":"2026-W47"'
  expect_in "digest counts episodes, not repeats" "$tmp/out" '"alerts":{"total":3,"notifications":4'
  expect_in "digest has the median first reply" "$tmp/out" '"median_first_reply_ms":2000'
  expect_in "digest has the median report time" "$tmp/out" '"median_report_ms":30000'
  expect_in "digest has the flapping alert" "$tmp/out" '"fingerprint":"fpA","flaps":2'
  expect_in "digest has the LLM usage" "$tmp/out" '"calls":2,"prompt_tokens":1200,"completion_tokens":300'
  expect_in "digest has the helpful verdict" "$tmp/out" '"feedback":{"helpful":1,"wrong":0'
  check "digest text" 0 "$bin" digest --config "$tmp/store.yaml" --week 2026-W47
  expect_in "digest text counts alerts" "$tmp/out" "Alerts: 3 (4 notifications)"
  check "the week before is empty" 0 "$bin" digest --config "$tmp/store.yaml" --week 2026-W46 --format json
  expect_in "an empty week" "$tmp/out" '"alerts":{"total":0'
else
  echo "skip digest on a seeded database: no sqlite3 command"
fi

check "investigate needs --alert or --service" 2 "$bin" investigate --config "$tmp/store.yaml"
check "investigate an unconfigured service still reports" 0 "$bin" investigate --config "$tmp/store.yaml" --service checkout --format json
expect_in "investigate json has the contract's llm object" "$tmp/out" '"fallback_reason"'
check "investigate rejects a bad --at" 2 "$bin" investigate --config "$tmp/store.yaml" --service x --at yesterday
check "--at is now for the whole window" 0 "$bin" investigate --config "$tmp/store.yaml" --service x --since 30m \
  --at 2026-03-10T14:00:00Z --format json
expect_in "the window ends at --at" "$tmp/out" '"window":{"start":"2026-03-10T13:30:00.000Z","end":"2026-03-10T14:00:00.000Z"}'
expect_in "nothing configured: it abstains" "$tmp/out" '"abstained":true'

# --alert takes every payload the parsers read (docs/alert-formats.md), and says why it cannot.
for f in alertmanager_webhook.json alertmanager_webhook_truncated.json alertmanager_slack_firing.json \
         alerts/grafana_webhook_firing.json alerts/grafana_slack_webhook_body.json alerts/datadog_webhook_triggered.json \
         alerts/pagerduty_triggered.json alerts/generic_single.json alerts/text_alert.txt; do
  check "investigate --alert $f" 0 "$bin" investigate --config "$tmp/store.yaml" --alert "$src/tests/data/$f" \
    --at 2026-03-10T14:00:00Z --format json
  expect_in "$f: the report carries the alert" "$tmp/out" '"alert":{"source":'
done
check "investigate --alert on a file that is no alert" 1 "$bin" investigate --config "$tmp/store.yaml" \
  --alert "$src/tests/data/prometheus_query_range.json"
expect_in "the reason names the file" "$tmp/err" "prometheus_query_range.json"
head -c 300 "$src/tests/data/alertmanager_webhook.json" >"$tmp/cut.json"
check "investigate --alert on a truncated webhook" 1 "$bin" investigate --config "$tmp/store.yaml" --alert "$tmp/cut.json"
expect_in "the reason says where it stopped" "$tmp/err" "ends early"

start=$(date +%s%N)
check "demo" 0 "$bin" demo
end=$(date +%s%N)
expect_in "demo shows the alert" "$tmp/out" "[FIRING:1] CheckoutLatencyHigh"
expect_in "demo shows the placeholder-then-report" "$tmp/out" "(edited)"
expect_in "demo names the suspect deploy" "$tmp/out" "deploy-4121"
echo "     demo took $(( (end - start) / 1000000 )) ms"

[ $failures -eq 0 ] && echo "all CLI checks passed" || echo "$failures CLI check(s) failed"
exit $((failures > 0))
