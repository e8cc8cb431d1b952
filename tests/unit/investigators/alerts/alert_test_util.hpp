// Helpers for the alert parser tests: times written as epoch seconds + nanoseconds, a fixed
// context, and parse_alerts() over a file in tests/data.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "investigators/alerts/parse_alert.hpp"
#include "tests/support/test_data.hpp"

namespace alertbot::investigators::alert_tests {

inline Time epoch(long long secs, long long nanos = 0) {
  return Time(std::chrono::duration_cast<Time::duration>(std::chrono::seconds(secs) + std::chrono::nanoseconds(nanos)));
}

// Received 2026-12-01T00:00:00Z; services checkout and payments configured.
inline AlertContext test_context() { return AlertContext{epoch(1796083200), {"checkout", "payments"}}; }

inline Result<AlertBatch> parse_file(const std::string& relative, AlertFormat format = AlertFormat::Auto) {
  return parse_alerts(testing::read_test_file(relative), format, test_context());
}

// The message of a failed result ("" and a test failure when it succeeded).
template <class T>
std::string error_of(const Result<T>& r) {
  EXPECT_FALSE(r.has_value());
  return r.has_value() ? std::string() : r.error().message;
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace alertbot::investigators::alert_tests
