#include "investigators/sources/prometheus_response.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>

#include "net/time_format.hpp"

namespace alertbot::investigators {
namespace {

namespace json = boost::json;

// One [ts, "value"] pair; false when malformed. Non-finite values set `finite` false.
bool parse_sample(const json::value& v, Point& out, bool& finite) {
  if (!v.is_array() || v.as_array().size() != 2) return false;
  const auto& a = v.as_array();
  double ts;
  if (a[0].is_double()) ts = a[0].get_double();
  else if (a[0].is_int64()) ts = static_cast<double>(a[0].get_int64());
  else if (a[0].is_uint64()) ts = static_cast<double>(a[0].get_uint64());
  else return false;
  if (!std::isfinite(ts) || std::abs(ts) > kMaxUnixSeconds) return false;  // not a time the clock holds
  if (!a[1].is_string()) return false;
  std::string s(a[1].get_string());
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return false;
  out = Point{from_unix_seconds(ts), value};
  finite = std::isfinite(value);
  return true;
}

Result<std::map<std::string, std::string>> parse_labels(const json::value* m) {
  std::map<std::string, std::string> out;
  if (!m) return out;
  if (!m->is_object()) return fail(Errc::ParseError, "prometheus: 'metric' is not an object");
  for (const auto& [k, v] : m->as_object()) {
    if (v.is_string()) out[std::string(k)] = std::string(v.get_string());
  }
  return out;
}

}  // namespace

Result<std::vector<PromSeries>> parse_prometheus_result(std::string_view body) {
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) return fail(Errc::ParseError, "prometheus: answer is not a JSON object");
  const auto& o = root.as_object();
  auto* status = o.if_contains("status");
  if (!status || !status->is_string()) return fail(Errc::ParseError, "prometheus: missing 'status'");
  if (status->get_string() != "success") {
    auto str = [&](const char* k) {
      auto* v = o.if_contains(k);
      return v && v->is_string() ? std::string(v->get_string()) : std::string("?");
    };
    return fail(Errc::HttpStatus, "prometheus: " + str("errorType") + ": " + str("error"));
  }
  auto* data = o.if_contains("data");
  if (!data || !data->is_object()) return fail(Errc::ParseError, "prometheus: missing object 'data'");
  auto* type = data->as_object().if_contains("resultType");
  auto* result = data->as_object().if_contains("result");
  if (!type || !type->is_string() || !result) return fail(Errc::ParseError, "prometheus: missing 'resultType' or 'result'");
  std::vector<PromSeries> out;
  Point p;
  bool finite = true;
  if (type->get_string() == "scalar") {
    if (!parse_sample(*result, p, finite)) return fail(Errc::ParseError, "prometheus: malformed scalar");
    PromSeries s;
    if (finite) s.points.push_back(p);
    out.push_back(std::move(s));
    return out;
  }
  bool matrix = type->get_string() == "matrix";
  if (!matrix && type->get_string() != "vector") {
    return fail(Errc::ParseError, "prometheus: unsupported resultType '" + std::string(type->get_string()) + "'");
  }
  if (!result->is_array()) return fail(Errc::ParseError, "prometheus: 'result' is not an array");
  for (const auto& item : result->as_array()) {
    if (!item.is_object()) return fail(Errc::ParseError, "prometheus: result item is not an object");
    PromSeries s;
    auto labels = parse_labels(item.as_object().if_contains("metric"));
    if (!labels) return labels.error();
    s.labels = std::move(*labels);
    const char* key = matrix ? "values" : "value";
    auto* samples = item.as_object().if_contains(key);
    if (!samples) return fail(Errc::ParseError, std::string("prometheus: result item without '") + key + "'");
    if (matrix) {
      if (!samples->is_array()) return fail(Errc::ParseError, "prometheus: 'values' is not an array");
      for (const auto& v : samples->as_array()) {
        if (!parse_sample(v, p, finite)) return fail(Errc::ParseError, "prometheus: malformed sample in 'values'");
        if (finite) s.points.push_back(p);
      }
    } else {
      if (!parse_sample(*samples, p, finite)) return fail(Errc::ParseError, "prometheus: malformed 'value'");
      if (finite) s.points.push_back(p);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace alertbot::investigators
