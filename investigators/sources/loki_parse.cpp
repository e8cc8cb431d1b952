#include "investigators/sources/loki_parse.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdint>

namespace alertbot::investigators {
namespace {

namespace json = boost::json;

// Stream labels and metadata keys that carry a level, in order of preference.
constexpr const char* kLevelKeys[] = {"level", "detected_level", "severity", "lvl"};
// Keys a line may state its level with (key=value or "key":"value").
constexpr std::string_view kLineLevelKeys[] = {"level", "lvl", "severity", "loglevel"};
// Upper-case level words are looked for only this far into a line.
constexpr std::size_t kLevelWordScan = 256;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

// What a JSON value looks like, for error messages: the value itself when short.
std::string describe(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 40) s = s.substr(0, 40) + "...";
  return s;
}

std::string cut_line(std::string_view line) {
  if (line.size() <= kMaxLogLineBytes) return std::string(line);
  std::size_t n = kMaxLogLineBytes;
  while (n > 0 && (static_cast<unsigned char>(line[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 sequence
  return std::string(line.substr(0, n));
}

// The level in a label/metadata object, normalised; "" when none.
std::string level_in(const json::object* o) {
  if (!o) return {};
  for (const char* key : kLevelKeys) {
    if (auto* v = o->if_contains(key); v && v->is_string()) {
      std::string level = normalize_log_level(v->get_string());
      if (!level.empty()) return level;
    }
  }
  return {};
}

Result<json::object const*> object_or_null(const json::value* v, const std::string& field) {
  if (!v || v->is_null()) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return fail(Errc::ParseError, "loki: " + field + ": expected an object, got " + describe(*v));
  return &v->as_object();
}

// Nanoseconds since the epoch from a decimal string (at most 19 digits: fits int64).
Result<Time> parse_ns(const json::value& v, const std::string& field) {
  if (!v.is_string()) {
    return fail(Errc::ParseError, "loki: " + field + ": expected a decimal string (nanoseconds), got " + describe(v));
  }
  std::string_view s = v.get_string();
  if (s.empty() || s.size() > 19) return fail(Errc::ParseError, "loki: " + field + ": not a nanosecond timestamp: " + describe(v));
  std::int64_t ns = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return fail(Errc::ParseError, "loki: " + field + ": not a nanosecond timestamp: " + describe(v));
    ns = ns * 10 + (c - '0');
  }
  return Time(std::chrono::duration_cast<Time::duration>(std::chrono::nanoseconds(ns)));
}

// One [ns, line] or [ns, line, {structuredMetadata, parsed}] entry.
Result<LogLine> parse_entry(const json::value& v, const std::string& stream_level, const std::string& field) {
  if (!v.is_array() || v.as_array().size() < 2 || v.as_array().size() > 3) {
    return fail(Errc::ParseError, "loki: " + field + ": expected [ns, line] or [ns, line, metadata], got " + describe(v));
  }
  const auto& a = v.as_array();
  auto t = parse_ns(a[0], field + "[0]");
  if (!t) return t.error();
  if (!a[1].is_string()) return fail(Errc::ParseError, "loki: " + field + "[1]: expected a string (the line), got " + describe(a[1]));
  LogLine line;
  line.t = *t;
  line.line = cut_line(a[1].get_string());
  if (a.size() == 3) {
    auto meta = object_or_null(&a[2], field + "[2]");
    if (!meta) return meta.error();
    if (*meta) {
      for (const char* part : {"structuredMetadata", "parsed"}) {
        auto inner = object_or_null((*meta)->if_contains(part), field + "[2]." + part);
        if (!inner) return inner.error();
        if (line.level.empty()) line.level = level_in(*inner);
      }
    }
  }
  if (line.level.empty()) line.level = stream_level;
  if (line.level.empty()) line.level = level_from_line(line.line);
  return line;
}

Error envelope_error(const json::object& o) {
  auto str = [&](const char* k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  std::string type = str("errorType");
  return fail(Errc::HttpStatus, "loki: " + (type.empty() ? std::string("error") : type) + ": " + str("error"));
}

}  // namespace

std::string normalize_log_level(std::string_view level) {
  std::string l = lower(level.substr(0, 16));
  if (l == "err" || l == "error" || l == "eror") return "error";
  if (l == "warn" || l == "warning" || l == "wrn") return "warn";
  if (l == "info" || l == "information" || l == "notice" || l == "inf") return "info";
  if (l == "debug" || l == "dbg") return "debug";
  if (l == "trace" || l == "trc") return "trace";
  if (l == "critical" || l == "crit" || l == "fatal" || l == "panic" || l == "emerg" || l == "emergency" || l == "alert") {
    return "critical";
  }
  if (l == "unknown") return {};
  return l;
}

std::string level_from_line(std::string_view line) {
  std::string low = lower(line);
  for (std::string_view key : kLineLevelKeys) {
    for (std::size_t pos = low.find(key); pos != std::string::npos; pos = low.find(key, pos + 1)) {
      if (pos > 0 && ident_char(low[pos - 1])) continue;
      std::size_t i = pos + key.size();
      if (i < low.size() && low[i] == '"') ++i;  // JSON key's closing quote
      if (i >= low.size() || (low[i] != '=' && low[i] != ':')) continue;
      ++i;
      while (i < low.size() && (low[i] == ' ' || low[i] == '"')) ++i;
      std::size_t end = i;
      while (end < low.size() && std::isalpha(static_cast<unsigned char>(low[end]))) ++end;
      std::string level = normalize_log_level(std::string_view(low).substr(i, end - i));
      if (!level.empty()) return level;
    }
  }
  std::string_view head = line.substr(0, kLevelWordScan);
  for (std::size_t i = 0; i < head.size();) {
    if (!std::isupper(static_cast<unsigned char>(head[i]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < head.size() && std::isalpha(static_cast<unsigned char>(head[end]))) ++end;
    bool word = (i == 0 || !std::isalnum(static_cast<unsigned char>(head[i - 1]))) &&
                (end == head.size() || !std::isalnum(static_cast<unsigned char>(head[end])));
    std::string_view w = head.substr(i, end - i);
    bool all_upper = std::all_of(w.begin(), w.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
    if (word && all_upper && w.size() >= 3) {
      std::string level = normalize_log_level(w);
      if (level == "error" || level == "warn" || level == "info" || level == "debug" || level == "trace" ||
          level == "critical") {
        return level;
      }
    }
    i = end;
  }
  return {};
}

Result<std::vector<LogLine>> parse_loki_streams(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return fail(Errc::ParseError, "loki: answer is not JSON (" + ec.message() + ")");
  if (!root.is_object()) return fail(Errc::ParseError, "loki: answer is not a JSON object");
  const auto& o = root.as_object();
  auto* status = o.if_contains("status");
  if (!status || !status->is_string()) return fail(Errc::ParseError, "loki: status: missing or not a string");
  if (status->get_string() != "success") return envelope_error(o);
  auto* data = o.if_contains("data");
  if (!data || !data->is_object()) return fail(Errc::ParseError, "loki: data: missing or not an object");
  auto* type = data->as_object().if_contains("resultType");
  if (!type || !type->is_string()) return fail(Errc::ParseError, "loki: data.resultType: missing or not a string");
  if (type->get_string() != "streams") {
    return fail(Errc::ParseError, "loki: data.resultType: '" + std::string(type->get_string()) +
                                      "' is a metric query's result; the logs source needs a log query (a stream selector)");
  }
  auto* result = data->as_object().if_contains("result");
  if (!result || !result->is_array()) return fail(Errc::ParseError, "loki: data.result: missing or not an array");
  std::vector<LogLine> out;
  const auto& streams = result->as_array();
  for (std::size_t i = 0; i < streams.size() && out.size() < kMaxLogLinesPerAnswer; ++i) {
    std::string field = "data.result[" + std::to_string(i) + "]";
    if (!streams[i].is_object()) return fail(Errc::ParseError, "loki: " + field + ": expected an object, got " + describe(streams[i]));
    const auto& s = streams[i].as_object();
    auto labels = object_or_null(s.if_contains("stream"), field + ".stream");
    if (!labels) return labels.error();
    std::string stream_level = level_in(*labels);
    auto* values = s.if_contains("values");
    if (!values || !values->is_array()) return fail(Errc::ParseError, "loki: " + field + ".values: missing or not an array");
    const auto& entries = values->as_array();
    for (std::size_t j = 0; j < entries.size() && out.size() < kMaxLogLinesPerAnswer; ++j) {
      auto line = parse_entry(entries[j], stream_level, field + ".values[" + std::to_string(j) + "]");
      if (!line) return line.error();
      out.push_back(std::move(*line));
    }
  }
  return out;
}

}  // namespace alertbot::investigators
