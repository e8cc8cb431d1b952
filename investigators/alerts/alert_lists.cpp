#include "investigators/alerts/alert_lists.hpp"

#include <boost/json.hpp>

#include "investigators/alerts/alert_json.hpp"
#include "investigators/alerts/alert_limits.hpp"
#include "investigators/alerts/alertmanager_webhook.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;
using namespace alerts;

void note_over_cap(AlertBatch& batch, std::size_t items, std::string_view path) {
  if (items <= kMaxAlertsPerPayload) return;
  batch.truncated += static_cast<int>(items - kMaxAlertsPerPayload);
  warn(batch.warnings, std::string(path) + ": " + std::to_string(items) + " alerts; only the first " +
                           std::to_string(kMaxAlertsPerPayload) + " were read");
}

Result<Alert> read_api_item(const Fields& item, const AlertContext& ctx, std::vector<std::string>& warnings) {
  Alert a;
  a.source = "alertmanager";
  if (auto r = item.string_map("labels", a.labels, true, warnings); !r) return r.error();
  if (auto r = item.string_map("annotations", a.annotations, true, warnings); !r) return r.error();
  auto starts = read_time(item, "startsAt");
  if (!starts) return starts.error();
  a.starts_at = starts->value_or(ctx.received_at);
  auto fingerprint = item.string("fingerprint");
  auto generator = item.string("generatorURL");
  if (!fingerprint) return fingerprint.error();
  if (!generator) return generator.error();
  a.fingerprint = capped(*fingerprint, item.at("fingerprint"), warnings);
  a.links.generator = capped(*generator, item.at("generatorURL"), warnings);
  if (auto status = item.object("status"); !status) return status.error();
  finish_alert(a, item.path(), warnings);
  if (a.fingerprint.empty()) a.fingerprint = label_fingerprint(a.name, a.labels);
  a.group_key = "alertmanager-api:" + a.name;
  return a;
}

}  // namespace

bool looks_like_alertmanager_api_list(const json::array& root) {
  if (root.empty() || !root[0].is_object()) return false;
  const auto& first = root[0].get_object();
  auto* status = first.if_contains("status");
  return first.contains("labels") && first.contains("startsAt") && status && status->is_object();
}

bool looks_like_prometheus_alerts(const json::object& root) {
  auto* data = root.if_contains("data");
  return root.contains("status") && data && data->is_object() && data->get_object().contains("alerts");
}

Result<AlertBatch> read_alertmanager_api_list(const json::array& root, const AlertContext& ctx) {
  AlertBatch batch;
  batch.format = AlertFormat::AlertmanagerWebhook;
  for (std::size_t i = 0; i < root.size() && i < kMaxAlertsPerPayload; ++i) {
    std::string path = path_index("", i);
    if (!root[i].is_object()) return field_error("alertmanager-api", path, "expected an object, got " + describe_value(root[i]));
    auto a = read_api_item(Fields(root[i].get_object(), "alertmanager-api", path), ctx, batch.warnings);
    if (!a) return a.error();
    batch.alerts.push_back(std::move(*a));
  }
  note_over_cap(batch, root.size(), "body");
  if (!batch.alerts.empty()) batch.group_key = batch.alerts[0].group_key;
  return batch;
}

Result<AlertBatch> read_prometheus_alerts(const json::object& root, const AlertContext& ctx) {
  Fields top(root, "prometheus", "");
  auto status = top.string("status");
  if (!status) return status.error();
  if (*status != "success") {
    auto why = top.scalar("error");
    return top.error("status", "\"" + std::string(cut_utf8(*status, 20)) + "\": " + std::string(cut_utf8(why ? *why : "", 200)));
  }
  auto data = top.object("data");
  if (!data) return data.error();
  if (!*data) return top.error("data", "missing");
  Fields d(**data, "prometheus", "data");
  auto list = d.array("alerts");
  if (!list) return list.error();
  if (!*list) return d.error("alerts", "missing");
  AlertBatch batch;
  batch.format = AlertFormat::AlertmanagerWebhook;
  std::size_t pending = 0;
  const auto& items = **list;
  for (std::size_t i = 0; i < items.size() && i < kMaxAlertsPerPayload; ++i) {
    std::string path = path_index("data.alerts", i);
    if (!items[i].is_object()) return field_error("prometheus", path, "expected an object, got " + describe_value(items[i]));
    Fields item(items[i].get_object(), "prometheus", path);
    auto state = item.string("state");
    auto value = item.scalar("value");
    auto active = read_time(item, "activeAt");
    if (!state) return state.error();
    if (!value) return value.error();
    if (!active) return active.error();
    if (to_lower(*state) != "firing") {
      ++pending;
      continue;
    }
    Alert a;
    a.source = "prometheus";
    if (auto r = item.string_map("labels", a.labels, true, batch.warnings); !r) return r.error();
    if (auto r = item.string_map("annotations", a.annotations, true, batch.warnings); !r) return r.error();
    if (!value->empty()) a.annotations.emplace("value", capped(*value, item.at("value"), batch.warnings));
    a.starts_at = active->value_or(ctx.received_at);
    finish_alert(a, path, batch.warnings);
    a.fingerprint = label_fingerprint(a.name, a.labels);
    a.group_key = "prometheus:" + a.name;
    batch.alerts.push_back(std::move(a));
  }
  if (pending > 0) warn(batch.warnings, "data.alerts: " + std::to_string(pending) + " alerts not firing (pending) skipped");
  note_over_cap(batch, items.size(), "data.alerts");
  if (!batch.alerts.empty()) batch.group_key = batch.alerts[0].group_key;
  return batch;
}

}  // namespace alertbot::investigators
