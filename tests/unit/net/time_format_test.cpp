#include <gtest/gtest.h>

#include "net/duration.hpp"
#include "net/time_format.hpp"

namespace alertbot {
namespace {

using namespace std::chrono;

long long ms_of(SystemTime t) { return duration_cast<milliseconds>(t.time_since_epoch()).count(); }

TEST(Rfc3339, ParsesEveryFractionLengthSeenLive) {
  EXPECT_EQ(ms_of(*parse_rfc3339("2026-11-25T03:50:30Z")), 1795578630000LL);
  EXPECT_EQ(ms_of(*parse_rfc3339("2026-11-25T03:50:30.32Z")), 1795578630320LL);
  EXPECT_EQ(ms_of(*parse_rfc3339("2026-11-25T03:50:30.993Z")), 1795578630993LL);
  auto ns = parse_rfc3339("2026-11-25T03:50:30.690154366Z");
  ASSERT_TRUE(ns);
  EXPECT_EQ(duration_cast<nanoseconds>(ns->time_since_epoch()).count() % 1'000'000'000, 690154366);
}

TEST(Rfc3339, AppliesOffsets) {
  EXPECT_EQ(*parse_rfc3339("2026-01-01T10:00:00+02:00"), *parse_rfc3339("2026-01-01T08:00:00Z"));
  EXPECT_EQ(*parse_rfc3339("2026-01-01T10:00:00-01:30"), *parse_rfc3339("2026-01-01T11:30:00Z"));
}

TEST(Rfc3339, RejectsMalformedText) {
  for (const char* bad : {"", "2026-01-01", "2026-01-01T10:00:00", "2026-13-01T10:00:00Z", "2026-01-01T10:00:00.Z",
                          "2026-01-01T10:00:00Zjunk", "yesterday"}) {
    auto r = parse_rfc3339(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::ParseError);
    }
  }
}

TEST(Rfc3339, ZeroTimeIsRecognisedAndFormatRoundTrips) {
  EXPECT_TRUE(is_zero_time("0001-01-01T00:00:00Z"));
  EXPECT_FALSE(is_zero_time("2026-01-01T00:00:00Z"));
  auto t = *parse_rfc3339("2026-12-01T23:52:16.123Z");
  EXPECT_EQ(format_rfc3339(t), "2026-12-01T23:52:16.123Z");
  EXPECT_EQ(format_rfc3339(t, false), "2026-12-01T23:52:16Z");
}

TEST(SlackTs, KeepsMicrosecondsAndRoundTrips) {
  auto t = parse_slack_ts("1714000000.000100");
  ASSERT_TRUE(t);
  EXPECT_EQ(duration_cast<microseconds>(t->time_since_epoch()).count(), 1714000000000100LL);
  EXPECT_EQ(format_slack_ts(*t), "1714000000.000100");
  EXPECT_FALSE(parse_slack_ts("abc"));
  EXPECT_FALSE(parse_slack_ts(""));
}

TEST(Duration, ParsesUnitsAndCombinations) {
  EXPECT_EQ(*parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(*parse_duration("30s"), seconds(30));
  EXPECT_EQ(*parse_duration("5m"), minutes(5));
  EXPECT_EQ(*parse_duration("1h30m"), minutes(90));
  EXPECT_EQ(*parse_duration("7d"), hours(168));
  EXPECT_EQ(*parse_duration("1.5h"), minutes(90));
}

TEST(Duration, RejectsMissingOrUnknownUnits) {
  for (const char* bad : {"", "10", "10x", "-5s", "s", "5 s", "1h 2m"}) {
    auto r = parse_duration(bad);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_NE(parse_duration("10x").error().message.find("unknown unit 'x'"), std::string::npos);
}

TEST(Duration, FormatsShortestExactSpelling) {
  EXPECT_EQ(format_duration(milliseconds(90000)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(hours(48)), "2d");
}

}  // namespace
TEST(SlackTs, BeyondTheClocksRangeIsAnErrorNotAnOverflow) {
  // Found by fuzzing: 12 digits of seconds overflowed the nanosecond clock.
  auto t = parse_slack_ts("171171140000");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::ParseError);
  EXPECT_TRUE(parse_slack_ts("9199999999.000001"));
}

}  // namespace alertbot
