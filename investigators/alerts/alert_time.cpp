#include "investigators/alerts/alert_time.hpp"

#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "investigators/alerts/alert_json.hpp"
#include "net/time_format.hpp"

namespace alertbot::investigators::alerts {
namespace {

using namespace std::chrono;

// time_point<system_clock> is int64 nanoseconds: about 1677-09-21 to 2262-04-11.
constexpr double kMaxAbsSeconds = 9.2e9;

Error bad(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 64));
  return fail(Errc::ParseError, "timestamp '" + shown + "': " + std::string(why));
}

double unit_seconds(EpochUnit unit) {
  switch (unit) {
    case EpochUnit::Seconds: return 1.0;
    case EpochUnit::Millis: return 1e-3;
    case EpochUnit::Micros: return 1e-6;
    case EpochUnit::Nanos: return 1e-9;
  }
  return 1.0;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

Result<std::optional<Time>> parse_rfc3339_time(std::string_view text) {
  if (text.empty() || is_zero_time(text)) return std::optional<Time>();
  if (text.size() > 64) return bad(text, "too long for a timestamp");
  if (text.size() >= 4 && all_digits(text.substr(0, 4))) {
    int year = std::atoi(std::string(text.substr(0, 4)).c_str());
    if (year < 1678 || year > 2261) return bad(text, "year out of range (1678-2261)");
  }
  auto t = parse_rfc3339(text);
  if (!t) return t.error();
  return std::optional<Time>(*t);
}

Result<Time> epoch_from_number(double value, EpochUnit unit) {
  double secs = value * unit_seconds(unit);
  if (!std::isfinite(secs) || std::fabs(secs) >= kMaxAbsSeconds) {
    return fail(Errc::ParseError, "timestamp " + std::to_string(value) + ": out of range");
  }
  // Whole seconds and the fraction apart, so large values keep their precision.
  double whole = std::floor(secs);
  auto ns = static_cast<long long>(std::llround((secs - whole) * 1e9));
  return Time(duration_cast<system_clock::duration>(seconds(static_cast<long long>(whole)) + nanoseconds(ns)));
}

Result<Time> parse_epoch(std::string_view digits, EpochUnit unit) {
  auto dot = digits.find('.');
  std::string_view whole = digits.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : digits.substr(dot + 1);
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(frac))) {
    return bad(digits, "expected a decimal number of " + std::string(unit == EpochUnit::Seconds  ? "seconds"
                                                                     : unit == EpochUnit::Millis ? "milliseconds"
                                                                     : unit == EpochUnit::Micros ? "microseconds"
                                                                                                 : "nanoseconds"));
  }
  if (whole.size() > 19) return bad(digits, "out of range");
  // Exact integer arithmetic in the unit: nanosecond strings have 19 digits, beyond a double's precision.
  unsigned long long n = std::strtoull(std::string(whole).c_str(), nullptr, 10);
  long long per_second = unit == EpochUnit::Seconds ? 1 : unit == EpochUnit::Millis ? 1000
                         : unit == EpochUnit::Micros ? 1000000 : 1000000000;
  unsigned long long secs = n / static_cast<unsigned long long>(per_second);
  if (secs >= static_cast<unsigned long long>(kMaxAbsSeconds)) return bad(digits, "out of range");
  long long rest_ns = static_cast<long long>(n % static_cast<unsigned long long>(per_second)) * (1000000000 / per_second);
  double frac_units = frac.empty() ? 0.0 : std::strtod(("0." + std::string(frac.substr(0, 12))).c_str(), nullptr);
  rest_ns += std::llround(frac_units * (1e9 / static_cast<double>(per_second)));
  return Time(duration_cast<system_clock::duration>(seconds(static_cast<long long>(secs)) + nanoseconds(rest_ns)));
}

EpochUnit guess_epoch_unit(double magnitude) {
  magnitude = std::fabs(magnitude);
  if (magnitude < 1e11) return EpochUnit::Seconds;
  if (magnitude < 1e14) return EpochUnit::Millis;
  if (magnitude < 1e17) return EpochUnit::Micros;
  return EpochUnit::Nanos;
}

Result<std::optional<Time>> parse_any_time(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) return std::optional<Time>();
  if (s.size() > 4 && s[4] == '-') return parse_rfc3339_time(s);
  std::string_view whole = s.substr(0, s.find('.'));
  if (!all_digits(whole)) return bad(s, "expected RFC 3339 or a Unix time");
  double magnitude = std::strtod(std::string(whole.substr(0, 20)).c_str(), nullptr);
  if (magnitude == 0) return std::optional<Time>();
  auto t = parse_epoch(s, guess_epoch_unit(magnitude));
  if (!t) return t.error();
  return std::optional<Time>(*t);
}

Result<std::optional<Time>> parse_any_time(const boost::json::value& v) {
  if (v.is_null()) return std::optional<Time>();
  if (v.is_string()) return parse_any_time(std::string_view(v.get_string()));
  if (v.is_int64() || v.is_uint64() || v.is_double()) {
    double d = v.is_int64() ? static_cast<double>(v.get_int64())
               : v.is_uint64() ? static_cast<double>(v.get_uint64()) : v.get_double();
    if (d == 0) return std::optional<Time>();
    if (v.is_uint64() || (v.is_int64() && v.get_int64() > 0)) {
      // Integers go through the exact decimal path (nanoseconds need all 19 digits).
      return parse_any_time(std::string_view(scalar_text(v)));
    }
    auto t = epoch_from_number(d, guess_epoch_unit(d));
    if (!t) return t.error();
    return std::optional<Time>(*t);
  }
  return fail(Errc::ParseError, "timestamp: expected a string or a number, got " + describe_value(v));
}

}  // namespace alertbot::investigators::alerts
