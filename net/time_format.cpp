#include "net/time_format.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace alertbot {
namespace {

using namespace std::chrono;

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Error bad(std::string_view text, const char* why) {
  return fail(Errc::ParseError, "timestamp '" + std::string(text.substr(0, 64)) + "': " + why);
}

}  // namespace

Result<SystemTime> parse_rfc3339(std::string_view text) {
  const std::string_view s = text;
  int y, mo, d, h, mi, sec;
  if (!read_int(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !read_int(s, 5, 2, mo) || s[7] != '-' ||
      !read_int(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !read_int(s, 11, 2, h) ||
      s[13] != ':' || !read_int(s, 14, 2, mi) || s[16] != ':' || !read_int(s, 17, 2, sec)) {
    return bad(s, "expected YYYY-MM-DDTHH:MM:SS");
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return bad(s, "field out of range");
  std::size_t pos = 19;
  long long nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (digits < 9) {
        nanos = nanos * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad(s, "empty fraction");
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  long offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!read_int(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !read_int(s, pos + 4, 2, om)) {
      return bad(s, "bad UTC offset");
    }
    offset_s = (oh * 3600L + om * 60L) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad(s, "missing Z or UTC offset");
  }
  if (pos != s.size()) return bad(s, "trailing characters");
  if (y < 1678 || y > 2261) return bad(s, "year outside 1678-2261");  // a nanosecond time_point's range
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  auto tp = system_clock::from_time_t(t) - seconds(offset_s);
  return time_point_cast<system_clock::duration>(tp + nanoseconds(nanos));
}

bool is_zero_time(std::string_view text) { return text.substr(0, 4) == "0001"; }

std::string format_rfc3339(SystemTime t, bool with_millis) {
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  long long secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int frac = static_cast<int>(ms - secs * 1000);
  time_t tt = static_cast<time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[80];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out(buf, static_cast<std::size_t>(n));
  if (with_millis) {
    std::snprintf(buf, sizeof buf, ".%03d", frac);
    out += buf;
  }
  out += 'Z';
  return out;
}

Result<SystemTime> parse_slack_ts(std::string_view ts) {
  auto dot = ts.find('.');
  std::string_view whole = ts.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : ts.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || frac.size() > 9) return fail(Errc::ParseError, "bad Slack ts '" + std::string(ts.substr(0, 32)) + "'");
  long long secs = 0;
  long long micros = 0;
  for (char c : whole) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return fail(Errc::ParseError, "bad Slack ts '" + std::string(ts.substr(0, 32)) + "'");
    secs = secs * 10 + (c - '0');
  }
  int digits = 0;
  for (char c : frac) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return fail(Errc::ParseError, "bad Slack ts '" + std::string(ts.substr(0, 32)) + "'");
    if (digits++ < 6) micros = micros * 10 + (c - '0');
  }
  for (; digits < 6; ++digits) micros *= 10;
  if (static_cast<double>(secs) > kMaxUnixSeconds) {
    return fail(Errc::ParseError, "Slack ts '" + std::string(ts.substr(0, 32)) + "' is beyond the year 2261");
  }
  return SystemTime(duration_cast<system_clock::duration>(seconds(secs) + microseconds(micros)));
}

std::string format_slack_ts(SystemTime t) {
  auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1000000), static_cast<long long>(us % 1000000));
  return buf;
}

SystemTime from_unix_seconds(double seconds) {
  // The clock counts nanoseconds in 64 bits: about +-292 years around 1970.
  if (std::isnan(seconds)) seconds = 0;
  seconds = std::clamp(seconds, -kMaxUnixSeconds, kMaxUnixSeconds);
  return SystemTime(duration_cast<system_clock::duration>(duration<double>(seconds)));
}

double to_unix_seconds(SystemTime t) { return duration<double>(t.time_since_epoch()).count(); }

}  // namespace alertbot
