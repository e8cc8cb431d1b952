#include "investigators/alerts/generic.hpp"

#include <boost/json.hpp>

#include "investigators/alerts/alert_json.hpp"
#include "investigators/alerts/alert_limits.hpp"
#include "investigators/alerts/alertmanager_webhook.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;
using namespace alerts;

bool has_name(const json::value& v) {
  if (!v.is_object()) return false;
  auto* name = v.get_object().if_contains("name");
  return name && name->is_string();
}

Result<void> read_links(const Fields& item, AlertLinks& links, std::vector<std::string>& warnings) {
  auto obj = item.object("links");
  if (!obj) return obj.error();
  if (!*obj) return {};
  Fields f(**obj, item.format(), item.at("links"));
  std::pair<const char*, std::string*> targets[] = {{"generator", &links.generator}, {"runbook", &links.runbook},
                                                    {"dashboard", &links.dashboard}, {"silence", &links.silence},
                                                    {"source", &links.source}};
  for (auto& [key, out] : targets) {
    auto s = f.string(key);
    if (!s) return s.error();
    *out = capped(*s, f.at(key), warnings);
  }
  return {};
}

Result<Alert> read_item(const Fields& item, std::string_view group_key, const AlertContext& ctx,
                        std::vector<std::string>& warnings) {
  Alert a;
  a.source = "generic";
  auto name = item.required_string("name");
  if (!name) return name.error();
  a.name = capped(*name, item.at("name"), warnings);
  auto status = item.string("status");
  if (!status) return status.error();
  std::string st = to_lower(*status);
  if (st == "resolved") a.status = AlertStatus::Resolved;
  else if (!st.empty() && st != "firing") return item.error("status", "expected \"firing\" or \"resolved\", got \"" + std::string(cut_utf8(*status, 40)) + "\"");
  std::pair<const char*, std::string*> strings[] = {{"severity", &a.severity}, {"service", &a.service},
                                                    {"summary", &a.summary}, {"fingerprint", &a.fingerprint},
                                                    {"group_key", &a.group_key}};
  for (auto& [key, out] : strings) {
    auto s = item.scalar(key);
    if (!s) return s.error();
    *out = capped(*s, item.at(key), warnings);
  }
  if (auto r = item.string_map("labels", a.labels, false, warnings); !r) return r.error();
  if (auto r = item.string_map("annotations", a.annotations, false, warnings); !r) return r.error();
  if (auto r = read_links(item, a.links, warnings); !r) return r.error();
  auto starts = read_time(item, "starts_at");
  if (!starts) return starts.error();
  auto ends = read_time(item, "ends_at");
  if (!ends) return ends.error();
  a.starts_at = starts->value_or(ctx.received_at);
  a.ends_at = *ends;
  EntryCaps caps(item.at("labels"));
  if (!a.labels.count("alertname")) caps.put(a.labels, "alertname", a.name, warnings);
  if (!a.service.empty() && !a.labels.count("service")) caps.put(a.labels, "service", a.service, warnings);
  if (!a.severity.empty() && !a.labels.count("severity")) caps.put(a.labels, "severity", a.severity, warnings);
  caps.finish(warnings);
  if (a.summary.empty()) a.summary = first_annotation(a, {"summary", "description", "message"});
  if (a.summary.empty()) a.summary = a.name;
  links_from_annotations(a);
  if (a.fingerprint.empty()) a.fingerprint = label_fingerprint(a.name, a.labels);
  if (a.group_key.empty()) a.group_key = group_key.empty() ? "generic:" + a.name : std::string(group_key);
  return a;
}

Result<AlertBatch> read_list(const json::array& items, std::string_view base, std::string_view group_key,
                             const AlertContext& ctx) {
  AlertBatch batch;
  batch.format = AlertFormat::Generic;
  batch.group_key = std::string(group_key);
  for (std::size_t i = 0; i < items.size() && i < kMaxAlertsPerPayload; ++i) {
    std::string path = path_index(base, i);
    if (!items[i].is_object()) return field_error("generic", path, "expected an object, got " + describe_value(items[i]));
    auto a = read_item(Fields(items[i].get_object(), "generic", path), group_key, ctx, batch.warnings);
    if (!a) return a.error();
    batch.alerts.push_back(std::move(*a));
  }
  if (items.size() > kMaxAlertsPerPayload) {
    batch.truncated = static_cast<int>(items.size() - kMaxAlertsPerPayload);
    warn(batch.warnings, std::string(base.empty() ? "body" : base) + ": " + std::to_string(items.size()) +
                             " alerts; only the first " + std::to_string(kMaxAlertsPerPayload) + " were read");
  }
  if (batch.alerts.empty()) return field_error("generic", base.empty() ? "body" : base, "no alerts");
  if (batch.group_key.empty()) batch.group_key = batch.alerts[0].group_key;
  return batch;
}

}  // namespace

bool looks_like_generic_webhook(const json::value& root) {
  if (root.is_array()) return !root.get_array().empty() && has_name(root.get_array()[0]);
  if (!root.is_object()) return false;
  if (has_name(root)) return true;
  auto* list = root.get_object().if_contains("alerts");
  return list && list->is_array() && !list->get_array().empty() && has_name(list->get_array()[0]);
}

Result<AlertBatch> read_generic_webhook(const json::value& root, const AlertContext& ctx) {
  if (root.is_array()) return read_list(root.get_array(), "", "", ctx);
  if (!root.is_object()) return field_error("generic", "body", "expected an object or an array, got " + describe_value(root));
  Fields top(root.get_object(), "generic", "");
  if (!top.value("alerts")) {
    AlertBatch batch;
    batch.format = AlertFormat::Generic;
    auto a = read_item(top, "", ctx, batch.warnings);
    if (!a) return a.error();
    batch.group_key = a->group_key;
    batch.alerts.push_back(std::move(*a));
    return batch;
  }
  auto list = top.array("alerts");
  if (!list) return list.error();
  auto group_key = top.scalar("group_key");
  if (!group_key) return group_key.error();
  std::vector<std::string> warnings;
  std::string key = capped(*group_key, "group_key", warnings);
  auto batch = read_list(**list, "alerts", key, ctx);
  if (batch) batch->warnings.insert(batch->warnings.begin(), warnings.begin(), warnings.end());
  return batch;
}

Result<AlertBatch> parse_generic_webhook(std::string_view body, const AlertContext& ctx) {
  auto root = parse_json_payload(body, "generic");
  if (!root) return root.error();
  return read_generic_webhook(*root, ctx);
}

}  // namespace alertbot::investigators
