#include "investigators/sources/jaeger_parse.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <unordered_set>

namespace alertbot::investigators {
namespace {

namespace json = boost::json;

// Caps against a hostile or runaway backend.
constexpr std::size_t kMaxTraces = 1000;     // traces kept from one answer
constexpr std::size_t kMaxSpans = 20000;     // spans kept per trace
constexpr std::size_t kMaxAttrText = 512;    // db.statement, http.route, peer.service
constexpr std::size_t kMaxNameText = 256;    // service and operation names

std::string clip(std::string_view s, std::size_t max) { return std::string(s.substr(0, max)); }

std::string shown(const json::value* v) {
  if (!v) return "nothing";
  std::string s = json::serialize(*v);
  return s.size() > 40 ? s.substr(0, 40) + "..." : s;
}

Error bad(const std::string& where, const char* expected, const json::value* got) {
  return fail(Errc::ParseError, "jaeger: " + where + ": expected " + expected + ", got " + shown(got));
}

// A Jaeger id as lowercase hex; nullopt unless it is 1 to 32 hex digits.
std::optional<std::string> hex_id(const json::value* v) {
  if (!v || !v->is_string()) return std::nullopt;
  std::string_view s = v->get_string();
  if (s.empty() || s.size() > 32) return std::nullopt;
  std::string out(s);
  for (char& c : out) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Microseconds as a JSON integer (or a whole, finite double); nullopt otherwise.
std::optional<std::int64_t> micros(const json::value* v) {
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double() && std::isfinite(v->get_double()) && std::abs(v->get_double()) < 9e18 &&
      v->get_double() == std::floor(v->get_double())) {
    return static_cast<std::int64_t>(v->get_double());
  }
  return std::nullopt;
}

std::string tag_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return json::serialize(v);
  return {};
}

void read_tags(const json::value* tags, Span& s) {
  if (!tags || !tags->is_array()) return;
  std::string target, path;
  for (const auto& t : tags->as_array()) {
    if (!t.is_object()) continue;
    auto* key = t.as_object().if_contains("key");
    auto* value = t.as_object().if_contains("value");
    if (!key || !key->is_string() || !value) continue;
    std::string_view k = key->get_string();
    if (k == "error") {
      s.error = s.error || tag_text(*value) == "true";
    } else if (k == "otel.status_code") {
      s.error = s.error || tag_text(*value) == "ERROR";
    } else if (k == "http.status_code" || k == "http.response.status_code") {
      s.error = s.error || std::strtol(tag_text(*value).c_str(), nullptr, 10) >= 500;
    } else if (k == "db.statement" || (k == "db.query.text" && s.db_statement.empty())) {
      s.db_statement = clip(tag_text(*value), kMaxAttrText);
    } else if (k == "http.route") {
      s.http_route = clip(tag_text(*value), kMaxAttrText);
    } else if (k == "http.target") {
      target = clip(tag_text(*value), kMaxAttrText);
    } else if (k == "url.path") {
      path = clip(tag_text(*value), kMaxAttrText);
    } else if (k == "peer.service") {
      s.peer_service = clip(tag_text(*value), kMaxAttrText);
    }
  }
  if (s.http_route.empty()) s.http_route = !target.empty() ? std::move(target) : std::move(path);
}

// The CHILD_OF reference's span id, or "" (roots, FOLLOWS_FROM only, another trace's span).
Result<std::string> parent_of(const json::value* refs, const std::string& where, const std::string& trace_id) {
  if (!refs || refs->is_null()) return std::string();
  if (!refs->is_array()) return bad(where + ".references", "an array", refs);
  for (std::size_t i = 0; i < refs->as_array().size(); ++i) {
    const auto& r = refs->as_array()[i];
    auto* type = r.is_object() ? r.as_object().if_contains("refType") : nullptr;
    if (!type || !type->is_string() || type->get_string() != "CHILD_OF") continue;
    auto id = hex_id(r.as_object().if_contains("spanID"));
    if (!id) return bad(where + ".references[" + std::to_string(i) + "].spanID", "a hex id", r.as_object().if_contains("spanID"));
    auto tid = hex_id(r.as_object().if_contains("traceID"));
    if (tid && *tid != trace_id) return std::string();
    return std::move(*id);
  }
  return std::string();
}

std::string service_of(const json::object& span, const json::object* processes) {
  const json::value* proc = span.if_contains("process");
  if (auto* pid = span.if_contains("processID"); pid && pid->is_string() && processes) {
    if (auto* p = processes->if_contains(pid->get_string())) proc = p;
  }
  if (!proc || !proc->is_object()) return {};
  auto* name = proc->as_object().if_contains("serviceName");
  return name && name->is_string() ? clip(name->get_string(), kMaxNameText) : std::string();
}

Result<Span> parse_span(const json::value& v, const std::string& where, const std::string& trace_id,
                        const json::object* processes) {
  if (!v.is_object()) return bad(where, "an object", &v);
  const auto& o = v.as_object();
  Span s;
  auto id = hex_id(o.if_contains("spanID"));
  if (!id) return bad(where + ".spanID", "a hex id", o.if_contains("spanID"));
  s.span_id = std::move(*id);
  auto parent = parent_of(o.if_contains("references"), where, trace_id);
  if (!parent) return parent.error();
  s.parent_id = std::move(*parent);
  auto* op = o.if_contains("operationName");
  if (op && op->is_string()) s.operation = clip(op->get_string(), kMaxNameText);
  auto start = micros(o.if_contains("startTime"));
  if (!start) return bad(where + ".startTime", "an integer (microseconds)", o.if_contains("startTime"));
  auto duration = micros(o.if_contains("duration"));
  if (!duration || *duration < 0) return bad(where + ".duration", "a non-negative integer (microseconds)", o.if_contains("duration"));
  s.start_us = *start;
  s.duration_us = *duration;
  s.service = service_of(o, processes);
  read_tags(o.if_contains("tags"), s);
  return s;
}

void drop_dangling_parents(Trace& t) {
  std::unordered_set<std::string_view> ids;
  for (const auto& s : t.spans) ids.insert(s.span_id);
  for (auto& s : t.spans) {
    if (!s.parent_id.empty() && (s.parent_id == s.span_id || !ids.count(s.parent_id))) s.parent_id.clear();
  }
}

Result<Trace> parse_trace(const json::value& v, const std::string& where) {
  if (!v.is_object()) return bad(where, "an object", &v);
  const auto& o = v.as_object();
  Trace t;
  auto id = hex_id(o.if_contains("traceID"));
  if (!id) return bad(where + ".traceID", "a hex id", o.if_contains("traceID"));
  t.trace_id = std::move(*id);
  const json::object* processes = nullptr;
  if (auto* p = o.if_contains("processes"); p && !p->is_null()) {
    if (!p->is_object()) return bad(where + ".processes", "an object", p);
    processes = &p->as_object();
  }
  auto* spans = o.if_contains("spans");
  if (!spans || !spans->is_array()) return bad(where + ".spans", "an array", spans);
  const auto& arr = spans->as_array();
  t.spans.reserve(std::min(arr.size(), kMaxSpans));
  for (std::size_t i = 0; i < arr.size() && i < kMaxSpans; ++i) {
    auto span = parse_span(arr[i], where + ".spans[" + std::to_string(i) + "]", t.trace_id, processes);
    if (!span) return span.error();
    t.spans.push_back(std::move(*span));
  }
  drop_dangling_parents(t);
  return t;
}

// The first entry of a non-empty `errors` array as an Error, if any.
std::optional<Error> reported_error(const json::object& root) {
  auto* errors = root.if_contains("errors");
  if (!errors || !errors->is_array() || errors->as_array().empty()) return std::nullopt;
  const auto& e = errors->as_array()[0];
  std::string msg = "unknown error";
  std::int64_t code = 0;
  if (e.is_object()) {
    if (auto* m = e.as_object().if_contains("msg"); m && m->is_string()) msg = clip(m->get_string(), kMaxAttrText);
    if (auto* c = e.as_object().if_contains("code"); c && c->is_int64()) code = c->get_int64();
  }
  return fail(code == 404 ? Errc::NotFound : Errc::HttpStatus, "jaeger: " + msg + " (code " + std::to_string(code) + ")");
}

}  // namespace

Result<std::vector<Trace>> parse_jaeger_traces(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return fail(Errc::ParseError, "jaeger: not JSON (" + ec.message() + ")");
  if (!root.is_object()) return fail(Errc::ParseError, "jaeger: not a JSON object");
  const auto& o = root.as_object();
  auto* data = o.if_contains("data");
  bool no_data = !data || data->is_null() || (data->is_array() && data->as_array().empty());
  if (no_data) {
    if (auto err = reported_error(o)) return *err;
  }
  std::vector<Trace> out;
  if (!data || data->is_null()) return out;
  if (!data->is_array()) return bad("data", "an array of traces", data);
  const auto& arr = data->as_array();
  out.reserve(std::min(arr.size(), kMaxTraces));
  for (std::size_t i = 0; i < arr.size() && i < kMaxTraces; ++i) {
    auto t = parse_trace(arr[i], "data[" + std::to_string(i) + "]");
    if (!t) return t.error();
    out.push_back(std::move(*t));
  }
  return out;
}

}  // namespace alertbot::investigators
