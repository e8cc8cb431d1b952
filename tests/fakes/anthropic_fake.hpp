// FakeAnthropic: an Anthropic Messages API endpoint on 127.0.0.1 (POST /v1/messages) answering
// from a queue of scripted FakeLlmReply (see openai_fake.hpp): text and tool_use content blocks,
// refusal (stop_reason "refusal"), malformed bodies, HTTP errors in Anthropic's error shape
// (429 with Retry-After, 500, 529...), optional delay on an injected clock. A request with
// "stream": true gets the real event stream (message_start, content_block_start/delta/stop with
// text_delta and input_json_delta, message_delta with usage, message_stop). Every request is
// recorded. An empty queue answers the text "ok". Thread-safe accessors.
#pragma once

#include "tests/fakes/openai_fake.hpp"

namespace alertbot::fakes {

class FakeAnthropic {
 public:
  // `clock` times the replies' delays and must outlive the fake.
  static Result<std::unique_ptr<FakeAnthropic>> start(asio::any_io_executor executor, Clock& clock,
                                                      std::string listen = "127.0.0.1:0");
  virtual ~FakeAnthropic() = default;
  virtual std::string url() const = 0;  // base URL: http://127.0.0.1:PORT/v1
  virtual void push(FakeLlmReply reply) = 0;
  virtual std::vector<FakeLlmRequest> requests() const = 0;  // every request received, in order
  virtual awaitable<void> stop() = 0;
};

}  // namespace alertbot::fakes
