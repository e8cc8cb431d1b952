#include "bot/iso_week.hpp"

#include <charconv>
#include <cstdio>

namespace alertbot::bot {
namespace {

using namespace std::chrono;

// Monday of week 1 of ISO year `y`: the Monday of the week holding January 4th.
sys_days week_one(int y) {
  const sys_days jan4 = year{y} / January / 4;
  return jan4 - days((weekday(jan4).iso_encoding() - 1));
}

}  // namespace

IsoWeek IsoWeek::of(sys_days day) {
  const sys_days thursday = day + days(4 - static_cast<int>(weekday(day).iso_encoding()));
  const int y = static_cast<int>(year_month_day(thursday).year());
  return IsoWeek{y, static_cast<unsigned>((thursday - week_one(y)).count() / 7 + 1)};
}

Result<IsoWeek> IsoWeek::parse(std::string_view text) {
  auto bad = [&] { return fail(Errc::ParseError, "week '" + std::string(text) + "': expected YYYY-Www, like 2026-W47"); };
  if (text.size() != 8 || text[4] != '-' || (text[5] != 'W' && text[5] != 'w')) return bad();
  int y = 0;
  unsigned w = 0;
  auto r1 = std::from_chars(text.data(), text.data() + 4, y);
  auto r2 = std::from_chars(text.data() + 6, text.data() + 8, w);
  if (r1.ec != std::errc() || r1.ptr != text.data() + 4 || r2.ec != std::errc() || r2.ptr != text.data() + 8) return bad();
  const IsoWeek week{y, w};
  if (w < 1 || w > 53 || IsoWeek::of(week.monday()) != week) {
    return fail(Errc::ParseError, "week '" + std::string(text) + "': " + std::to_string(y) + " has no week " +
                                      std::to_string(w));
  }
  return week;
}

sys_days IsoWeek::monday() const { return week_one(year) + days(7 * (static_cast<int>(week) - 1)); }

std::string IsoWeek::str() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02u", year, week);
  return buf;
}

}  // namespace alertbot::bot
