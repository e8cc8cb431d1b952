// IsoWeek: an ISO 8601 week ("2026-W47": weeks start on Monday; week 1 holds the year's first
// Thursday), the digest's unit. Pure calendar arithmetic on std::chrono dates; no time zones.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace alertbot::bot {

struct IsoWeek {
  int year = 0;
  unsigned week = 0;  // 1..53

  // The week holding `day`.
  static IsoWeek of(std::chrono::sys_days day);
  // "2026-W47" (also "2026-w47"). Errors: ParseError for another form or a week the year lacks.
  static Result<IsoWeek> parse(std::string_view text);
  // Its Monday.
  std::chrono::sys_days monday() const;
  // "2026-W47".
  std::string str() const;
  friend bool operator==(const IsoWeek&, const IsoWeek&) = default;
};

}  // namespace alertbot::bot
