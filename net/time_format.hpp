// Timestamps as the outside world writes them: RFC 3339 with 0-9 fractional digits and Z or an
// offset; Slack's "<seconds>.<micros>" ts strings; Unix seconds with a fraction. Parsing is
// strict and never throws.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace alertbot {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-25T03:44:32.32Z", "2026-01-01T10:00:00+02:00", "2026-11-25T03:50:30Z".
// Errors: ParseError naming the text.
Result<SystemTime> parse_rfc3339(std::string_view text);
// True for Alertmanager's "unset" time 0001-01-01T00:00:00Z.
bool is_zero_time(std::string_view text);

// UTC, millisecond precision: "2026-12-01T23:52:16.123Z" (or without the fraction).
std::string format_rfc3339(SystemTime t, bool with_millis = true);

// Slack ts "1714000000.000100" -> time point (microseconds). Errors: ParseError.
Result<SystemTime> parse_slack_ts(std::string_view ts);
// A time point as a Slack-style ts (what the emulator hands out).
std::string format_slack_ts(SystemTime t);

// Unix seconds, possibly fractional (Prometheus sample times). Values beyond +-kMaxUnixSeconds
// (the clock's range, about the years 1678..2261) are clamped to it; NaN is the epoch.
inline constexpr double kMaxUnixSeconds = 9.2e9;
SystemTime from_unix_seconds(double seconds);
double to_unix_seconds(SystemTime t);

}  // namespace alertbot
