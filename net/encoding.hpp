// Hex and base64 for digests, ids and credentials. Pure; no allocation beyond the result.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace alertbot {

// Lowercase hex of every byte of `bytes`.
std::string to_hex(std::string_view bytes);
// Appends code point `cp` (at most U+10FFFF; the caller replaces surrogates) as UTF-8.
void append_utf8(std::string& out, char32_t cp);
// Standard or URL-safe base64, padding optional; decoding stops at the first '='. Leftover bits
// of an incomplete last group are dropped. nullopt when a character is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace alertbot
