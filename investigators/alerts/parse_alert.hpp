// parse_alerts(): the one entry point that turns an alert payload of any supported format into an
// AlertBatch (alert_batch.hpp), detecting the format when asked to. Webhook bodies
// (POST /hooks/<format>), Slack messages from watched channels and `alertbot investigate --alert
// FILE` all come through here. Pure; linear in the body size; never throws. docs/alert-formats.md
// describes every format and how it maps to Alert fields.
#pragma once

#include <optional>
#include <string_view>

#include "investigators/alerts/alert_batch.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// Reads `body` as `format` (Auto: detect by shape, see below). Caps: at most 1,000 alerts (the
// rest counted into truncated), 128 labels and 128 annotations per alert, 256-byte names,
// 8 KiB values (cut on a UTF-8 boundary); each cut leaves a warning. A body over 32 MiB is
// TooLarge.
// Auto: JSON object with version "4" + alerts -> Alertmanager webhook; version "1" (or orgId/state)
// + alerts -> Grafana webhook; {"event":{"event_type"}} -> PagerDuty; alert_id + transition/title
// -> Datadog; an /api/v2/alerts array or Prometheus /api/v1/alerts -> Alertmanager webhook; a Slack
// message (event, history item or webhook body) -> Grafana Slack (Grafana sender, colour or text
// lines), Alertmanager Slack (Alertmanager sender or title + danger/good), Datadog (a "Triggered:"
// line); name or alerts[] -> Generic; not JSON -> Text.
// Text with a JSON body reads the Slack message's text (or "text" member) as free text.
// Errors: ParseError "<format>: <field path>: <reason>" (a cut-off body says at which field and
// byte); NotFound when the body is not an alert at all (a Slack message from someone else, JSON of
// no known shape, a PagerDuty event that is not about an incident, text with no alert in it);
// TooLarge.
Result<AlertBatch> parse_alerts(std::string_view body, AlertFormat format, const AlertContext& ctx);

// "auto", "alertmanager", "alertmanager-slack", "grafana", "grafana-slack", "datadog",
// "pagerduty", "generic", "text".
const char* to_string(AlertFormat f);
// The inverse of to_string (case-insensitive; also "alertmanager-webhook", "grafana-webhook").
std::optional<AlertFormat> alert_format_from_string(std::string_view s);

}  // namespace alertbot::investigators
