// Alertmanager's webhook (version "4"): one POST per notification group, one Alert per alerts[]
// item, each with its own status (a group can mix firing and resolved). Grafana's webhook has the
// same envelope and items plus extras, so the envelope and item readers here are shared with
// grafana.cpp. Service is left "" (investigators/service_map.hpp maps it). Pure functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/alerts/alert_batch.hpp"
#include "investigators/alerts/alert_json.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// Alert fields: source "alertmanager"; name = labels.alertname; status per item (else the
// group's); severity = labels.severity; starts_at/ends_at (zero time -> nullopt); fingerprint;
// group_key = groupKey; links: generator = generatorURL, runbook and dashboard from annotations,
// silence = <externalURL>/#/silences/new?filter=<matchers>, source = externalURL; summary =
// annotation summary, description or message, else the name. Warnings: unknown status, missing
// alertname or startsAt, cut values, alerts over the cap. Errors: ParseError
// "alertmanager: <field path>: <reason>" for a body that is not JSON or has a field of the wrong type.
Result<AlertBatch> parse_alertmanager_webhook(std::string_view body, const AlertContext& ctx);
Result<AlertBatch> read_alertmanager_webhook(const boost::json::object& root, const AlertContext& ctx);

// An object with "alerts" and version "4", or (no version) alerts[] items with labels and startsAt.
bool looks_like_alertmanager_webhook(const boost::json::object& root);

namespace alerts {

// How the shared envelope reader labels what it reads.
struct EnvelopeKind {
  std::string_view format;  // for error messages: "alertmanager", "grafana"
  std::string source;       // Alert::source
  AlertFormat batch_format;
};

// Per-item hook for the extras of a format (Grafana's silenceURL, values, ...). May be empty.
using ItemExtra = std::function<Result<void>(const Fields& item, Alert& a, std::vector<std::string>& warnings)>;

// groupKey, externalURL, status, truncatedAlerts and alerts[] (at most kMaxAlertsPerPayload read;
// the rest are counted into truncated with a warning).
Result<AlertBatch> read_am_envelope(const boost::json::object& root, const EnvelopeKind& kind, const AlertContext& ctx,
                                    const ItemExtra& extra);

// One Alertmanager-shaped alert item's common fields.
Result<Alert> read_am_item(const Fields& item, std::string_view group_status, std::string_view external_url,
                           const AlertContext& ctx, std::vector<std::string>& warnings);

// "<externalURL>/#/silences/new?filter=%7Balertname%3D%22X%22%2C%20...%7D" (labels percent-encoded;
// stops adding labels before the link passes kMaxValueBytes). "" when external_url is "".
std::string silence_link(std::string_view external_url, const std::map<std::string, std::string>& labels);

// Fills name (labels.alertname; warns at `path` and uses "unnamed" when absent), severity,
// summary and the runbook/dashboard links from labels and annotations.
void finish_alert(Alert& a, std::string_view path, std::vector<std::string>& warnings);

// A time member in any shape (alert_time.hpp); errors name `item.path().key`.
Result<std::optional<Time>> read_time(const Fields& item, std::string_view key);

}  // namespace alerts
}  // namespace alertbot::investigators
