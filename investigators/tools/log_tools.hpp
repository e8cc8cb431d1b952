// The LogQL that search_logs sends: the service's stream selector with a line filter. The filter
// text is untrusted (from a model or an MCP client), so it is always one quoted LogQL string.
// Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace alertbot::investigators::tools {

// `text` as a double-quoted LogQL (Go) string literal: quotes and backslashes escaped, control
// characters as \n, \r, \t or \xHH, invalid UTF-8 bytes as U+FFFD. Nothing in it can end the string.
std::string logql_string(std::string_view text);

// `selector |= "<text>"`: lines of the selected streams that contain `text`.
std::string with_line_filter(const std::string& selector, std::string_view text);

}  // namespace alertbot::investigators::tools
