// application/x-www-form-urlencoded bodies: encoding for requests the bot sends (Slack Web API)
// and decoding for requests it receives (slash commands, interactivity). Decoding is lenient
// about '+' (a space) and strict about bad percent escapes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/result.hpp"

namespace alertbot {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x%20y"; fields with an empty value are kept ("k=").
std::string form_encode(const FormFields& fields);
// Errors: ParseError on a malformed percent escape.
Result<FormFields> form_decode(std::string_view body);
// The first value of `key`, if any.
const std::string* form_get(const FormFields& fields, std::string_view key);

}  // namespace alertbot
