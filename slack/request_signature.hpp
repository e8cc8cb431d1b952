// Slack request signing, version v0 (spec/slack.md section 7): the HMAC-SHA256 signature Slack
// puts on every HTTP-mode request (events, slash commands, interactivity), and its check. The
// basestring is "v0:<timestamp>:<raw body>" keyed with the app's signing secret; a request is
// accepted only when the signature matches (compared in constant time) and its timestamp is within
// the replay window of now, on either side. Time comes from the caller (`now`) or an injected
// Clock, never from the system. Pure functions: safe from any thread. Never logs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/clock.hpp"
#include "net/http_types.hpp"

namespace alertbot::slack {

inline constexpr std::string_view kTimestampHeader = "X-Slack-Request-Timestamp";
inline constexpr std::string_view kSignatureHeader = "X-Slack-Signature";
// Slack's replay window: a request stamped further than this from now is refused.
inline constexpr std::chrono::seconds kSignatureWindow{300};

// The outcome of a check. Every refusal has its own value so that logs and tests can tell them apart.
enum class SignatureVerdict {
  Valid,
  NoSecret,            // the bot has no signing secret: nothing can be verified, so nothing is accepted
  MissingTimestamp,    // no X-Slack-Request-Timestamp header
  MissingSignature,    // no X-Slack-Signature header
  MalformedTimestamp,  // not a plain number of seconds
  MalformedSignature,  // not "v0=" followed by 64 hex digits
  Stale,               // the timestamp is more than the window away from now (old or in the future)
  Mismatch,            // well formed but wrong: another secret, or the body was altered
};

// "signature mismatch", "timestamp outside the replay window", ... (for logs).
std::string_view to_string(SignatureVerdict v) noexcept;

// "v0=" + lowercase hex HMAC-SHA256(secret, "v0:" + timestamp + ":" + body). `timestamp` is the
// header's text exactly as sent.
std::string compute_signature(std::string_view secret, std::string_view timestamp, std::string_view body);

// The two headers Slack adds to a request sent at `now` (X-Slack-Request-Timestamp, X-Slack-Signature).
HttpHeaders sign_request(std::string_view secret, Clock::SystemTime now, std::string_view body);

// Checks the raw header values (absent: nullopt) against `body`, the exact bytes received.
SignatureVerdict verify_signature(std::string_view secret, std::optional<std::string_view> timestamp,
                                  std::optional<std::string_view> signature, std::string_view body,
                                  Clock::SystemTime now, std::chrono::seconds window = kSignatureWindow);
// Same, reading the headers (names are case-insensitive).
SignatureVerdict verify_signature(std::string_view secret, const HttpHeaders& headers, std::string_view body,
                                  Clock::SystemTime now, std::chrono::seconds window = kSignatureWindow);
// Same, with now = clock.system_now().
SignatureVerdict verify_signature(std::string_view secret, const HttpHeaders& headers, std::string_view body,
                                  const Clock& clock, std::chrono::seconds window = kSignatureWindow);

}  // namespace alertbot::slack
