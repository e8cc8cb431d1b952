// Alert: one alert as every parser produces it, whatever it came from (Alertmanager webhook or
// Slack message, Grafana, Datadog, PagerDuty, free text). Values come from untrusted input and
// are kept as given; consumers escape them before display.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace alertbot::investigators {

enum class AlertStatus { Firing, Resolved };

struct AlertLinks {
  std::string generator;  // the rule's graph (Prometheus generatorURL)
  std::string runbook;
  std::string dashboard;
  std::string silence;
  std::string source;  // where the notification links back to (Alertmanager UI, incident page)
};

struct Alert {
  // alertmanager | alertmanager-slack | grafana | grafana-slack | datadog | datadog-slack |
  // pagerduty | prometheus (an /api/v1/alerts list) | generic | text
  std::string source;
  std::string name;    // alertname
  AlertStatus status = AlertStatus::Firing;
  std::string severity;
  std::string service;  // the configured service it maps to, or the best label guess; may be empty
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::chrono::system_clock::time_point starts_at;
  std::optional<std::chrono::system_clock::time_point> ends_at;
  std::string fingerprint;  // stable per label set
  std::string group_key;    // alerts sharing it belong to one notification group
  int count = 1;            // alerts this notification stands for ([FIRING:2] -> 2)
  AlertLinks links;
  std::string summary;  // one line for people (annotation summary or the message title)
};

inline const char* to_string(AlertStatus s) { return s == AlertStatus::Firing ? "firing" : "resolved"; }

}  // namespace alertbot::investigators
