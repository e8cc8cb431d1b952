#include "investigators/sources/otlp_parse.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <unordered_set>

#include "net/encoding.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;

// Caps against a hostile or runaway backend.
constexpr std::size_t kMaxSpans = 20000;      // spans kept per trace
constexpr std::size_t kMaxSearchIds = 1000;   // trace ids kept from one search
constexpr std::size_t kMaxAttrText = 512;     // db.statement, http.route, peer.service
constexpr std::size_t kMaxNameText = 256;     // service and span names

std::string clip(std::string_view s, std::size_t max) { return std::string(s.substr(0, max)); }

// A short rendering of a value for error messages.
std::string shown(const json::value& v) {
  std::string s = json::serialize(v);
  return s.size() > 40 ? s.substr(0, 40) + "..." : s;
}

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Nanoseconds (decimal string or JSON integer) -> microseconds; nullopt when malformed.
std::optional<std::int64_t> nanos_to_micros(const json::value* v) {
  if (!v) return std::nullopt;
  std::uint64_t ns = 0;
  if (v->is_string()) {
    std::string_view s = v->get_string();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), ns);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  } else if (v->is_uint64()) {
    ns = v->get_uint64();
  } else if (v->is_int64() && v->get_int64() >= 0) {
    ns = static_cast<std::uint64_t>(v->get_int64());
  } else {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(ns / 1000);
}

// An OTLP AnyValue as text (stringValue, intValue as string or number, boolValue, doubleValue).
std::string any_value_text(const json::value& v) {
  if (!v.is_object()) return {};
  const auto& o = v.as_object();
  if (auto* s = o.if_contains("stringValue"); s && s->is_string()) return std::string(s->get_string());
  if (auto* i = o.if_contains("intValue")) {
    if (i->is_string()) return std::string(i->get_string());
    if (i->is_int64()) return std::to_string(i->get_int64());
    if (i->is_uint64()) return std::to_string(i->get_uint64());
  }
  if (auto* b = o.if_contains("boolValue"); b && b->is_bool()) return b->get_bool() ? "true" : "false";
  if (auto* d = o.if_contains("doubleValue"); d && d->is_number()) return json::serialize(*d);
  return {};
}

// What a span's attributes say, by the keys the model keeps.
struct SpanAttributes {
  bool error = false;
  std::string db, route_route, route_target, route_path, peer;
};

void read_attributes(const json::value* attrs, SpanAttributes& out) {
  if (!attrs || !attrs->is_array()) return;
  for (const auto& a : attrs->as_array()) {
    if (!a.is_object()) continue;
    auto* key = a.as_object().if_contains("key");
    auto* value = a.as_object().if_contains("value");
    if (!key || !key->is_string() || !value) continue;
    std::string_view k = key->get_string();
    if (k == "error") {
      out.error = out.error || any_value_text(*value) == "true";
    } else if (k == "http.status_code" || k == "http.response.status_code") {
      long code = std::strtol(any_value_text(*value).c_str(), nullptr, 10);
      out.error = out.error || code >= 500;
    } else if (k == "otel.status_code") {
      out.error = out.error || any_value_text(*value) == "ERROR";
    } else if (k == "db.statement" || (k == "db.query.text" && out.db.empty())) {
      out.db = clip(any_value_text(*value), kMaxAttrText);
    } else if (k == "http.route") {
      out.route_route = clip(any_value_text(*value), kMaxAttrText);
    } else if (k == "http.target") {
      out.route_target = clip(any_value_text(*value), kMaxAttrText);
    } else if (k == "url.path") {
      out.route_path = clip(any_value_text(*value), kMaxAttrText);
    } else if (k == "peer.service") {
      out.peer = clip(any_value_text(*value), kMaxAttrText);
    }
  }
}

bool status_is_error(const json::value* status) {
  if (!status || !status->is_object()) return false;
  auto* code = status->as_object().if_contains("code");
  if (!code) return false;
  if (code->is_string()) return code->get_string() == "STATUS_CODE_ERROR" || code->get_string() == "2";
  return code->is_int64() && code->get_int64() == 2;
}

std::string service_of(const json::object& batch) {
  auto* res = batch.if_contains("resource");
  if (!res || !res->is_object()) return {};
  auto* attrs = res->as_object().if_contains("attributes");
  if (!attrs || !attrs->is_array()) return {};
  for (const auto& a : attrs->as_array()) {
    if (!a.is_object()) continue;
    auto* key = a.as_object().if_contains("key");
    auto* value = a.as_object().if_contains("value");
    if (key && key->is_string() && key->get_string() == "service.name" && value) {
      return clip(any_value_text(*value), kMaxNameText);
    }
  }
  return {};
}

Result<Span> parse_span(const json::value& v, const std::string& where, std::string& trace_id) {
  if (!v.is_object()) return fail(Errc::ParseError, "otlp: " + where + ": expected an object, got " + shown(v));
  const auto& o = v.as_object();
  auto id_field = [&](const char* key, bool required) -> Result<std::string> {
    auto* f = o.if_contains(key);
    if (!f || (f->is_string() && f->get_string().empty())) {
      if (required) return fail(Errc::ParseError, "otlp: " + where + "." + key + ": missing");
      return std::string();
    }
    auto hex = f->is_string() ? otlp_id_to_hex(f->get_string()) : std::nullopt;
    if (!hex) return fail(Errc::ParseError, "otlp: " + where + "." + key + ": expected a hex or base64 id, got " + shown(*f));
    return std::move(*hex);
  };
  Span s;
  auto span_id = id_field("spanId", true);
  if (!span_id) return span_id.error();
  s.span_id = std::move(*span_id);
  auto parent = id_field("parentSpanId", false);
  if (!parent) return parent.error();
  if (parent->find_first_not_of('0') != std::string::npos) s.parent_id = std::move(*parent);
  auto tid = id_field("traceId", trace_id.empty());
  if (!tid) return tid.error();
  if (trace_id.empty()) trace_id = std::move(*tid);
  auto start = nanos_to_micros(o.if_contains("startTimeUnixNano"));
  auto end = nanos_to_micros(o.if_contains("endTimeUnixNano"));
  for (auto [key, t] : {std::pair{"startTimeUnixNano", &start}, std::pair{"endTimeUnixNano", &end}}) {
    if (!*t) {
      auto* f = o.if_contains(key);
      return fail(Errc::ParseError, "otlp: " + where + "." + key + ": expected nanoseconds as a decimal string, got " +
                                        (f ? shown(*f) : std::string("nothing")));
    }
  }
  s.start_us = *start;
  s.duration_us = std::max<std::int64_t>(0, *end - *start);
  if (auto* name = o.if_contains("name"); name && name->is_string()) s.operation = clip(name->get_string(), kMaxNameText);
  SpanAttributes attrs;
  read_attributes(o.if_contains("attributes"), attrs);
  s.error = attrs.error || status_is_error(o.if_contains("status"));
  s.db_statement = std::move(attrs.db);
  s.http_route = !attrs.route_route.empty() ? std::move(attrs.route_route)
                 : !attrs.route_target.empty() ? std::move(attrs.route_target)
                                               : std::move(attrs.route_path);
  s.peer_service = std::move(attrs.peer);
  return s;
}

// The array of resource spans, wherever this Tempo version put it; `key` names it for messages.
const json::array* resource_spans(const json::object& root, std::string& key) {
  const json::object* o = &root;
  if (auto* t = root.if_contains("trace"); t && t->is_object()) {
    o = &t->as_object();
    key = "trace.";
  }
  for (const char* k : {"batches", "resourceSpans"}) {
    if (auto* v = o->if_contains(k); v && v->is_array()) {
      key += k;
      return &v->as_array();
    }
  }
  return nullptr;
}

// Parents that are not spans of this trace (or the span itself) become "": the model's roots.
void drop_dangling_parents(Trace& t) {
  std::unordered_set<std::string_view> ids;
  for (const auto& s : t.spans) ids.insert(s.span_id);
  for (auto& s : t.spans) {
    if (!s.parent_id.empty() && (s.parent_id == s.span_id || !ids.count(s.parent_id))) s.parent_id.clear();
  }
}

}  // namespace

std::optional<std::string> otlp_id_to_hex(std::string_view id) {
  if ((id.size() == 16 || id.size() == 32) && is_hex(id)) return lower(id);
  while (!id.empty() && id.back() == '=') id.remove_suffix(1);
  if (id.size() != 11 && id.size() != 22) return std::nullopt;
  auto bytes = base64_decode(id);  // 11 characters give 8 bytes, 22 give 16; leftover bits are padding
  if (!bytes) return std::nullopt;
  return to_hex(*bytes);
}

Result<Trace> parse_otlp_trace(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return fail(Errc::ParseError, "otlp: not JSON (" + ec.message() + ")");
  if (!root.is_object()) return fail(Errc::ParseError, "otlp: not a JSON object");
  std::string key;
  const json::array* batches = resource_spans(root.as_object(), key);
  if (!batches) return fail(Errc::ParseError, "otlp: no 'batches' or 'resourceSpans' array");
  Trace trace;
  for (std::size_t b = 0; b < batches->size() && trace.spans.size() < kMaxSpans; ++b) {
    const auto& batch = (*batches)[b];
    std::string bwhere = key + "[" + std::to_string(b) + "]";
    if (!batch.is_object()) return fail(Errc::ParseError, "otlp: " + bwhere + ": expected an object, got " + shown(batch));
    std::string service = service_of(batch.as_object());
    const json::value* scopes = nullptr;
    std::string skey;
    for (const char* k : {"scopeSpans", "instrumentationLibrarySpans"}) {
      if ((scopes = batch.as_object().if_contains(k))) {
        skey = k;
        break;
      }
    }
    if (!scopes) continue;
    if (!scopes->is_array()) return fail(Errc::ParseError, "otlp: " + bwhere + "." + skey + ": expected an array");
    for (std::size_t si = 0; si < scopes->as_array().size(); ++si) {
      const auto& scope = scopes->as_array()[si];
      std::string swhere = bwhere + "." + skey + "[" + std::to_string(si) + "]";
      auto* spans = scope.is_object() ? scope.as_object().if_contains("spans") : nullptr;
      if (!spans) continue;
      if (!spans->is_array()) return fail(Errc::ParseError, "otlp: " + swhere + ".spans: expected an array, got " + shown(*spans));
      for (std::size_t i = 0; i < spans->as_array().size() && trace.spans.size() < kMaxSpans; ++i) {
        auto span = parse_span(spans->as_array()[i], swhere + ".spans[" + std::to_string(i) + "]", trace.trace_id);
        if (!span) return span.error();
        span->service = service;
        trace.spans.push_back(std::move(*span));
      }
    }
  }
  if (trace.spans.empty()) return fail(Errc::NotFound, "otlp: the trace has no spans");
  drop_dangling_parents(trace);
  return trace;
}

Result<std::vector<std::string>> parse_tempo_search(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return fail(Errc::ParseError, "tempo search: not JSON (" + ec.message() + ")");
  if (!root.is_object()) return fail(Errc::ParseError, "tempo search: not a JSON object");
  std::vector<std::string> ids;
  auto* traces = root.as_object().if_contains("traces");
  if (!traces || traces->is_null()) return ids;  // no matches: Tempo may omit the array
  if (!traces->is_array()) return fail(Errc::ParseError, "tempo search: traces: expected an array, got " + shown(*traces));
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < traces->as_array().size() && ids.size() < kMaxSearchIds; ++i) {
    const auto& t = traces->as_array()[i];
    auto* id = t.is_object() ? t.as_object().if_contains("traceID") : nullptr;
    if (!id || !id->is_string() || id->get_string().empty() || id->get_string().size() > 32 || !is_hex(id->get_string())) {
      return fail(Errc::ParseError, "tempo search: traces[" + std::to_string(i) + "].traceID: expected hex of at most 32 digits, got " +
                                        (id ? shown(*id) : std::string("nothing")));
    }
    std::string hex = std::string(32 - id->get_string().size(), '0') + lower(id->get_string());
    if (seen.insert(hex).second) ids.push_back(std::move(hex));
  }
  return ids;
}

}  // namespace alertbot::investigators
