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

std::vector<SseEvent> SseStream::feed(std::string_view piece) {
  std::vector<SseEvent> out;
  while (!broken_ && !piece.empty()) {
    auto nl = piece.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(piece);
      if (partial_.size() > kMaxLineBytes) broken_ = true;
      break;
    }
    std::string_view text = piece.substr(0, nl);
    piece.remove_prefix(nl + 1);
    if (!partial_.empty()) {
      partial_.append(text);
      std::string whole = std::move(partial_);
      partial_.clear();
      line(whole, out);
    } else {
      line(text, out);
    }
  }
  return out;
}

void SseStream::line(std::string_view text, std::vector<SseEvent>& out) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.empty()) {
    if (has_data_ || !cur_.event.empty()) {
      if (++events_ > kMaxSseEvents) {
        broken_ = true;
        return;
      }
      out.push_back(std::move(cur_));
    }
    cur_ = SseEvent{};
    has_data_ = false;
    return;
  }
  if (text.front() == ':') return;
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    broken_ = true;
    return;
  }
  std::string_view field = text.substr(0, colon);
  std::string_view value = text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) cur_.data += '\n';
    cur_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    cur_.event.assign(value);
  }
}

}  // namespace alertbot::llm
