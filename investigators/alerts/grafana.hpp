// Grafana unified alerting, in its two shapes: the webhook contact point (the Alertmanager
// envelope with version "1", state, title, message and per-alert silenceURL, dashboardURL,
// panelURL, values) and the Slack contact point's message (title "[FIRING:1] HighLatency
// checkout", text from default.message with "Value:", "Labels:", " - k = v", "Annotations:",
// "Source:", "Silence:", "Dashboard:", "Panel:" lines; colour #D63232 firing, #36a64f resolved).
// Pure functions over untrusted input.
#pragma once

#include <boost/json/fwd.hpp>
#include <string_view>

#include "investigators/alerts/alert_batch.hpp"
#include "investigators/alerts/slack_message.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// Webhook: as Alertmanager's (alertmanager_webhook.hpp) with source "grafana", plus links.silence
// = silenceURL, links.dashboard = dashboardURL (else panelURL), links.generator = generatorURL
// (the rule's page), annotation "values" = "B=2.31, C=1" from values, summary falling back to
// the top-level title. Warnings: version other than "1". Errors: ParseError "grafana: <path>: <reason>".
Result<AlertBatch> parse_grafana_webhook(std::string_view body, const AlertContext& ctx);
Result<AlertBatch> read_grafana_webhook(const boost::json::object& root, const AlertContext& ctx);
// An object with "alerts" and version "1", or with orgId or state next to alerts.
bool looks_like_grafana_webhook(const boost::json::object& root);

// Slack message: one Alert per alert block of the text (source "grafana-slack", status from the
// **Firing**/**Resolved** section, labels and annotations from " - k = v" lines, links from
// Source/Silence/Dashboard/Panel), starts_at = the message ts else ctx.received_at; group_key
// from the title's group values (stable from firing to resolved). A custom text with no blocks
// gives one Alert from the title, like Alertmanager's. Errors: NotFound (no Grafana title),
// ParseError (the title cannot be read).
Result<AlertBatch> read_grafana_slack(const alerts::SlackMessage& m, const AlertContext& ctx);
// Sender "grafana", a Grafana colour, or "**Firing**"/"**Resolved**" and " - k = v" lines in the text.
bool looks_like_grafana_slack(const alerts::SlackMessage& m);

}  // namespace alertbot::investigators
