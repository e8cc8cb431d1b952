// Reading fields of untrusted JSON without exceptions: a missing or mistyped field reads as empty
// (callers that need it check for the empty value and say which field was wrong).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace alertbot {

// The string at `key`, or "" when absent or not a string.
std::string json_string(const boost::json::object& o, std::string_view key);
// The integer at `key` (int64 or uint64 that fits), or 0.
std::int64_t json_int(const boost::json::object& o, std::string_view key);
// The boolean at `key`, or false.
bool json_bool(const boost::json::object& o, std::string_view key);
// `text` as a JSON object. Errors: ParseError "<what>: not JSON (...)" or "<what>: not a JSON object".
Result<boost::json::object> parse_json_object(std::string_view text, std::string_view what);

}  // namespace alertbot
