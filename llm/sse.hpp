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

// The same parsing, incremental: feed() the body's pieces as they arrive and get the events each
// piece completed. After a line that is not an SSE field, or past kMaxSseEvents or kMaxLineBytes
// of one unfinished line, it stops producing events (broken()); the caller's parse of the whole
// body then reports the error.
class SseStream {
 public:
  static constexpr std::size_t kMaxLineBytes = 4 * 1024 * 1024;
  std::vector<SseEvent> feed(std::string_view piece);
  bool broken() const { return broken_; }

 private:
  void line(std::string_view text, std::vector<SseEvent>& out);
  std::string partial_;  // the unfinished last line
  SseEvent cur_;
  bool has_data_ = false;
  bool broken_ = false;
  std::size_t events_ = 0;
};

}  // namespace alertbot::llm
