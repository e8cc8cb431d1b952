// Report links: the URL of an investigation's full report page (/reports/<id>) carries a signature,
// so ids cannot be walked and a link cannot be altered into another report's. The signature is the
// first 32 hex digits of HMAC-SHA256(secret, "report:<id>"); links do not expire, and changing the
// secret revokes all of them. Pure; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace alertbot::bot {

struct Config;

// public_url + "/reports/<id>?sig=<signature>" (a trailing '/' of public_url is not doubled).
std::string report_link(const std::string& public_url, std::int64_t id, std::string_view secret);

// The signature of report `id` (32 lowercase hex digits).
std::string report_signature(std::int64_t id, std::string_view secret);

// True when `sig` is the signature of `id` under `secret`; compared in constant time. Always false
// for an empty secret (nothing was configured to sign with) or an empty signature.
bool valid_report_signature(std::int64_t id, std::string_view sig, std::string_view secret);

// The key links are signed with: server.link_secret when set, else HMAC-SHA256(slack.bot_token,
// else slack.signing_secret, "alertbot report links") as hex; "" when none of them is set (then no
// link validates).
std::string link_secret_for(const Config& config);

}  // namespace alertbot::bot
