// LlmClient: one chat completion against an LLM provider (OpenAI-compatible or Anthropic), with
// tools and structured (JSON) answers. Answers are untrusted: every field is parsed defensively and
// size-capped; anything unusable is Errc::ProtocolError. The API key never appears in an error
// message. HttpClient has no streaming body callback, so a streamed answer (request.stream) is read
// whole and its server-sent events parsed afterwards: on_text then receives every text piece in
// order, but only once the whole response has arrived (per response, not per network chunk).
// A client is used from one executor; concurrent chat() calls are fine (no shared mutable state).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "llm/llm_settings.hpp"
#include "llm/sse.hpp"
#include "net/asio_fwd.hpp"
#include "net/clock.hpp"
#include "net/http_types.hpp"
#include "net/result.hpp"

namespace alertbot {
class HttpClient;
}
namespace boost::json {
class object;
class value;
}

namespace alertbot::llm {

struct ToolSpec {
  std::string name, description;
  std::string parameters_schema_json;  // a JSON Schema object
};

struct ToolCall {
  std::string id, name, arguments_json;
};

struct ChatMessage {
  std::string role;  // system | user | assistant | tool
  std::string content;
  std::vector<ToolCall> tool_calls;  // assistant
  std::string tool_call_id;          // tool
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  std::vector<ToolSpec> tools;
  // With tools: false forbids calling them in this answer (tool_choice none), so a conversation
  // holding earlier tool calls can still be answered in text.
  bool tools_allowed = true;
  // When set: ask for JSON following this schema (response_format json_schema for OpenAI-compatible
  // servers, plain JSON instructions in the system prompt for Anthropic).
  std::string json_schema;
  int max_output_tokens = 1500;
  double temperature = 0;
  bool stream = false;
};

struct ChatUsage {
  long prompt_tokens = 0, completion_tokens = 0;
};

struct ChatResponse {
  std::string content;
  std::vector<ToolCall> tool_calls;
  std::string stop_reason;  // provider's words: stop, length, tool_calls, end_turn, tool_use, refusal...
  ChatUsage usage;
  std::string model;
  bool refused = false;  // the model declined (OpenAI `refusal`, Anthropic stop_reason "refusal")
};

using TextDelta = std::function<void(std::string_view)>;  // streaming: called with each text piece, in order

class LlmClient {
 public:
  virtual ~LlmClient() = default;
  // Suspends. Errors: Timeout (settings.timeout passed, retries included), RateLimited (429 after
  // retries, or a Retry-After beyond the budget), HttpStatus (other non-2xx; message has the
  // provider's error text), ProtocolError (unparseable answer), Cancelled, ConnectFailed/TlsError.
  // Retries 429 (honouring Retry-After) and 5xx/connect failures with backoff on the injected
  // clock, within the settings' timeout.
  virtual awaitable<Result<ChatResponse>> chat(ChatRequest request, TextDelta on_text = {}) = 0;
};

// nullptr for LlmProvider::None. `http` and `clock` must outlive the client.
std::unique_ptr<LlmClient> make_llm_client(HttpClient& http, Clock& clock, const LlmSettings& settings);
std::unique_ptr<LlmClient> make_openai_client(HttpClient& http, Clock& clock, LlmSettings settings);
std::unique_ptr<LlmClient> make_anthropic_client(HttpClient& http, Clock& clock, LlmSettings settings);

// Dollars for `usage` at the settings' prices (per million tokens).
double cost_usd(const ChatUsage& usage, const LlmSettings& settings);

// ---- shared by the provider implementations ----
namespace detail {

inline constexpr int kMaxAttempts = 4;
inline constexpr std::size_t kMaxStringBytes = 1024 * 1024;  // any one text or arguments field
inline constexpr std::size_t kMaxToolCalls = 64;

// POSTs `req` until a final answer: 429/5xx/ConnectFailed are retried (Retry-After or exponential
// backoff from 500 ms, on `clock`) while `deadline` allows. A 2xx or other 4xx is returned as is;
// exhausted 429 -> RateLimited, exhausted 5xx -> HttpStatus, deadline -> Timeout. Error messages
// name `what` (e.g. "openai"), never the key.
// With `live` (a streamed request), a connection that broke after text was delivered is not
// retried.
class LiveText;
awaitable<Result<HttpResponse>> post_with_retries(HttpClient& http, Clock& clock, HttpRequest req,
                                                  Clock::SteadyTime deadline, std::string what,
                                                  const LiveText* live = nullptr);
// `text` with every occurrence of `secret` replaced by "***", cut to `cap` bytes.
std::string scrub(std::string_view text, std::string_view secret, std::size_t cap = 500);
// Extra headers from the settings, skipping ones the client sets itself.
void add_extra_headers(HttpHeaders& headers, const LlmSettings& settings);
// Gives a provider's text to `on_text`: while a streamed answer arrives (HttpRequest::on_body and
// an SseStream), then whatever is left from the whole parsed answer (all of it for an answer that
// was not streamed). on_text sees exactly the answer's text, in order, as early as the network
// allows. Lives in the chat() frame; attach() makes the request refer to it.
class LiveText {
 public:
  // The text piece one event carries ("" when none); must not throw.
  using Extract = std::string (*)(const SseEvent& event);
  LiveText(TextDelta on_text, Extract extract, bool streamed)
      : on_text_(std::move(on_text)), extract_(extract), streamed_(streamed) {}
  LiveText(const LiveText&) = delete;
  LiveText& operator=(const LiveText&) = delete;
  // Sets req.on_body when the answer is streamed and there is a callback.
  void attach(HttpRequest& req);
  // After the whole answer was parsed: delivers the part of `content` not yet delivered.
  void finish(const std::string& content);
  // Some text was delivered already.
  bool started() const { return delivered_ > 0; }

 private:
  TextDelta on_text_;
  Extract extract_;
  bool streamed_;
  SseStream sse_;
  std::size_t delivered_ = 0;
};

// Instructions asking for a JSON object following `schema` (for servers without json_schema).
std::string json_instructions(std::string_view schema);

// Reading untrusted answers. `path` names the field in errors ("choices[0].message.content").
// The string at `key`: "" when absent or null; ProtocolError when another type or over the cap.
Result<std::string> string_field(const boost::json::object& o, std::string_view key, const std::string& path);
// The object/array at `key`, nullptr when absent or null; ProtocolError when another type.
Result<const boost::json::object*> object_field(const boost::json::object& o, std::string_view key,
                                                const std::string& path);
Result<const boost::json::value*> array_field(const boost::json::object& o, std::string_view key,
                                              const std::string& path);
// A non-negative integer token count at `key` (absent or null -> 0).
Result<long> count_field(const boost::json::object& o, std::string_view key, const std::string& path);
// `text` parsed as a JSON object; ProtocolError naming `what` otherwise.
Result<boost::json::object> parse_answer(std::string_view text, const std::string& what);
// The provider's error message from an error body ({"error":{"message":...}}), or the raw body.
std::string provider_error(std::string_view body);

}  // namespace detail
}  // namespace alertbot::llm
