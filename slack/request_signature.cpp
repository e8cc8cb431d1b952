#include "slack/request_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

#include "net/encoding.hpp"

namespace alertbot::slack {
namespace {

constexpr std::string_view kVersion = "v0=";
constexpr std::size_t kHexDigits = 64;  // SHA-256: 32 bytes


// Whole seconds since the epoch; only digits are accepted (no sign, no spaces, no fraction).
std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.front() == '-') return std::nullopt;
  return value;
}

// The hex part of "v0=<64 hex>", lower-cased; nullopt when the shape is wrong.
std::optional<std::string> signature_hex(std::string_view signature) {
  if (signature.size() != kVersion.size() + kHexDigits || signature.substr(0, kVersion.size()) != kVersion) {
    return std::nullopt;
  }
  std::string hex(signature.substr(kVersion.size()));
  for (char& c : hex) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return hex;
}

}  // namespace

std::string_view to_string(SignatureVerdict v) noexcept {
  switch (v) {
    case SignatureVerdict::Valid: return "valid";
    case SignatureVerdict::NoSecret: return "no signing secret configured";
    case SignatureVerdict::MissingTimestamp: return "missing X-Slack-Request-Timestamp";
    case SignatureVerdict::MissingSignature: return "missing X-Slack-Signature";
    case SignatureVerdict::MalformedTimestamp: return "malformed X-Slack-Request-Timestamp";
    case SignatureVerdict::MalformedSignature: return "malformed X-Slack-Signature (expected v0=<64 hex digits>)";
    case SignatureVerdict::Stale: return "timestamp outside the replay window";
    case SignatureVerdict::Mismatch: return "signature mismatch";
  }
  return "unknown";
}

std::string compute_signature(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string base;
  base.reserve(3 + timestamp.size() + 1 + body.size());
  base.append("v0:").append(timestamp).append(":").append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(base.data()),
       base.size(), mac, &mac_len);
  return std::string(kVersion) + to_hex(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

HttpHeaders sign_request(std::string_view secret, Clock::SystemTime now, std::string_view body) {
  std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  std::string signature = compute_signature(secret, ts, body);
  return {{std::string(kTimestampHeader), std::move(ts)}, {std::string(kSignatureHeader), std::move(signature)}};
}

SignatureVerdict verify_signature(std::string_view secret, std::optional<std::string_view> timestamp,
                                  std::optional<std::string_view> signature, std::string_view body,
                                  Clock::SystemTime now, std::chrono::seconds window) {
  if (secret.empty()) return SignatureVerdict::NoSecret;
  if (!timestamp) return SignatureVerdict::MissingTimestamp;
  if (!signature) return SignatureVerdict::MissingSignature;
  auto ts = parse_timestamp(*timestamp);
  if (!ts) return SignatureVerdict::MalformedTimestamp;
  auto given = signature_hex(*signature);
  if (!given) return SignatureVerdict::MalformedSignature;
  // Before the HMAC: a replayed request is refused without spending the work.
  const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = now_s > *ts ? now_s - *ts : *ts - now_s;
  if (skew > window.count()) return SignatureVerdict::Stale;
  const std::string expected = compute_signature(secret, *timestamp, body).substr(kVersion.size());
  // Both are 64 bytes here; CRYPTO_memcmp takes the same time whatever the contents.
  if (CRYPTO_memcmp(expected.data(), given->data(), kHexDigits) != 0) return SignatureVerdict::Mismatch;
  return SignatureVerdict::Valid;
}

SignatureVerdict verify_signature(std::string_view secret, const HttpHeaders& headers, std::string_view body,
                                  Clock::SystemTime now, std::chrono::seconds window) {
  return verify_signature(secret, find_header(headers, kTimestampHeader), find_header(headers, kSignatureHeader), body,
                          now, window);
}

SignatureVerdict verify_signature(std::string_view secret, const HttpHeaders& headers, std::string_view body,
                                  const Clock& clock, std::chrono::seconds window) {
  return verify_signature(secret, headers, body, clock.system_now(), window);
}

}  // namespace alertbot::slack
