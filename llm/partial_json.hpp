// Reading a JSON answer while it streams in: the model's structured answer arrives piece by
// piece, and the report shows its summary growing before the whole object is there.
#pragma once

#include <string>
#include <string_view>

namespace alertbot::llm {

// The value of the string member `key` of the top-level object in `prefix` (the start of a JSON
// text still arriving), decoded as far as it has come: an unfinished escape or \u sequence at the
// end is left out, and so is a UTF-8 character whose last bytes have not arrived. "" when that member has not started, is not a string, or `prefix` is not an
// object. Keys are compared as written (escaped keys never match). Linear in `prefix`.
std::string partial_string_member(std::string_view prefix, std::string_view key);

}  // namespace alertbot::llm
