// Server-sent events (text/event-stream) parsed from a complete body: `event:` and `data:` fields
// (several data lines join with '\n'), a blank line dispatches, ':' lines are comments, CRLF or LF.
// A trailing event without its blank line is still dispatched. Caps: event count and body size.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"

namespace alertbot::llm {

struct SseEvent {
  std::string event;  // "" when the stream sent no event: field
  std::string data;
};

inline constexpr std::size_t kMaxSseEvents = 100000;

// Errors: ProtocolError when the body holds more than kMaxSseEvents events or a line that is not
// an SSE field (e.g. a JSON body where a stream was expected).
Result<std::vector<SseEvent>> parse_sse(std::string_view body);

}  // namespace alertbot::llm
