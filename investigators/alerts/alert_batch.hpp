// AlertBatch: what one alert payload turned into (every parser in investigators/alerts/ returns
// one), with the formats the bot reads and the context a parse needs. Plain values, no behaviour:
// parse_alert.hpp holds the dispatcher; each format has its own header.
#pragma once

#include <string>
#include <vector>

#include "investigators/alert.hpp"
#include "investigators/evidence.hpp"

namespace alertbot::investigators {

enum class AlertFormat {
  Auto,                 // detect from the shape of the body
  AlertmanagerWebhook,  // Alertmanager webhook version "4" (also /api/v2/alerts and Prometheus /api/v1/alerts lists)
  AlertmanagerSlack,    // a Slack message posted by Alertmanager's slack_configs
  GrafanaWebhook,       // Grafana unified alerting webhook version "1"
  GrafanaSlack,         // a Slack message posted by Grafana's Slack contact point
  Datadog,              // Datadog webhook with our documented template, or a Datadog Slack app message
  PagerDuty,            // PagerDuty v3 webhook, incident events
  Generic,              // our own generic JSON webhook (docs/alert-formats.md)
  Text,                 // free text: "HighLatency service=checkout severity=page p99 above 2s"
};

struct AlertContext {
  Time received_at;                   // when the payload arrived: the fallback for a missing start time
  std::vector<std::string> services;  // configured service names: hints for formats that carry only values
};

struct AlertBatch {
  AlertFormat format = AlertFormat::Auto;  // the format that was read (never Auto in a result)
  std::string group_key;                   // the notification group, shared by every alert here
  std::vector<Alert> alerts;               // at most kMaxAlertsPerPayload, in payload order
  int truncated = 0;                       // alerts the sender dropped (truncatedAlerts) plus those over our cap
  std::vector<std::string> warnings;       // what was cut, dropped or guessed, for logs and the reply
};

}  // namespace alertbot::investigators
