#include "investigators/units.hpp"

#include "net/time_format.hpp"

#include <cmath>
#include <cstdio>

namespace alertbot::investigators {
namespace {

std::string sig3(double v) {
  char buf[64];
  double a = std::abs(v);
  if (a >= 100 || a == 0) std::snprintf(buf, sizeof buf, "%.0f", v);
  else if (a >= 10) std::snprintf(buf, sizeof buf, "%.1f", v);
  else if (a >= 1) std::snprintf(buf, sizeof buf, "%.2f", v);
  else std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

std::string format_value(double v, const std::string& unit) {
  if (unit == "seconds") {
    if (std::abs(v) < 1.0) return sig3(v * 1000) + " ms";
    return sig3(v) + " s";
  }
  if (unit == "ratio") return sig3(v * 100) + "%";
  if (unit == "rps") return sig3(v) + " req/s";
  return sig3(v);
}

std::string describe_metric(const std::string& name) {
  if (name == "latency") return "latency";
  if (name == "errors") return "error ratio";
  if (name == "saturation") return "saturation";
  if (name == "traffic") return "traffic";
  if (name == "alert") return "the alert's expression";
  return name;
}

std::string time_of_day(std::chrono::system_clock::time_point t) { return format_rfc3339(t, false).substr(11, 5) + " UTC"; }

std::string display_version(const std::string& v) {
  const bool sha = v.size() == 40 && v.find_first_not_of("0123456789abcdef") == std::string::npos;
  return sha ? v.substr(0, 12) : v;
}

}  // namespace alertbot::investigators
