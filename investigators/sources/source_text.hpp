// Small text helpers the sources share for their messages: an untrusted body's start as one
// printable line, and a time of day. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "investigators/evidence.hpp"
#include "net/http_types.hpp"
#include "net/result.hpp"

namespace alertbot::investigators {

// How much of a plain-text error body goes into a message by default.
inline constexpr std::size_t kBodySnippet = 200;

// The first `max` bytes of `body` with control characters as spaces, trailing spaces removed and
// "..." when cut.
std::string body_snippet(std::string_view body, std::size_t max = kBodySnippet);
// "<backend>: HTTP <status> (not JSON) from <url>": an HttpStatus error for an answer whose
// Content-Type is not JSON (a proxy's error page, a plain-text 404).
Error not_json(std::string_view backend, const HttpResponse& resp, std::string_view url);
// "HH:MM:SS" (UTC) of `t`.
std::string clock_time(Time t);
// The same for Unix microseconds (trace backends' times).
std::string clock_time_us(std::int64_t unix_micros);

}  // namespace alertbot::investigators
