#include "investigators/alerts/alert_time.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/unit/investigators/alerts/alert_test_util.hpp"

namespace alertbot::investigators::alerts {
namespace {

using alert_tests::epoch;

Time any(std::string_view s) {
  auto t = parse_any_time(s);
  EXPECT_TRUE(t && *t) << s << ": " << (t ? "unset" : t.error().message);
  return t && *t ? **t : Time{};
}

TEST(AlertTime, Rfc3339WithZeroToNineFractionDigitsAndOffsets) {
  EXPECT_EQ(any("2026-11-25T03:47:53Z"), epoch(1795578473));
  EXPECT_EQ(any("2026-11-25T03:47:53.3Z"), epoch(1795578473, 300000000));
  EXPECT_EQ(any("2026-11-25T03:47:53.32Z"), epoch(1795578473, 320000000));
  EXPECT_EQ(any("2026-11-25T03:47:53.993Z"), epoch(1795578473, 993000000));
  EXPECT_EQ(any("2026-11-25T03:47:53.69811272Z"), epoch(1795578473, 698112720));
  EXPECT_EQ(any("2026-11-25T03:47:53.690154366Z"), epoch(1795578473, 690154366));
  EXPECT_EQ(any("2026-01-01T10:00:00+02:00"), epoch(1767254400));
  EXPECT_EQ(any("2026-01-01T03:00:00-05:00"), epoch(1767254400));
}

TEST(AlertTime, ZeroTimeAndEmptyMeanUnset) {
  for (std::string_view s : {"0001-01-01T00:00:00Z", "", "   ", "0"}) {
    auto t = parse_any_time(s);
    ASSERT_TRUE(t) << s;
    EXPECT_FALSE(t->has_value()) << s;
  }
  auto null = parse_any_time(boost::json::value(nullptr));
  ASSERT_TRUE(null);
  EXPECT_FALSE(null->has_value());
}

TEST(AlertTime, EpochNumbersByMagnitude) {
  EXPECT_EQ(any("1795578420"), epoch(1795578420));
  EXPECT_EQ(any("1795578420.5"), epoch(1795578420, 500000000));
  EXPECT_EQ(any("1767261600000"), epoch(1767261600));               // Datadog $DATE, ms
  EXPECT_EQ(any("1767261600123456"), epoch(1767261600, 123456000));  // Jaeger, µs
  EXPECT_EQ(any("1767261600123456789"), epoch(1767261600, 123456789));  // Loki, ns strings
  auto from_json = [](const boost::json::value& v) {
    auto t = parse_any_time(v);
    EXPECT_TRUE(t && *t);
    return t && *t ? **t : Time{};
  };
  EXPECT_EQ(from_json(boost::json::value(1795578420.5)), epoch(1795578420, 500000000));
  EXPECT_EQ(from_json(boost::json::value(1767261600000LL)), epoch(1767261600));
  EXPECT_EQ(from_json(boost::json::value(1767261600123456789ULL)), epoch(1767261600, 123456789));
}

TEST(AlertTime, ExplicitUnits) {
  auto ms = parse_epoch("1767261600123", EpochUnit::Millis);
  ASSERT_TRUE(ms);
  EXPECT_EQ(*ms, epoch(1767261600, 123000000));
  auto us = epoch_from_number(1767261600123456.0, EpochUnit::Micros);
  ASSERT_TRUE(us);
  EXPECT_NEAR(std::chrono::duration<double>(*us - epoch(1767261600, 123456000)).count(), 0, 1e-6);
  auto ns = parse_epoch("1767261600000000001", EpochUnit::Nanos);
  ASSERT_TRUE(ns);
  EXPECT_EQ(*ns, epoch(1767261600, 1));
}

TEST(AlertTime, GarbageAndOutOfRangeAreErrorsNotOverflow) {
  for (std::string_view s : {"yesterday", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z",
                             "9999-12-31T23:59:59Z", "0002-01-01T00:00:00Z", "99999999999999999999999",
                             "12abc", "2026-01-01T00:00:00+2:00", "-5"}) {
    auto t = parse_any_time(s);
    ASSERT_FALSE(t) << s;
    EXPECT_EQ(t.error().code, Errc::ParseError);
    EXPECT_NE(t.error().message.find("timestamp"), std::string::npos) << t.error().message;
  }
  EXPECT_FALSE(epoch_from_number(1e300, EpochUnit::Seconds));
  EXPECT_FALSE(epoch_from_number(std::nan(""), EpochUnit::Seconds));
  EXPECT_FALSE(parse_any_time(boost::json::value(1e300)));
  EXPECT_FALSE(parse_any_time(boost::json::value(boost::json::array{})));
}

}  // namespace
}  // namespace alertbot::investigators::alerts
