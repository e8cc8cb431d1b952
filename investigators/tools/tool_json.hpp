// What the investigator tools share to read their arguments and write their answers: compact
// JSON with numbers rounded for a reader (4 significant digits, non-finite as null), untrusted
// text made valid UTF-8 and cut at a character boundary, times in RFC 3339. Pure, thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace alertbot::investigators::tools {

// `v` serialized without spaces; doubles rounded to 4 significant digits and printed plainly
// ("0.1235", "1235", "1.2e-07"), NaN and infinities as null.
std::string to_compact_json(const boost::json::value& v);

// Byte budget for the main list of an answer: with the rest of it, well under kMaxToolResultBytes.
inline constexpr std::size_t kListBudget = 9000;

// Appends `item` to `list` when the items appended so far (`used` bytes, updated here) plus this
// one stay within `budget` bytes of compact JSON; false (nothing appended) otherwise.
bool append_within(boost::json::array& list, boost::json::value item, std::size_t& used, std::size_t budget = kListBudget);

// `text` as valid UTF-8 (each invalid byte becomes U+FFFD), at most `max` bytes; when cut, at a
// character boundary and ending in `mark` (counted in the `max`).
std::string clip(std::string_view text, std::size_t max, std::string_view mark = "...");

// "2026-11-25T03:40:00Z" (milliseconds only when the time has them).
std::string rfc3339(std::chrono::system_clock::time_point t);

// Milliseconds from microseconds, as a double (durations in answers are milliseconds).
inline double ms_of_us(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

// Argument readers for arguments the schema already checked: the integer (5 or 5.0) or string at
// `key`, else `fallback`.
std::int64_t int_arg(const boost::json::object& args, std::string_view key, std::int64_t fallback);
std::string string_arg(const boost::json::object& args, std::string_view key, std::string fallback = {});

}  // namespace alertbot::investigators::tools
