// Errc: the project's error codes for expected failures (network, HTTP, parsing, store), and
// Error, an Errc plus a human-readable message. Errors are values: see net/result.hpp.
#pragma once

#include <boost/system/error_code.hpp>
#include <string>
#include <string_view>

namespace alertbot {

enum class Errc {
  Ok = 0,
  Timeout,          // a deadline passed
  Cancelled,        // the caller cancelled (asio cancellation or shutdown)
  ConnectFailed,    // DNS, TCP connect or reset before a response
  TlsError,         // handshake or peer verification failed
  HttpStatus,       // an HTTP status the caller treats as failure (message says which)
  TooLarge,         // a body or frame exceeded its cap
  ProtocolError,    // the peer broke its protocol (bad frame, unexpected message)
  ParseError,       // input could not be parsed (message names field and reason)
  RateLimited,      // 429 or an equivalent that outlived its retries
  NotFound,         // the thing asked for does not exist
  Conflict,         // a uniqueness or state conflict (e.g. job not owned by this worker)
  Busy,             // a resource is locked or saturated; retry later
  InvalidArgument,  // the caller passed something invalid
  Unavailable,      // a dependency is down or not configured
  Internal,         // a bug or an unexpected library failure
};

const boost::system::error_category& errc_category() noexcept;
boost::system::error_code make_error_code(Errc e) noexcept;
std::string_view to_string(Errc e) noexcept;

// An expected failure: the code to branch on and a message for people (logs, reports).
struct Error {
  Errc code = Errc::Internal;
  std::string message;

  // "timeout: GET http://x/ took longer than 5s"
  std::string describe() const;
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace alertbot

template <>
struct boost::system::is_error_code_enum<alertbot::Errc> : std::true_type {};
