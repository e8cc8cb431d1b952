// FakeOpenAi: an OpenAI-compatible chat completions endpoint on 127.0.0.1 (POST
// /v1/chat/completions) answering from a queue of scripted replies: text (JSON answers are text),
// tool calls, refusal, malformed body, a raw body of the test's choosing, HTTP errors (429 with Retry-After, 500, 400...), each
// optionally after a delay on an injected clock. A request with "stream": true gets the real SSE
// chunk stream (content in small pieces, tool call arguments split, usage chunk when
// stream_options.include_usage, "data: [DONE]"). Every request is recorded (path, headers, body).
// An empty queue answers the text "ok". Also defines FakeLlmReply/FakeLlmScript, shared with
// FakeAnthropic. Thread-safe accessors.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/http_types.hpp"
#include "net/result.hpp"

namespace alertbot {
class Clock;
struct ServerResponse;
}

namespace alertbot::fakes {

struct FakeToolCall {
  std::string id, name, arguments_json;
};

struct FakeLlmReply {
  enum class Kind { Text, ToolCalls, Refusal, Malformed, Error, Raw };
  Kind kind = Kind::Text;
  std::string text;  // Text: the answer; Refusal: the refusal; Error: the error message; Raw: the body
  std::vector<FakeToolCall> tool_calls;  // ToolCalls (text, if any, comes first)
  int status = 200;                    // Error, Raw: the HTTP status
  std::string content_type;            // Raw: the Content-Type
  std::string retry_after;             // Error: Retry-After header value, when not empty
  std::chrono::milliseconds delay{0};  // waited on the fake's clock before answering
  long prompt_tokens = 12, completion_tokens = 5;
  std::size_t chunk_bytes = 4;  // streaming: text is sent in pieces of this many bytes
  // Streaming: when set, each server-sent event is written on its own (chunked encoding) after
  // waiting this long on the fake's clock, so a client sees the answer grow.
  std::chrono::milliseconds stream_pause{0};

  static FakeLlmReply answer(std::string text) { return FakeLlmReply{Kind::Text, std::move(text)}; }
  static FakeLlmReply tools(std::vector<FakeToolCall> calls) {
    FakeLlmReply r{Kind::ToolCalls};
    r.tool_calls = std::move(calls);
    return r;
  }
  static FakeLlmReply refusal(std::string why) { return FakeLlmReply{Kind::Refusal, std::move(why)}; }
  static FakeLlmReply malformed() { return FakeLlmReply{Kind::Malformed}; }
  // Sent as is, whatever the request asked (hostile or truncated answers).
  static FakeLlmReply raw(int status, std::string content_type, std::string body) {
    FakeLlmReply r{Kind::Raw, std::move(body)};
    r.status = status;
    r.content_type = std::move(content_type);
    return r;
  }
  static FakeLlmReply error(int status, std::string message, std::string retry_after = {}) {
    FakeLlmReply r{Kind::Error, std::move(message)};
    r.status = status;
    r.retry_after = std::move(retry_after);
    return r;
  }
};

struct FakeLlmRequest {
  std::string path;
  HttpHeaders headers;
  std::string body;
  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
};

// The reply queue and request log of one fake.
class FakeLlmScript {
 public:
  void push(FakeLlmReply r) {
    std::lock_guard lock(mutex_);
    replies_.push_back(std::move(r));
  }
  // Records `req` and pops the next reply (the text "ok" when none is queued).
  FakeLlmReply next(FakeLlmRequest req) {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(req));
    if (replies_.empty()) return FakeLlmReply::answer("ok");
    FakeLlmReply r = std::move(replies_.front());
    replies_.pop_front();
    return r;
  }
  std::vector<FakeLlmRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<FakeLlmReply> replies_;
  std::vector<FakeLlmRequest> requests_;
};

// Turns a text/event-stream `resp` into one written event by event with `pause` (on `clock`)
// before each (see FakeLlmReply::stream_pause). `clock` must outlive the response.
void pace_events(ServerResponse& resp, std::chrono::milliseconds pause, Clock& clock);

class FakeOpenAi {
 public:
  // `clock` times the replies' delays and must outlive the fake.
  static Result<std::unique_ptr<FakeOpenAi>> start(asio::any_io_executor executor, Clock& clock,
                                                   std::string listen = "127.0.0.1:0");
  virtual ~FakeOpenAi() = default;
  virtual std::string url() const = 0;  // base URL: http://127.0.0.1:PORT/v1
  virtual void push(FakeLlmReply reply) = 0;
  virtual std::vector<FakeLlmRequest> requests() const = 0;  // every request received, in order
  virtual awaitable<void> stop() = 0;
};

}  // namespace alertbot::fakes
