#include "investigators/alerts/datadog.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <array>
#include <cctype>

#include "investigators/alerts/alert_json.hpp"
#include "investigators/alerts/alert_limits.hpp"
#include "investigators/alerts/alert_time.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;
using namespace alerts;

constexpr std::array<std::string_view, 10> kTransitions = {"re-triggered", "triggered", "recovered", "re-warn",
                                                          "warn", "re-no data", "no data", "renotify", "warning",
                                                          "alert"};

// nullopt for an unknown transition.
std::optional<AlertStatus> transition_status(std::string_view t) {
  std::string lower = to_lower(trim(t));
  if (lower == "recovered" || lower == "re-recovered") return AlertStatus::Resolved;
  if (std::find(kTransitions.begin(), kTransitions.end(), lower) != kTransitions.end()) return AlertStatus::Firing;
  return std::nullopt;
}

// "[Triggered on {host:a}] [P1] High latency" -> "High latency".
std::string_view strip_brackets(std::string_view s) {
  s = trim(s);
  for (int i = 0; i < 8 && !s.empty() && s.front() == '['; ++i) {
    auto close = s.find(']');
    if (close == std::string_view::npos) break;
    s = trim(s.substr(close + 1));
  }
  return s;
}

// "service:checkout, env:prod" -> labels (existing keys kept); bare tags are skipped.
void read_tags(std::string_view list, std::string_view path, Alert& a, std::vector<std::string>& warnings) {
  EntryCaps caps{std::string(path)};
  std::size_t start = 0;
  while (start < list.size()) {
    std::size_t end = std::min(list.find(',', start), list.size());
    std::string_view tag = trim(list.substr(start, end - start));
    start = end + 1;
    auto colon = tag.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string key(trim(tag.substr(0, colon)));
    if (!a.labels.count(key)) caps.put(a.labels, key, trim(tag.substr(colon + 1)), warnings);
  }
  caps.finish(warnings);
}

Result<std::optional<Time>> read_date(const Fields& f) {
  auto* v = f.value("date");
  if (!v) return std::optional<Time>();
  std::string text = v->is_string() ? std::string(v->get_string()) : scalar_text(*v);
  if (text.empty()) return f.error("date", "expected epoch milliseconds, got " + describe_value(*v));
  bool digits = std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) || c == '.'; });
  if (!digits) {
    auto t = parse_any_time(text);
    if (!t) return f.error("date", t.error().message);
    return t;
  }
  auto t = parse_epoch(text, EpochUnit::Millis);
  if (!t) return f.error("date", t.error().message);
  return std::optional<Time>(*t);
}

struct TransitionLine {
  AlertStatus status = AlertStatus::Firing;
  std::string priority;  // "P1"
  std::string name;
};

// "Triggered: [P1] High latency", "[P1] Recovered: High latency", "[Triggered] High latency".
std::optional<TransitionLine> read_transition_line(std::string_view line) {
  TransitionLine out;
  line = trim(line);
  auto take_priority = [&](std::string_view& s) {
    s = trim(s);
    if (s.size() >= 4 && s[0] == '[' && (s[1] == 'P' || s[1] == 'p') && std::isdigit(static_cast<unsigned char>(s[2])) &&
        s[3] == ']') {
      out.priority = "P" + std::string(1, s[2]);
      s = trim(s.substr(4));
    }
  };
  take_priority(line);
  bool bracketed = !line.empty() && line.front() == '[';
  std::size_t end = bracketed ? line.find(']') : line.find(':');
  if (end > 40) return std::nullopt;  // npos included
  std::string_view word = line.substr(bracketed ? 1 : 0, end - (bracketed ? 1 : 0));
  word = word.substr(0, word.find(" on "));
  auto status = transition_status(word);
  if (!status) return std::nullopt;
  out.status = *status;
  std::string_view rest = line.substr(end + 1);
  take_priority(rest);
  out.name = std::string(strip_brackets(rest));
  if (out.name.empty()) return std::nullopt;
  return out;
}

std::string first_line(std::string_view s) { return std::string(trim(s.substr(0, s.find('\n')))); }

std::optional<TransitionLine> find_transition(const SlackMessage& m) {
  for (const std::string* s : {&m.text, &m.title, &m.pretext, &m.fallback, &m.attachment_text, &m.blocks_text}) {
    if (s->empty()) continue;
    if (auto t = read_transition_line(first_line(slack_plain(*s)))) return t;
  }
  return std::nullopt;
}

}  // namespace

bool looks_like_datadog_webhook(const json::object& root) {
  return root.contains("alert_id") && (root.contains("transition") || root.contains("title"));
}

Result<AlertBatch> read_datadog_webhook(const json::object& root, const AlertContext& ctx) {
  Fields f(root, "datadog", "");
  AlertBatch batch;
  batch.format = AlertFormat::Datadog;
  std::array<std::string, 10> v;
  constexpr std::array<const char*, 10> kKeys = {"alert_id", "transition", "title", "scope", "link",
                                                 "cycle",    "priority",   "query", "hostname", "tags"};
  for (std::size_t i = 0; i < kKeys.size(); ++i) {
    auto s = f.scalar(kKeys[i]);
    if (!s) return s.error();
    v[i] = capped(*s, kKeys[i], batch.warnings);
  }
  const auto& [id, transition, title, scope, link, cycle, priority, query, hostname, tags] = v;
  if (trim(id).empty()) return f.error("alert_id", "missing (configure the template in docs/alert-formats.md)");
  if (trim(title).empty()) return f.error("title", "missing (configure the template in docs/alert-formats.md)");
  auto date = read_date(f);
  if (!date) return date.error();
  Alert a;
  a.source = "datadog";
  a.name = std::string(strip_brackets(title));
  if (a.name.empty()) a.name = title;
  auto status = transition_status(transition);
  if (!status) warn(batch.warnings, "transition: unknown \"" + std::string(cut_utf8(transition, 40)) + "\", read as firing");
  a.status = status.value_or(AlertStatus::Firing);
  a.starts_at = date->value_or(ctx.received_at);
  if (a.status == AlertStatus::Resolved) a.ends_at = a.starts_at;
  a.labels["alertname"] = a.name;
  read_tags(scope, "scope", a, batch.warnings);
  read_tags(tags, "tags", a, batch.warnings);
  if (!hostname.empty() && !a.labels.count("host")) a.labels["host"] = hostname;
  if (!priority.empty()) {
    a.labels["priority"] = priority;
    a.severity = to_lower(priority);
  }
  if (!transition.empty()) a.annotations["transition"] = transition;
  if (!query.empty()) a.annotations["query"] = query;
  a.summary = title;
  a.links.source = link;
  a.fingerprint = fnv1a_hex(id + "|" + scope);
  a.group_key = "datadog:" + (cycle.empty() ? id + "|" + scope : cycle);
  batch.group_key = a.group_key;
  batch.alerts.push_back(std::move(a));
  return batch;
}

Result<AlertBatch> parse_datadog_webhook(std::string_view body, const AlertContext& ctx) {
  auto root = parse_json_payload(body, "datadog");
  if (!root) return root.error();
  if (!root->is_object()) return field_error("datadog", "body", "expected a JSON object, got " + describe_value(*root));
  return read_datadog_webhook(root->get_object(), ctx);
}

bool looks_like_datadog_slack(const SlackMessage& m) { return find_transition(m).has_value(); }

Result<AlertBatch> read_datadog_slack(const SlackMessage& m, const AlertContext& ctx) {
  auto line = find_transition(m);
  if (!line) return fail(Errc::NotFound, "datadog-slack: no \"Triggered:\"/\"Recovered:\" line: not a Datadog message");
  AlertBatch batch;
  batch.format = AlertFormat::Datadog;
  Alert a;
  a.source = "datadog-slack";
  a.name = capped(line->name, "text", batch.warnings);
  a.status = line->status;
  a.starts_at = m.posted_at.value_or(ctx.received_at);
  a.labels["alertname"] = a.name;
  if (!line->priority.empty()) {
    a.labels["priority"] = line->priority;
    a.severity = to_lower(line->priority);
  }
  for (const auto& w : split_words(a.name)) {
    if (a.service.empty() && std::find(ctx.services.begin(), ctx.services.end(), w) != ctx.services.end()) a.service = w;
  }
  a.summary = a.name;
  for (const std::string* s : {&m.text, &m.title_link, &m.title, &m.pretext, &m.attachment_text, &m.blocks_text}) {
    for (const auto& url : slack_urls(*s)) {
      if (url.find("/dashboard") != std::string::npos && a.links.dashboard.empty()) a.links.dashboard = capped(url, "link", batch.warnings);
      else if (a.links.source.empty()) a.links.source = capped(url, "link", batch.warnings);
    }
  }
  a.fingerprint = fnv1a_hex(a.name);
  a.group_key = "datadog-slack:" + a.name;
  batch.group_key = a.group_key;
  batch.alerts.push_back(std::move(a));
  return batch;
}

}  // namespace alertbot::investigators
