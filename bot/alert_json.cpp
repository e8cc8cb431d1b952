#include "bot/alert_json.hpp"

#include <boost/json.hpp>

#include "net/time_format.hpp"
#include "net/json_fields.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;

json::object string_map(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

std::map<std::string, std::string> read_map(const json::object& o, std::string_view key) {
  std::map<std::string, std::string> out;
  if (auto* v = o.if_contains(key); v && v->is_object()) {
    for (const auto& [k, val] : v->as_object()) {
      if (val.is_string()) out[std::string(k)] = std::string(val.get_string());
    }
  }
  return out;
}

}  // namespace

json::object to_alert_json(const investigators::Alert& a) {
  json::object o{{"source", a.source},
                 {"name", a.name},
                 {"status", investigators::to_string(a.status)},
                 {"severity", a.severity},
                 {"service", a.service},
                 {"summary", a.summary},
                 {"labels", string_map(a.labels)},
                 {"annotations", string_map(a.annotations)},
                 {"starts_at", format_rfc3339(a.starts_at)},
                 {"ends_at", a.ends_at ? json::value(format_rfc3339(*a.ends_at)) : json::value(nullptr)},
                 {"fingerprint", a.fingerprint},
                 {"group_key", a.group_key},
                 {"count", a.count}};
  o["links"] = {{"generator", a.links.generator}, {"runbook", a.links.runbook}, {"dashboard", a.links.dashboard},
                {"silence", a.links.silence}, {"source", a.links.source}};
  return o;
}

Result<investigators::Alert> from_alert_json(const json::value& v) {
  if (!v.is_object()) return fail(Errc::ParseError, "alert: not an object");
  const auto& o = v.as_object();
  investigators::Alert a;
  a.source = json_string(o, "source");
  a.name = json_string(o, "name");
  std::string status = json_string(o, "status");
  if (status != "firing" && status != "resolved") return fail(Errc::ParseError, "alert.status: expected firing or resolved");
  a.status = status == "firing" ? investigators::AlertStatus::Firing : investigators::AlertStatus::Resolved;
  a.severity = json_string(o, "severity");
  a.service = json_string(o, "service");
  a.summary = json_string(o, "summary");
  a.labels = read_map(o, "labels");
  a.annotations = read_map(o, "annotations");
  auto starts = parse_rfc3339(json_string(o, "starts_at"));
  if (!starts) return fail(Errc::ParseError, "alert.starts_at: " + starts.error().message);
  a.starts_at = *starts;
  if (auto ends = json_string(o, "ends_at"); !ends.empty()) {
    auto t = parse_rfc3339(ends);
    if (!t) return fail(Errc::ParseError, "alert.ends_at: " + t.error().message);
    a.ends_at = *t;
  }
  a.fingerprint = json_string(o, "fingerprint");
  a.group_key = json_string(o, "group_key");
  if (auto* c = o.if_contains("count"); c && c->is_int64()) a.count = static_cast<int>(c->get_int64());
  auto links = read_map(o, "links");
  a.links = {links["generator"], links["runbook"], links["dashboard"], links["silence"], links["source"]};
  return a;
}

}  // namespace alertbot::bot
