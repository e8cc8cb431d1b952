// TimeZone (TZif v2+ and its POSIX footer) against the system's zoneinfo and hand-made files, and
// IsoWeek's calendar: week 1, week 53, parsing, and weeks that lose or gain an hour to DST.
#include <gtest/gtest.h>

#include <string>

#include "bot/digest.hpp"
#include "bot/iso_week.hpp"
#include "bot/time_zone.hpp"

namespace {

using namespace std::chrono;
using alertbot::Errc;
using alertbot::bot::IsoWeek;
using alertbot::bot::TimeZone;

TimeZone::Seconds at(int y, unsigned m, unsigned d, int h, int min = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours(h) + minutes(min);
}

TimeZone zone(const char* name) {
  auto z = TimeZone::load(name);
  EXPECT_TRUE(z) << z.error().describe();
  return z ? *z : TimeZone::utc();
}

// A minimal TZif v2 file: no transitions, one type, and `footer` as its POSIX TZ string.
std::string tzif_with_footer(const std::string& footer, int utoff) {
  auto be32 = [](std::string& s, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xff);
  };
  auto block = [&](std::string& s) {
    s += "TZif2";
    s += std::string(15, '\0');
    for (std::uint32_t c : {0u, 0u, 0u, 0u, 1u, 4u}) be32(s, c);  // isut isstd leap time type char
    be32(s, static_cast<std::uint32_t>(utoff));
    s += '\0';
    s += '\0';
    s += std::string("XXX\0", 4);
  };
  std::string s;
  block(s);
  block(s);
  return s + "\n" + footer + "\n";
}

TEST(TimeZone, BerlinFollowsCentralEuropeanTime) {
  const TimeZone berlin = zone("Europe/Berlin");
  EXPECT_EQ(berlin.name(), "Europe/Berlin");
  EXPECT_EQ(berlin.offset_at(at(2026, 1, 15, 12)), hours(1));
  EXPECT_EQ(berlin.offset_at(at(2026, 7, 15, 12)), hours(2));
  // 2026-03-29 01:00 UTC clocks go from 02:00 to 03:00.
  EXPECT_EQ(berlin.offset_at(at(2026, 3, 29, 0, 59)), hours(1));
  EXPECT_EQ(berlin.offset_at(at(2026, 3, 29, 1, 0)), hours(2));
  // Far past the file's last transition, the footer rule decides.
  EXPECT_EQ(berlin.offset_at(at(2061, 7, 1, 12)), hours(2));
  EXPECT_EQ(berlin.offset_at(at(2061, 12, 1, 12)), hours(1));
}

TEST(TimeZone, LocalToUtcHandlesGapsAndRepeats) {
  const TimeZone berlin = zone("Europe/Berlin");
  EXPECT_EQ(berlin.to_utc(at(2026, 11, 16, 0)), at(2026, 11, 15, 23));
  EXPECT_EQ(berlin.to_local(at(2026, 11, 15, 23)), at(2026, 11, 16, 0));
  // 02:30 on 2026-03-29 does not exist: read with the winter offset it is 01:30 UTC (03:30 CEST).
  EXPECT_EQ(berlin.to_utc(at(2026, 3, 29, 2, 30)), at(2026, 3, 29, 1, 30));
  // 02:30 on 2026-10-25 happens twice: the earlier one (CEST) wins.
  EXPECT_EQ(berlin.to_utc(at(2026, 10, 25, 2, 30)), at(2026, 10, 25, 0, 30));
}

TEST(TimeZone, SouthernAndWesternZones) {
  const TimeZone ny = zone("America/New_York");
  EXPECT_EQ(ny.offset_at(at(2026, 1, 15, 12)), hours(-5));
  EXPECT_EQ(ny.offset_at(at(2026, 7, 15, 12)), hours(-4));
  const TimeZone sydney = zone("Australia/Sydney");
  EXPECT_EQ(sydney.offset_at(at(2026, 1, 15, 12)), hours(11));
  EXPECT_EQ(sydney.offset_at(at(2026, 7, 15, 12)), hours(10));
  EXPECT_EQ(sydney.offset_at(at(2061, 1, 15, 12)), hours(11));
}

TEST(TimeZone, FooterRulesAloneWork) {
  auto z = TimeZone::parse("Test/Rules", tzif_with_footer("CET-1CEST,M3.5.0,M10.5.0/3", 3600));
  ASSERT_TRUE(z) << z.error().describe();
  EXPECT_EQ(z->offset_at(at(2030, 3, 31, 0, 59)), hours(1));  // last Sunday of March 2030 is the 31st
  EXPECT_EQ(z->offset_at(at(2030, 3, 31, 1, 0)), hours(2));
  EXPECT_EQ(z->offset_at(at(2030, 10, 27, 0, 59)), hours(2));
  EXPECT_EQ(z->offset_at(at(2030, 10, 27, 1, 0)), hours(1));
  auto fixed = TimeZone::parse("Test/Fixed", tzif_with_footer("<+0530>-5:30", 19800));
  ASSERT_TRUE(fixed) << fixed.error().describe();
  EXPECT_EQ(fixed->offset_at(at(2030, 6, 1, 0)), hours(5) + minutes(30));
}

TEST(TimeZone, RejectsBadNamesAndFiles) {
  EXPECT_EQ(TimeZone::load("../etc/passwd").error().code, Errc::InvalidArgument);
  EXPECT_EQ(TimeZone::load("/etc/passwd").error().code, Errc::InvalidArgument);
  EXPECT_EQ(TimeZone::load("Mars/Olympus_Mons").error().code, Errc::NotFound);
  EXPECT_EQ(TimeZone::parse("x", "not a tzif file at all, really not, no no no no").error().code, Errc::ParseError);
  std::string v1 = tzif_with_footer("UTC0", 0);
  v1[4] = '\0';
  EXPECT_EQ(TimeZone::parse("x", v1).error().code, Errc::ParseError);
  EXPECT_EQ(TimeZone::parse("x", tzif_with_footer("UTC0", 0).substr(0, 60)).error().code, Errc::ParseError);
  EXPECT_TRUE(TimeZone::load("UTC"));
}

TEST(IsoWeek, FollowsIso8601) {
  EXPECT_EQ(IsoWeek::of(sys_days{year{2026} / 11 / 16}).str(), "2026-W47");
  EXPECT_EQ(IsoWeek::of(sys_days{year{2026} / 11 / 22}).str(), "2026-W47");
  EXPECT_EQ(IsoWeek::of(sys_days{year{2027} / 1 / 1}).str(), "2026-W53");  // 2026 has 53 weeks
  EXPECT_EQ(IsoWeek::of(sys_days{year{2024} / 12 / 30}).str(), "2025-W01");
  EXPECT_EQ(IsoWeek::parse("2026-W47").value().monday(), sys_days{year{2026} / 11 / 16});
  EXPECT_EQ(IsoWeek::parse("2025-W01").value().monday(), sys_days{year{2024} / 12 / 30});
  EXPECT_TRUE(IsoWeek::parse("2026-W53"));
  EXPECT_FALSE(IsoWeek::parse("2025-W53"));
  EXPECT_FALSE(IsoWeek::parse("2026-W00"));
  EXPECT_FALSE(IsoWeek::parse("2026-47"));
  EXPECT_FALSE(IsoWeek::parse("2026-W4x"));
}

TEST(IsoWeek, WeeksWithADstChangeAreShorterOrLonger) {
  const TimeZone berlin = zone("Europe/Berlin");
  const auto spring = alertbot::bot::week_window(IsoWeek::parse("2026-W13").value(), berlin);
  EXPECT_EQ(spring.to - spring.from, hours(167));
  const auto autumn = alertbot::bot::week_window(IsoWeek::parse("2026-W43").value(), berlin);
  EXPECT_EQ(autumn.to - autumn.from, hours(169));
}

}  // namespace
