#include "net/errc.hpp"

#include "net/result.hpp"

namespace alertbot {
namespace {

// One static instance, never deleted through a base pointer (boost's error_category has a
// protected non-virtual destructor by design).
class ErrcCategory final : public boost::system::error_category {  // NOLINT(cppcoreguidelines-virtual-class-destructor)
 public:
  const char* name() const noexcept override { return "alertbot"; }
  std::string message(int ev) const override { return std::string(to_string(static_cast<Errc>(ev))); }
};

}  // namespace

const boost::system::error_category& errc_category() noexcept {
  static const ErrcCategory kCategory;
  return kCategory;
}

boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), errc_category()};
}

std::string_view to_string(Errc e) noexcept {
  switch (e) {
    case Errc::Ok: return "ok";
    case Errc::Timeout: return "timeout";
    case Errc::Cancelled: return "cancelled";
    case Errc::ConnectFailed: return "connect failed";
    case Errc::TlsError: return "tls error";
    case Errc::HttpStatus: return "http status";
    case Errc::TooLarge: return "too large";
    case Errc::ProtocolError: return "protocol error";
    case Errc::ParseError: return "parse error";
    case Errc::RateLimited: return "rate limited";
    case Errc::NotFound: return "not found";
    case Errc::Conflict: return "conflict";
    case Errc::Busy: return "busy";
    case Errc::InvalidArgument: return "invalid argument";
    case Errc::Unavailable: return "unavailable";
    case Errc::Internal: return "internal error";
  }
  return "unknown error";
}

std::string Error::describe() const {
  std::string out(to_string(code));
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

void throw_exception_from_error(const Error& e, const boost::source_location&) { throw ResultError(e); }

}  // namespace alertbot
