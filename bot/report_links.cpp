#include "bot/report_links.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bot/config.hpp"
#include "net/encoding.hpp"

namespace alertbot::bot {
namespace {

// Signatures are cut to 128 bits: plenty against guessing, short enough for a chat link.
constexpr std::size_t kSignatureHexDigits = 32;

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), md, &len);
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

}  // namespace

std::string report_signature(std::int64_t id, std::string_view secret) {
  return hmac_sha256_hex(secret, "report:" + std::to_string(id)).substr(0, kSignatureHexDigits);
}

std::string report_link(const std::string& public_url, std::int64_t id, std::string_view secret) {
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/reports/" + std::to_string(id) + "?sig=" + report_signature(id, secret);
}

bool valid_report_signature(std::int64_t id, std::string_view sig, std::string_view secret) {
  if (secret.empty() || sig.size() != kSignatureHexDigits) return false;
  const std::string want = report_signature(id, secret);
  return CRYPTO_memcmp(want.data(), sig.data(), kSignatureHexDigits) == 0;
}

std::string link_secret_for(const Config& config) {
  if (!config.server.link_secret.empty()) return config.server.link_secret;
  const std::string& base = config.slack.bot_token.empty() ? config.slack.signing_secret : config.slack.bot_token;
  if (base.empty()) return "";
  return hmac_sha256_hex(base, "alertbot report links");
}

}  // namespace alertbot::bot
