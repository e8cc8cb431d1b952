#include "llm/sse.hpp"

namespace alertbot::llm {

Result<std::vector<SseEvent>> parse_sse(std::string_view body) {
  std::vector<SseEvent> out;
  SseEvent cur;
  bool has_data = false;
  std::size_t line_no = 0;
  auto dispatch = [&] {
    if (has_data || !cur.event.empty()) out.push_back(std::move(cur));
    cur = SseEvent{};
    has_data = false;
  };
  while (!body.empty()) {
    ++line_no;
    auto nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      dispatch();
      if (out.size() > kMaxSseEvents) return fail(Errc::ProtocolError, "event stream: more than 100000 events");
      continue;
    }
    if (line.front() == ':') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return fail(Errc::ProtocolError, "event stream line " + std::to_string(line_no) + ": not an SSE field (\"" +
                                           std::string(line.substr(0, 60)) + "\")");
    }
    std::string_view field = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
      if (has_data) cur.data += '\n';
      cur.data.append(value);
      has_data = true;
    } else if (field == "event") {
      cur.event.assign(value);
    }  // id:, retry: and unknown fields are ignored, as the SSE spec says
  }
  dispatch();
  return out;
}

}  // namespace alertbot::llm
