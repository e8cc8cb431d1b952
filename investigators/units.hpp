// Human-readable values for finding titles: 0.182 s -> "182 ms", 0.023 ratio -> "2.3%",
// 120.4 rps -> "120 req/s". Unknown units print the number with three significant digits.
#pragma once

#include <chrono>
#include <string>

namespace alertbot::investigators {

std::string format_value(double v, const std::string& unit);
// "p99 latency" for a series named latency, "error ratio" for errors, ...
std::string describe_metric(const std::string& name);
// A version for people: a full 40-hex commit SHA is cut to its first 12 digits; anything else as is.
std::string display_version(const std::string& version);
// "14:05 UTC": the minute of `t`, for finding titles.
std::string time_of_day(std::chrono::system_clock::time_point t);

}  // namespace alertbot::investigators
