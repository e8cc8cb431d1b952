// Hex and base64 for digests, ids and credentials, and UTF-8 checks for untrusted text. Pure; no
// allocation beyond the result.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace alertbot {

// Lowercase hex of every byte of `bytes`.
std::string to_hex(std::string_view bytes);
// Appends code point `cp` (at most U+10FFFF; the caller replaces surrogates) as UTF-8.
void append_utf8(std::string& out, char32_t cp);
// The length of the well-formed UTF-8 sequence at the start of `text` (1..4), or 0 when it is
// malformed (a stray continuation byte, a cut sequence, an overlong form, a surrogate, beyond
// U+10FFFF). 0 for empty text.
std::size_t utf8_sequence_length(std::string_view text);
// The offset of the first byte of `text` that is not part of well-formed UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view text);
// `text` with every byte that is not part of well-formed UTF-8 replaced by `with`.
std::string replace_invalid_utf8(std::string_view text, char with);
// Standard or URL-safe base64, padding optional; decoding stops at the first '='. Leftover bits
// of an incomplete last group are dropped. nullopt when a character is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace alertbot
