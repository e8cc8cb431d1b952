// Timestamps in alert payloads, in every shape senders use (docs: spec section 0): RFC 3339 with
// 0-9 fractional digits and Z or an offset; the zero time 0001-01-01T00:00:00Z meaning "unset";
// Unix seconds as a number, possibly fractional; epoch milliseconds (Datadog $DATE, a string or a
// number); microseconds (Jaeger); nanoseconds as decimal strings (Loki, OTLP). Times outside
// 1678-2261 (what a nanosecond time_point holds) are errors, never overflow. Pure; never throws.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string_view>

#include "investigators/evidence.hpp"
#include "net/result.hpp"

namespace alertbot::investigators::alerts {

enum class EpochUnit { Seconds, Millis, Micros, Nanos };

// RFC 3339 text; nullopt for the zero time (any text starting with year 0001) or "".
// Errors: ParseError naming the text and the reason.
Result<std::optional<Time>> parse_rfc3339_time(std::string_view text);

// A decimal count since the epoch in `unit` ("1767261600000" ms; "1795578420.5" s). A fraction
// is allowed in every unit. Errors: ParseError (not a number, or out of range).
Result<Time> parse_epoch(std::string_view digits, EpochUnit unit);
Result<Time> epoch_from_number(double value, EpochUnit unit);

// The unit a bare epoch number most likely has, by magnitude: < 1e11 seconds (until year 5138),
// < 1e14 milliseconds, < 1e17 microseconds, else nanoseconds.
EpochUnit guess_epoch_unit(double magnitude);

// Any shape, unit guessed by magnitude for numbers and digit strings. nullopt for "", the zero
// time, 0 and null. Errors: ParseError "timestamp '<text>': <reason>".
Result<std::optional<Time>> parse_any_time(std::string_view text);
Result<std::optional<Time>> parse_any_time(const boost::json::value& v);

}  // namespace alertbot::investigators::alerts
