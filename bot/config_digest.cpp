// The digest section: channel, weekday (mon..sun), time (HH:MM) and timezone (an IANA zone that
// must load from /usr/share/zoneinfo).
#include "bot/config_sections.hpp"
#include "bot/time_zone.hpp"

namespace alertbot::bot::config_detail {
namespace {

inline constexpr Choice<unsigned> kWeekdays[] = {{"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4},
                                                 {"fri", 5}, {"sat", 6}, {"sun", 7}};

bool two_digits(std::string_view s, int max, int& out) {
  if (s.size() != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return false;
  out = (s[0] - '0') * 10 + (s[1] - '0');
  return out <= max;
}

}  // namespace

void read_digest(MapReader& r, DigestSettings& out) {
  r.string("channel", out.channel);
  r.choice<unsigned>("weekday", out.weekday, kWeekdays);
  std::string time;
  const bool has_time = r.has("time");
  r.string("time", time);
  r.string("timezone", out.timezone);
  r.finish();
  if (out.channel.empty()) r.fail_missing("channel");
  if (has_time) {
    const std::string_view t = time;
    if (t.size() != 5 || t[2] != ':' || !two_digits(t.substr(0, 2), 23, out.hour) ||
        !two_digits(t.substr(3, 2), 59, out.minute)) {
      r.fail("time", "expected HH:MM (00:00 to 23:59), got '" + time + "'");
    }
  }
  if (auto zone = TimeZone::load(out.timezone); !zone) r.fail("timezone", zone.error().message);
}

}  // namespace alertbot::bot::config_detail
