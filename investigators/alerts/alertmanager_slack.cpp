#include "investigators/alerts/alertmanager_slack.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <set>

#include "investigators/alerts/alert_limits.hpp"

namespace alertbot::investigators {
namespace {

using namespace alerts;

const std::set<std::string> kSeverities = {"critical", "page", "error", "warning", "warn", "info",
                                           "high", "medium", "low", "p1", "p2", "p3", "p4", "p5"};

// "• *severity:* `critical`" and "*Alert:* name - summary" lines of the community template.
void read_template_text(std::string_view text, Alert& a, std::vector<std::string>& warnings) {
  EntryCaps label_caps("text labels");
  EntryCaps annotation_caps("text annotations");
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    auto star = line.find('*');
    auto colon = line.find(":*", star == std::string_view::npos ? 0 : star + 1);
    if (star == std::string_view::npos || colon == std::string_view::npos) continue;
    std::string_view key = line.substr(star + 1, colon - star - 1);
    std::string value(trim(line.substr(colon + 2)));
    value.erase(std::remove(value.begin(), value.end(), '`'), value.end());
    value = std::string(trim(value));
    if (key.empty() || value.empty()) continue;
    std::string k = to_lower(key);
    if (k == "alert") a.summary = capped(value, "text *Alert:*", warnings);
    else if (k == "description" || k == "details" || k == "summary") annotation_caps.put(a.annotations, k, value, warnings);
    else if (k.find(' ') == std::string::npos) label_caps.put(a.labels, key, value, warnings);
  }
  label_caps.finish(warnings);
  annotation_caps.finish(warnings);
}

}  // namespace

bool looks_like_alertmanager_slack(const SlackMessage& m) {
  if (to_lower(m.username).find("alertmanager") != std::string::npos) return true;
  return (m.color == "danger" || m.color == "good") && parse_alert_title(slack_title(m)).has_value();
}

Result<Alert> alertmanager_slack_alert(const SlackMessage& m, Time posted_at, const std::vector<std::string>& services,
                                       std::vector<std::string>& warnings) {
  if (!m.has_attachments) return fail(Errc::NotFound, "no attachments: not an Alertmanager message");
  std::string title = capped(slack_title(m), "attachments[0].title", warnings);
  auto parsed = parse_alert_title(title);
  bool from_am = to_lower(m.username).find("alertmanager") != std::string::npos;
  if (!parsed) {
    if (!from_am) return fail(Errc::NotFound, "not an Alertmanager message");
    return fail(Errc::ParseError, "alertmanager-slack: attachments[0].title: cannot read '" +
                                      std::string(cut_utf8(title, 120)) + "' (expected \"[FIRING:n] <labels> (<labels>)\")");
  }
  Alert a;
  a.source = "alertmanager-slack";
  a.status = parsed->status;
  a.count = std::max(1, parsed->firing);
  a.starts_at = posted_at;
  a.summary = title;
  a.links.source = capped(m.title_link, "attachments[0].title_link", warnings);
  if (!parsed->group_values.empty()) a.name = parsed->group_values.front();
  read_template_text(m.attachment_text, a, warnings);
  if (auto it = a.labels.find("alertname"); it != a.labels.end()) a.name = it->second;
  if (a.name.empty()) return fail(Errc::ParseError, "alertmanager-slack: attachments[0].title: no alert name in '" +
                                                        std::string(cut_utf8(title, 120)) + "'");
  a.labels.emplace("alertname", a.name);
  std::vector<std::string> values = parsed->group_values;
  values.insert(values.end(), parsed->other_values.begin(), parsed->other_values.end());
  for (const auto& v : values) {
    if (a.severity.empty() && kSeverities.count(to_lower(v))) a.severity = to_lower(v);
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

Result<Alert> parse_alertmanager_slack(std::string_view message_json, Time posted_at,
                                       const std::vector<std::string>& services) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(message_json, ec);
  if (ec || !root.is_object()) return fail(Errc::ParseError, "slack message: not a JSON object");
  auto m = read_slack_message(root.as_object());
  if (!m || !m->has_attachments) return fail(Errc::NotFound, "no attachments: not an Alertmanager message");
  std::vector<std::string> warnings;
  return alertmanager_slack_alert(*m, posted_at, services, warnings);
}

}  // namespace alertbot::investigators
