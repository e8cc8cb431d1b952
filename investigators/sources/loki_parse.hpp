// Parsing of Loki log-query answers (/loki/api/v1/query_range, /query): the {"status","data"}
// envelope with resultType "streams", 2-element [ns, line] entries and Loki 3's 3-element
// [ns, line, {structuredMetadata, parsed}] entries. Timestamps are nanoseconds as decimal strings.
// Each line's level comes from its metadata or stream labels (level, detected_level, severity),
// else from the line itself. Pure functions; untrusted input is capped, never thrown through.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "investigators/evidence.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// Lines longer than this are cut (at a UTF-8 boundary).
inline constexpr std::size_t kMaxLogLineBytes = 4096;
// Entries beyond this many in one answer are ignored.
inline constexpr std::size_t kMaxLogLinesPerAnswer = 100000;

// The lines of a streams answer, in answer order (callers sort). Errors: ParseError (not JSON, not
// the envelope, a metric query's matrix/vector result, a malformed entry; the message names the
// field, e.g. `data.result[0].values[3][0]: expected a decimal string (nanoseconds), got 12`),
// HttpStatus for {"status":"error"} envelopes.
Result<std::vector<LogLine>> parse_loki_streams(std::string_view text);

// A level name as the bot compares it: critical | error | warn | info | debug | trace, another
// lower-case name (at most 16 bytes), or "" for unknown/empty.
std::string normalize_log_level(std::string_view level);

// The level a line states: `level=error`, `lvl=warn`, `"level":"error"`, `severity=...`, or an
// upper-case word (` ERROR `, `[WARN]`, `ERROR:`) near the start. "" when none.
std::string level_from_line(std::string_view line);

}  // namespace alertbot::investigators
