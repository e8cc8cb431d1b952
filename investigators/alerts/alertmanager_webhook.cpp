#include "investigators/alerts/alertmanager_webhook.hpp"

#include <boost/json.hpp>
#include <cctype>

#include "investigators/alerts/alert_limits.hpp"
#include "investigators/alerts/alert_time.hpp"

namespace alertbot::investigators {
namespace alerts {
namespace {

namespace json = boost::json;

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool is_label_name(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s) {
    if (!std::isalnum(c) && c != '_') return false;
  }
  return true;
}

std::string matcher(std::string_view name, std::string_view value) {
  std::string out(name);
  out += "=\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else out += c;
  }
  return out + "\"";
}

Result<AlertStatus> item_status(std::string_view s, std::string_view group_status, const std::string& path,
                                std::vector<std::string>& warnings) {
  std::string lower = to_lower(s.empty() ? group_status : s);
  if (lower == "firing") return AlertStatus::Firing;
  if (lower.empty()) {
    warn(warnings, path + ": missing (here and at the top level); read as firing");
    return AlertStatus::Firing;
  }
  if (lower == "resolved") return AlertStatus::Resolved;
  warn(warnings, path + ": unknown status \"" + std::string(cut_utf8(s.empty() ? group_status : s, 40)) +
                     "\", read as firing");
  return AlertStatus::Firing;
}

}  // namespace

Result<std::optional<Time>> read_time(const Fields& item, std::string_view key) {
  auto* v = item.value(key);
  if (!v) return std::optional<Time>();
  auto t = parse_any_time(*v);
  if (!t) return item.error(key, t.error().message);
  return t;
}

std::string silence_link(std::string_view external_url, const std::map<std::string, std::string>& labels) {
  while (!external_url.empty() && external_url.back() == '/') external_url.remove_suffix(1);
  if (external_url.empty()) return {};
  std::string base = std::string(external_url) + "/#/silences/new?filter=";
  // Percent-encoding works byte by byte, so the encoded list grows by each encoded matcher.
  const std::string open = percent_encode("{");
  const std::string close = percent_encode("}");
  const std::string comma = percent_encode(", ");
  std::string list;
  auto add = [&](std::string_view k, std::string_view v) {
    std::string m = percent_encode(matcher(k, v));
    std::size_t sep = list.empty() ? 0 : comma.size();
    if (base.size() + open.size() + list.size() + sep + m.size() + close.size() > kMaxValueBytes) return;
    if (sep) list += comma;
    list += m;
  };
  if (auto it = labels.find("alertname"); it != labels.end()) add("alertname", it->second);
  for (const auto& [k, v] : labels) {
    if (k != "alertname" && is_label_name(k)) add(k, v);
  }
  return base + open + list + close;
}

void finish_alert(Alert& a, std::string_view path, std::vector<std::string>& warnings) {
  if (auto it = a.labels.find("alertname"); it != a.labels.end() && !trim(it->second).empty()) {
    a.name = it->second;
  } else if (a.name.empty()) {
    warn(warnings, std::string(path) + ".labels.alertname: missing; named \"unnamed\"");
    a.name = "unnamed";
  }
  if (auto it = a.labels.find("severity"); it != a.labels.end()) a.severity = it->second;
  if (a.summary.empty()) a.summary = first_annotation(a, {"summary", "description", "message"});
  if (a.summary.empty()) a.summary = a.name;
  links_from_annotations(a);
}

Result<Alert> read_am_item(const Fields& item, std::string_view group_status, std::string_view external_url,
                           const AlertContext& ctx, std::vector<std::string>& warnings) {
  Alert a;
  auto status = item.string("status");
  if (!status) return status.error();
  auto st = item_status(*status, group_status, item.at("status"), warnings);
  if (!st) return st.error();
  a.status = *st;
  if (auto r = item.string_map("labels", a.labels, true, warnings); !r) return r.error();
  if (auto r = item.string_map("annotations", a.annotations, true, warnings); !r) return r.error();
  auto starts = read_time(item, "startsAt");
  if (!starts) return starts.error();
  auto ends = read_time(item, "endsAt");
  if (!ends) return ends.error();
  if (!*starts) warn(warnings, item.at("startsAt") + ": missing; using the time the alert was received");
  a.starts_at = starts->value_or(ctx.received_at);
  a.ends_at = *ends;
  auto generator = item.string("generatorURL");
  if (!generator) return generator.error();
  a.links.generator = capped(*generator, item.at("generatorURL"), warnings);
  auto fingerprint = item.string("fingerprint");
  if (!fingerprint) return fingerprint.error();
  a.fingerprint = capped(*fingerprint, item.at("fingerprint"), warnings);
  finish_alert(a, item.path(), warnings);
  if (a.fingerprint.empty()) a.fingerprint = label_fingerprint(a.name, a.labels);
  a.links.silence = silence_link(external_url, a.labels);
  a.links.source = std::string(external_url);
  return a;
}

Result<AlertBatch> read_am_envelope(const json::object& root, const EnvelopeKind& kind, const AlertContext& ctx,
                                    const ItemExtra& extra) {
  Fields top(root, kind.format, "");
  AlertBatch batch;
  batch.format = kind.batch_format;
  auto status = top.string("status");
  auto group_key = top.string("groupKey");
  auto external = top.string("externalURL");
  auto truncated = top.integer("truncatedAlerts");
  auto list = top.array("alerts");
  if (!status) return status.error();
  if (!group_key) return group_key.error();
  if (!external) return external.error();
  if (!truncated) return truncated.error();
  if (!list) return list.error();
  if (!*list) return top.error("alerts", "missing");
  batch.group_key = capped(*group_key, "groupKey", batch.warnings);
  std::string external_url = capped(*external, "externalURL", batch.warnings);
  if (truncated->value_or(0) < 0 || truncated->value_or(0) > 1000000000) {
    return top.error("truncatedAlerts", "out of range: " + std::to_string(truncated->value_or(0)));
  }
  batch.truncated = static_cast<int>(truncated->value_or(0));
  const auto& items = **list;
  for (std::size_t i = 0; i < items.size() && i < kMaxAlertsPerPayload; ++i) {
    std::string path = path_index("alerts", i);
    if (!items[i].is_object()) return field_error(kind.format, path, "expected an object, got " + describe_value(items[i]));
    Fields item(items[i].get_object(), kind.format, path);
    auto a = read_am_item(item, *status, external_url, ctx, batch.warnings);
    if (!a) return a.error();
    a->source = kind.source;
    a->group_key = batch.group_key;
    if (extra) {
      if (auto r = extra(item, *a, batch.warnings); !r) return r.error();
    }
    batch.alerts.push_back(std::move(*a));
  }
  if (items.size() > kMaxAlertsPerPayload) {
    std::size_t over = items.size() - kMaxAlertsPerPayload;
    batch.truncated += static_cast<int>(over);
    warn(batch.warnings, "alerts: " + std::to_string(items.size()) + " alerts; only the first " +
                             std::to_string(kMaxAlertsPerPayload) + " were read");
  }
  if (batch.group_key.empty() && !batch.alerts.empty()) batch.group_key = kind.source + ":" + batch.alerts[0].name;
  return batch;
}

}  // namespace alerts

bool looks_like_alertmanager_webhook(const boost::json::object& root) {
  auto* alerts = root.if_contains("alerts");
  if (!alerts || !alerts->is_array()) return false;
  auto* version = root.if_contains("version");
  if (version) return version->is_string() && version->get_string() == "4";
  const auto& list = alerts->get_array();
  return !list.empty() && list[0].is_object() && list[0].get_object().contains("labels") &&
         list[0].get_object().contains("startsAt");
}

Result<AlertBatch> read_alertmanager_webhook(const boost::json::object& root, const AlertContext& ctx) {
  alerts::EnvelopeKind kind{"alertmanager", "alertmanager", AlertFormat::AlertmanagerWebhook};
  auto batch = alerts::read_am_envelope(root, kind, ctx, {});
  if (!batch) return batch;
  alerts::Fields top(root, kind.format, "");
  auto version = top.string("version");
  if (!version) return version.error();
  if (*version != "4") {
    alerts::warn(batch->warnings, "version: expected \"4\", got \"" + std::string(alerts::cut_utf8(*version, 20)) +
                                      "\"; read as version 4");
  }
  return batch;
}

Result<AlertBatch> parse_alertmanager_webhook(std::string_view body, const AlertContext& ctx) {
  auto root = alerts::parse_json_payload(body, "alertmanager");
  if (!root) return root.error();
  if (!root->is_object()) return alerts::field_error("alertmanager", "body", "expected a JSON object, got " +
                                                                               alerts::describe_value(*root));
  return read_alertmanager_webhook(root->get_object(), ctx);
}

}  // namespace alertbot::investigators
