// Datadog, in its two shapes. The Webhooks integration posts whatever JSON template the operator
// configures, so the bot requires the one documented in docs/alert-formats.md:
//   {"alert_id":"$ALERT_ID","transition":"$ALERT_TRANSITION","title":"$ALERT_TITLE",
//    "scope":"$ALERT_SCOPE","date":"$DATE","link":"$LINK","cycle":"$ALERT_CYCLE_KEY",
//    "priority":"$ALERT_PRIORITY","query":"$ALERT_QUERY","hostname":"$HOSTNAME","tags":"$TAGS"}
// Datadog's Slack app posts "Triggered: [P1] <monitor name>" (or "Recovered: ..."), read as free
// text plus links. Pure functions over untrusted input.
#pragma once

#include <boost/json/fwd.hpp>
#include <string_view>

#include "investigators/alerts/alert_batch.hpp"
#include "investigators/alerts/slack_message.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// Webhook -> one Alert: source "datadog"; name = title without its "[Triggered on ...]"/"[P1]"
// prefixes; status resolved for "Recovered", else firing (an unknown transition warns); labels
// from scope and tags ("k:v", comma separated; scope wins), host = hostname, priority; severity =
// priority in lower case ("p1"); starts_at = date (epoch ms, string or number; also ends_at when
// recovered); fingerprint from alert_id + scope; group_key "datadog:<cycle>"; links.source = link;
// annotations transition and query. Errors: ParseError "datadog: <field>: <reason>" (alert_id and
// title are required).
Result<AlertBatch> parse_datadog_webhook(std::string_view body, const AlertContext& ctx);
Result<AlertBatch> read_datadog_webhook(const boost::json::object& root, const AlertContext& ctx);
// An object with "alert_id" and "transition" or "title".
bool looks_like_datadog_webhook(const boost::json::object& root);

// Slack app message -> one Alert: source "datadog-slack", name = the monitor name, status from
// the transition word, severity from "[Pn]", service when a word of the line is a configured
// service, links from the message's URLs (monitor page -> source, dashboard -> dashboard).
// Errors: NotFound (no transition line).
Result<AlertBatch> read_datadog_slack(const alerts::SlackMessage& m, const AlertContext& ctx);
// A line starting with a Datadog transition ("Triggered:", "[P2] Recovered:", ...).
bool looks_like_datadog_slack(const alerts::SlackMessage& m);

}  // namespace alertbot::investigators
