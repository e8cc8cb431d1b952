// Durations as people write them in config and on the command line: an integer or decimal number
// followed by a unit: ms, s, m, h, d (e.g. "500ms", "30s", "1.5h", "7d"); several may be joined
// ("1h30m"). Parsing is strict: no sign, no spaces, a unit on every number.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace alertbot {

// Errors: ParseError with a message saying what is wrong ("'10x': unknown unit 'x'").
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact spelling: 90000ms -> "1m30s", 1500ms -> "1s500ms", 0 -> "0s".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace alertbot
