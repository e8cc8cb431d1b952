// Anthropic Messages API (POST {base_url}/messages), plain or streamed (SSE events).
#include <boost/json.hpp>

#include "llm/llm_client.hpp"
#include "llm/sse.hpp"
#include "net/http_client.hpp"

namespace alertbot::llm {
namespace {

namespace json = boost::json;
using namespace detail;

json::value json_or(const std::string& text, json::value fallback) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return fallback;
  return v;
}

// Anthropic wants system text at the top level and user/assistant turns; tool results are user
// turns made of tool_result blocks (consecutive ones share one turn).
json::array messages_json(const ChatRequest& request, std::string& system) {
  json::array out;
  for (const auto& m : request.messages) {
    if (m.role == "system") {
      if (!system.empty()) system += "\n\n";
      system += m.content;
      continue;
    }
    if (m.role == "tool") {
      json::object block{{"type", "tool_result"}, {"tool_use_id", m.tool_call_id}, {"content", m.content}};
      if (!out.empty() && out.back().as_object().at("role") == "user" && out.back().as_object().at("content").is_array()) {
        out.back().as_object()["content"].as_array().push_back(std::move(block));
      } else {
        out.push_back(json::object{{"role", "user"}, {"content", json::array{std::move(block)}}});
      }
      continue;
    }
    if (m.role == "assistant" && !m.tool_calls.empty()) {
      json::array blocks;
      if (!m.content.empty()) blocks.push_back(json::object{{"type", "text"}, {"text", m.content}});
      for (const auto& c : m.tool_calls) {
        blocks.push_back(json::object{{"type", "tool_use"}, {"id", c.id}, {"name", c.name},
                                      {"input", json_or(c.arguments_json, json::object{})}});
      }
      out.push_back(json::object{{"role", "assistant"}, {"content", std::move(blocks)}});
      continue;
    }
    out.push_back(json::object{{"role", m.role == "assistant" ? "assistant" : "user"}, {"content", m.content}});
  }
  return out;
}

std::string request_body(const ChatRequest& request, const LlmSettings& settings) {
  std::string system;
  json::array messages = messages_json(request, system);
  if (!request.json_schema.empty()) {
    if (!system.empty()) system += "\n\n";
    system += json_instructions(request.json_schema);
  }
  json::object body{{"model", settings.model},
                    {"max_tokens", request.max_output_tokens},
                    {"temperature", request.temperature},
                    {"messages", std::move(messages)}};
  if (!system.empty()) body["system"] = system;
  if (!request.tools.empty()) {
    json::array tools;
    for (const auto& t : request.tools) {
      tools.push_back(json::object{{"name", t.name}, {"description", t.description},
                                   {"input_schema", json_or(t.parameters_schema_json, json::object{{"type", "object"}})}});
    }
    body["tools"] = std::move(tools);
    if (!request.tools_allowed) body["tool_choice"] = json::object{{"type", "none"}};
  }
  if (request.stream) body["stream"] = true;
  return json::serialize(body);
}

Result<void> read_usage(const json::object& o, ChatResponse& out, const std::string& path) {
  auto usage = object_field(o, "usage", path + ".usage");
  if (!usage) return usage.error();
  if (!*usage) return {};
  if ((*usage)->contains("input_tokens")) {
    auto in = count_field(**usage, "input_tokens", path + ".usage.input_tokens");
    if (!in) return in.error();
    out.usage.prompt_tokens = *in;
  }
  if ((*usage)->contains("output_tokens")) {
    auto n = count_field(**usage, "output_tokens", path + ".usage.output_tokens");
    if (!n) return n.error();
    out.usage.completion_tokens = *n;
  }
  return {};
}

Result<void> read_stop(const json::object& o, ChatResponse& out, const std::string& path) {
  auto stop = string_field(o, "stop_reason", path + ".stop_reason");
  if (!stop) return stop.error();
  if (!stop->empty()) out.stop_reason = *stop;
  out.refused = out.stop_reason == "refusal";
  return {};
}

// A tool_use block's input object, serialised back to the arguments text.
Result<std::string> tool_input(const json::object& block, const std::string& path) {
  const json::value* input = block.if_contains("input");
  if (!input || input->is_null()) return std::string("{}");
  if (!input->is_object()) return fail(Errc::ProtocolError, path + ".input: expected an object");
  std::string s = json::serialize(*input);
  if (s.size() > kMaxStringBytes) return fail(Errc::ProtocolError, path + ".input: too large");
  return s;
}

Result<ChatResponse> parse_message(std::string_view body) {
  const std::string path = "anthropic response";
  auto o = parse_answer(body, path);
  if (!o) return o.error();
  ChatResponse out;
  auto model = string_field(*o, "model", path + ".model");
  if (!model) return model.error();
  out.model = *model;
  if (auto u = read_usage(*o, out, path); !u) return u.error();
  if (auto s = read_stop(*o, out, path); !s) return s.error();
  auto content = array_field(*o, "content", path + ".content");
  if (!content) return content.error();
  if (!*content) return fail(Errc::ProtocolError, path + ".content: missing");
  const auto& blocks = (*content)->get_array();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string bp = path + ".content[" + std::to_string(i) + "]";
    if (!blocks[i].is_object()) return fail(Errc::ProtocolError, bp + ": expected an object");
    const auto& b = blocks[i].get_object();
    auto type = string_field(b, "type", bp + ".type");
    if (!type) return type.error();
    if (*type == "text") {
      auto text = string_field(b, "text", bp + ".text");
      if (!text) return text.error();
      out.content += *text;
      if (out.content.size() > kMaxStringBytes) return fail(Errc::ProtocolError, path + ".content: text too long");
    } else if (*type == "tool_use") {
      if (out.tool_calls.size() >= kMaxToolCalls) return fail(Errc::ProtocolError, path + ".content: more than 64 tool calls");
      auto id = string_field(b, "id", bp + ".id");
      if (!id) return id.error();
      auto name = string_field(b, "name", bp + ".name");
      if (!name) return name.error();
      if (name->empty()) return fail(Errc::ProtocolError, bp + ".name: missing");
      auto args = tool_input(b, bp);
      if (!args) return args.error();
      out.tool_calls.push_back(ToolCall{*id, *name, *args});
    }  // thinking and other block types carry nothing we use
  }
  return out;
}

// Streaming state: the blocks by index (text or tool_use).
struct StreamBlock {
  bool tool = false;
  std::size_t call = 0;  // index into tool_calls when `tool`
};

Result<void> stream_event(const json::object& o, const std::string& type, const std::string& path, ChatResponse& out,
                          std::vector<StreamBlock>& blocks) {
  if (type == "message_start") {
    auto msg = object_field(o, "message", path + ".message");
    if (!msg) return msg.error();
    if (!*msg) return fail(Errc::ProtocolError, path + ".message: missing");
    auto model = string_field(**msg, "model", path + ".message.model");
    if (!model) return model.error();
    out.model = *model;
    return read_usage(**msg, out, path + ".message");
  }
  if (type == "message_delta") {
    auto delta = object_field(o, "delta", path + ".delta");
    if (!delta) return delta.error();
    if (*delta) {
      if (auto s = read_stop(**delta, out, path + ".delta"); !s) return s.error();
    }
    return read_usage(o, out, path);
  }
  if (type == "error") return fail(Errc::ProtocolError, "anthropic stream: error: " + provider_error(json::serialize(o)));
  if (type != "content_block_start" && type != "content_block_delta") return {};  // ping, *_stop, unknown
  const json::value* iv = o.if_contains("index");
  if (!iv || !iv->is_int64() || iv->get_int64() < 0 || iv->get_int64() >= 1024) {
    return fail(Errc::ProtocolError, path + ".index: expected an integer in [0, 1024)");
  }
  const auto index = static_cast<std::size_t>(iv->get_int64());
  if (type == "content_block_start") {
    auto block = object_field(o, "content_block", path + ".content_block");
    if (!block) return block.error();
    if (!*block) return fail(Errc::ProtocolError, path + ".content_block: missing");
    auto btype = string_field(**block, "type", path + ".content_block.type");
    if (!btype) return btype.error();
    if (blocks.size() <= index) blocks.resize(index + 1);
    if (*btype != "tool_use") return {};
    if (out.tool_calls.size() >= kMaxToolCalls) return fail(Errc::ProtocolError, "anthropic stream: more than 64 tool calls");
    auto id = string_field(**block, "id", path + ".content_block.id");
    if (!id) return id.error();
    auto name = string_field(**block, "name", path + ".content_block.name");
    if (!name) return name.error();
    blocks[index] = StreamBlock{true, out.tool_calls.size()};
    out.tool_calls.push_back(ToolCall{*id, *name, ""});
    return {};
  }
  auto delta = object_field(o, "delta", path + ".delta");
  if (!delta) return delta.error();
  if (!*delta) return fail(Errc::ProtocolError, path + ".delta: missing");
  auto dtype = string_field(**delta, "type", path + ".delta.type");
  if (!dtype) return dtype.error();
  if (*dtype == "text_delta") {
    auto text = string_field(**delta, "text", path + ".delta.text");
    if (!text) return text.error();
    out.content += *text;
    if (out.content.size() > kMaxStringBytes) return fail(Errc::ProtocolError, "anthropic stream: text too long");
  } else if (*dtype == "input_json_delta") {
    if (index >= blocks.size() || !blocks[index].tool) {
      return fail(Errc::ProtocolError, path + ": input_json_delta for block " + std::to_string(index) + ", not a tool_use");
    }
    auto part = string_field(**delta, "partial_json", path + ".delta.partial_json");
    if (!part) return part.error();
    std::string& args = out.tool_calls[blocks[index].call].arguments_json;
    args += *part;
    if (args.size() > kMaxStringBytes) return fail(Errc::ProtocolError, "anthropic stream: tool input too long");
  }
  return {};
}

Result<ChatResponse> parse_stream(std::string_view body) {
  auto events = parse_sse(body);
  if (!events) return fail(Errc::ProtocolError, "anthropic stream: " + events.error().message);
  if (events->empty()) return fail(Errc::ProtocolError, "anthropic stream: no server-sent events in the answer");
  ChatResponse out;
  std::vector<StreamBlock> blocks;
  bool stopped = false;
  for (std::size_t n = 0; n < events->size(); ++n) {
    const auto& ev = (*events)[n];
    const std::string path = "anthropic stream event " + std::to_string(n);
    auto o = parse_answer(ev.data, path);
    if (!o) return o.error();
    auto type = string_field(*o, "type", path + ".type");
    if (!type) return type.error();
    if (*type == "message_stop") {
      stopped = true;
      break;
    }
    if (auto r = stream_event(*o, *type, path, out, blocks); !r) return r.error();
  }
  if (!stopped) return fail(Errc::ProtocolError, "anthropic stream: ended without message_stop");
  for (auto& call : out.tool_calls) {
    if (call.arguments_json.empty()) call.arguments_json = "{}";
  }
  return out;
}

// The text a content_block_delta event carries (delta.text of a text_delta), "" otherwise.
std::string event_text(const SseEvent& ev) {
  if (ev.event != "content_block_delta" || ev.data.empty() || ev.data.front() != '{') return {};
  json::error_code ec;
  json::value v = json::parse(ev.data, ec);
  if (ec || !v.is_object()) return {};
  const json::value* delta = v.get_object().if_contains("delta");
  if (!delta || !delta->is_object()) return {};
  const auto& d = delta->get_object();
  const json::value* type = d.if_contains("type");
  const json::value* text = d.if_contains("text");
  if (!type || !type->is_string() || type->get_string() != "text_delta" || !text || !text->is_string()) return {};
  return std::string(text->get_string());
}

class AnthropicClient final : public LlmClient {
 public:
  AnthropicClient(HttpClient& http, Clock& clock, LlmSettings settings)
      : http_(http), clock_(clock), settings_(std::move(settings)) {
    while (!settings_.base_url.empty() && settings_.base_url.back() == '/') settings_.base_url.pop_back();
  }

  awaitable<Result<ChatResponse>> chat(ChatRequest request, TextDelta on_text) override {
    const auto deadline = clock_.steady_now() + settings_.timeout;
    HttpRequest req;
    req.url = settings_.base_url + "/messages";
    req.headers.emplace_back("Content-Type", "application/json");
    if (!settings_.api_key.empty()) req.headers.emplace_back("x-api-key", settings_.api_key);
    req.headers.emplace_back("anthropic-version", "2023-06-01");
    add_extra_headers(req.headers, settings_);
    req.body = request_body(request, settings_);
    LiveText live(on_text, &event_text, request.stream);
    live.attach(req);
    auto r = co_await post_with_retries(http_, clock_, std::move(req), deadline, "anthropic", &live);
    if (!r) co_return r.error();
    if (!r->ok()) {
      co_return fail(Errc::HttpStatus, "anthropic: HTTP " + std::to_string(r->status) + ": " +
                                           scrub(provider_error(r->body), settings_.api_key));
    }
    auto parsed = request.stream ? parse_stream(r->body) : parse_message(r->body);
    if (!parsed) co_return fail(parsed.error().code, scrub(parsed.error().message, settings_.api_key));
    live.finish(parsed->content);
    co_return parsed;
  }

 private:
  HttpClient& http_;
  Clock& clock_;
  LlmSettings settings_;
};

}  // namespace

std::unique_ptr<LlmClient> make_anthropic_client(HttpClient& http, Clock& clock, LlmSettings settings) {
  return std::make_unique<AnthropicClient>(http, clock, std::move(settings));
}

}  // namespace alertbot::llm
