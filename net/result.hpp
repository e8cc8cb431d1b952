// Result<T>: a value or an Error. Every function that can fail for reasons outside the program's
// control (network, peers, input, disk) returns one; exceptions are reserved for start-up config
// errors and bugs. Calling value() on an error throws ResultError (a bug at the call site).
#pragma once

#include <boost/system/result.hpp>
#include <stdexcept>

#include "net/errc.hpp"

namespace alertbot {

// Thrown only when code calls value() on a failed Result without checking it first.
class ResultError : public std::runtime_error {
 public:
  explicit ResultError(const Error& e) : std::runtime_error(e.describe()), error_(e) {}
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

// Usage: `return fail(Errc::ParseError, "envelope: missing envelope_id");`
inline Error fail(Errc code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace alertbot
