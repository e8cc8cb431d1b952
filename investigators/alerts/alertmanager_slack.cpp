#include "investigators/alerts/alertmanager_slack.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <set>
#include <sstream>

#include "net/json_fields.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;

const std::set<std::string> kSeverities = {"critical", "page", "error", "warning", "warn", "info",
                                           "high", "medium", "low", "p1", "p2", "p3", "p4", "p5"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// FNV-1a, 64 bits, as 16 hex digits: stable across builds, unlike std::hash (it is stored).
std::string fnv1a_hex(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

struct Title {
  AlertStatus status = AlertStatus::Firing;
  int count = 1;
  std::vector<std::string> group_values;
  std::vector<std::string> other_values;
};

// "[FIRING:2] TargetUp (127.0.0.1:19090 prometheus warning)" -> parts. nullopt if not that shape.
std::optional<Title> parse_title(std::string_view t) {
  if (t.empty() || t.front() != '[') return std::nullopt;
  auto close = t.find(']');
  if (close == std::string_view::npos) return std::nullopt;
  std::string head = lower(std::string(t.substr(1, close - 1)));
  Title out;
  if (head.rfind("firing", 0) == 0) {
    out.status = AlertStatus::Firing;
    if (head.size() > 7 && head[6] == ':') out.count = std::max(1, std::atoi(head.c_str() + 7));
  } else if (head.rfind("resolved", 0) == 0) {
    out.status = AlertStatus::Resolved;
  } else {
    return std::nullopt;
  }
  std::string_view rest = t.substr(close + 1);
  // Grafana appends ", RESOLVED:n" while firing; drop it.
  if (auto comma = rest.rfind(", RESOLVED"); comma != std::string_view::npos) rest = rest.substr(0, comma);
  std::string_view others;
  if (!rest.empty() && rest.back() == ')') {
    auto open = rest.rfind(" (");
    if (open != std::string_view::npos) {
      others = rest.substr(open + 2, rest.size() - open - 3);
      rest = rest.substr(0, open);
    }
  }
  out.group_values = words(rest);
  out.other_values = words(others);
  return out;
}

// "• *severity:* `critical`" and "*Alert:* name - summary" lines of the community template.
void read_template_text(std::string_view text, Alert& a) {
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto star = line.find('*');
    auto colon = line.find(":*", star == std::string::npos ? 0 : star + 1);
    if (star == std::string::npos || colon == std::string::npos) continue;
    std::string key = line.substr(star + 1, colon - star - 1);
    std::string value = line.substr(colon + 2);
    value.erase(std::remove(value.begin(), value.end(), '`'), value.end());
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(value.begin());
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    if (key.empty() || value.empty()) continue;
    std::string k = lower(key);
    if (k == "alert") a.summary = value;
    else if (k == "description") a.annotations["description"] = value;
    else if (k == "details" || k == "summary") a.annotations[k] = value;
    else if (k.find(' ') == std::string::npos) a.labels[key] = value;
  }
}

}  // namespace

Result<Alert> parse_alertmanager_slack(std::string_view message_json, Time posted_at,
                                       const std::vector<std::string>& services) {
  boost::system::error_code ec;
  json::value root = json::parse(message_json, ec);
  if (ec || !root.is_object()) return fail(Errc::ParseError, "slack message: not a JSON object");
  const auto& msg = root.as_object();
  auto* atts = msg.if_contains("attachments");
  if (!atts || !atts->is_array() || atts->as_array().empty() || !atts->as_array()[0].is_object()) {
    return fail(Errc::NotFound, "no attachments: not an Alertmanager message");
  }
  const auto& att = atts->as_array()[0].as_object();
  std::string title = json_string(att, "title");
  if (title.empty()) title = json_string(att, "fallback").substr(0, json_string(att, "fallback").find(" | "));
  auto parsed = parse_title(title);
  bool from_am = lower(json_string(msg, "username")).find("alertmanager") != std::string::npos;
  if (!parsed) {
    if (!from_am) return fail(Errc::NotFound, "not an Alertmanager message");
    return fail(Errc::ParseError, "Alertmanager message: cannot read the title '" + title.substr(0, 120) +
                                      "' (expected \"[FIRING:n] <labels> (<labels>)\")");
  }
  Alert a;
  a.source = "alertmanager-slack";
  a.status = parsed->status;
  a.count = parsed->count;
  a.starts_at = posted_at;
  a.summary = title;
  a.links.source = json_string(att, "title_link");
  if (!parsed->group_values.empty()) a.name = parsed->group_values.front();
  read_template_text(json_string(att, "text"), a);
  if (auto it = a.labels.find("alertname"); it != a.labels.end()) a.name = it->second;
  a.labels.emplace("alertname", a.name);
  std::vector<std::string> values = parsed->group_values;
  values.insert(values.end(), parsed->other_values.begin(), parsed->other_values.end());
  for (const auto& v : values) {
    if (a.severity.empty() && kSeverities.count(lower(v))) a.severity = lower(v);
    if (a.service.empty() && std::find(services.begin(), services.end(), v) != services.end()) a.service = v;
  }
  if (auto it = a.labels.find("severity"); it != a.labels.end()) a.severity = it->second;
  if (auto it = a.labels.find("service"); it != a.labels.end()) a.service = it->second;
  if (!a.severity.empty()) a.labels.emplace("severity", a.severity);
  if (!a.service.empty()) a.labels.emplace("service", a.service);
  // Group identity: the group-label values only (before " ("). The parenthesised common-label
  // values shrink when another alert joins the group, so they must not split the incident.
  std::string identity;
  for (const auto& v : parsed->group_values) identity += v + " ";
  a.group_key = "alertmanager-slack:" + identity;
  a.fingerprint = fnv1a_hex(identity);
  return a;
}

}  // namespace alertbot::investigators
