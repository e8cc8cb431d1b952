// OpenAI-compatible chat completions (POST {base_url}/chat/completions), plain or streamed (SSE).
#include <boost/json.hpp>

#include "llm/llm_client.hpp"
#include "llm/sse.hpp"
#include "net/http_client.hpp"

namespace alertbot::llm {
namespace {

namespace json = boost::json;
using namespace detail;

json::value schema_value(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return json::object{{"type", "object"}};
  return v;
}

json::object message_json(const ChatMessage& m) {
  json::object o{{"role", m.role}};
  if (m.role == "assistant" && !m.tool_calls.empty()) {
    json::array calls;
    for (const auto& c : m.tool_calls) {
      calls.push_back(json::object{{"id", c.id},
                                   {"type", "function"},
                                   {"function", {{"name", c.name}, {"arguments", c.arguments_json}}}});
    }
    o["tool_calls"] = std::move(calls);
    if (m.content.empty()) {
      o["content"] = nullptr;
      return o;
    }
  }
  if (m.role == "tool") o["tool_call_id"] = m.tool_call_id;
  o["content"] = m.content;
  return o;
}

std::string request_body(const ChatRequest& request, const LlmSettings& settings, bool json_object) {
  json::array messages;
  if (json_object) messages.push_back(json::object{{"role", "system"}, {"content", json_instructions(request.json_schema)}});
  for (const auto& m : request.messages) messages.push_back(message_json(m));
  json::object body{{"model", settings.model},
                    {"messages", std::move(messages)},
                    {"max_tokens", request.max_output_tokens},
                    {"temperature", request.temperature}};
  if (!request.tools.empty()) {
    json::array tools;
    for (const auto& t : request.tools) {
      tools.push_back(json::object{{"type", "function"},
                                   {"function", {{"name", t.name},
                                                 {"description", t.description},
                                                 {"parameters", schema_value(t.parameters_schema_json)}}}});
    }
    body["tools"] = std::move(tools);
    body["tool_choice"] = request.tools_allowed ? "auto" : "none";
  }
  if (!request.json_schema.empty()) {
    if (json_object) {
      body["response_format"] = json::object{{"type", "json_object"}};
    } else {
      body["response_format"] = json::object{
          {"type", "json_schema"},
          {"json_schema", {{"name", "answer"}, {"schema", schema_value(request.json_schema)}, {"strict", true}}}};
    }
  }
  if (request.stream) {
    body["stream"] = true;
    body["stream_options"] = json::object{{"include_usage", true}};
  }
  return json::serialize(body);
}

Result<void> read_usage(const json::object& o, ChatResponse& out, const std::string& path) {
  auto usage = object_field(o, "usage", path + ".usage");
  if (!usage) return usage.error();
  if (!*usage) return {};
  auto in = count_field(**usage, "prompt_tokens", path + ".usage.prompt_tokens");
  if (!in) return in.error();
  auto outn = count_field(**usage, "completion_tokens", path + ".usage.completion_tokens");
  if (!outn) return outn.error();
  out.usage = ChatUsage{*in, *outn};
  return {};
}

// One tool call (whole, or a streamed piece when `merge`): appends into `calls[index]`.
Result<void> read_tool_call(const json::value& v, std::vector<ToolCall>& calls, std::size_t position, bool merge,
                            const std::string& path) {
  if (!v.is_object()) return fail(Errc::ProtocolError, path + ": expected an object");
  const auto& o = v.get_object();
  std::size_t index = position;
  if (merge) {
    const json::value* i = o.if_contains("index");
    if (!i || !i->is_int64() || i->get_int64() < 0) return fail(Errc::ProtocolError, path + ".index: expected a non-negative integer");
    index = static_cast<std::size_t>(i->get_int64());
  }
  if (index >= kMaxToolCalls) return fail(Errc::ProtocolError, path + ": more than 64 tool calls");
  if (calls.size() <= index) calls.resize(index + 1);
  ToolCall& call = calls[index];
  auto id = string_field(o, "id", path + ".id");
  if (!id) return id.error();
  if (!id->empty()) call.id = *id;
  auto fn = object_field(o, "function", path + ".function");
  if (!fn) return fn.error();
  if (!*fn) return merge ? Result<void>() : fail(Errc::ProtocolError, path + ".function: missing");
  auto name = string_field(**fn, "name", path + ".function.name");
  if (!name) return name.error();
  auto args = string_field(**fn, "arguments", path + ".function.arguments");
  if (!args) return args.error();
  call.name += *name;
  call.arguments_json += *args;
  if (call.arguments_json.size() > kMaxStringBytes) return fail(Errc::ProtocolError, path + ".function.arguments: too long");
  return {};
}

Result<void> read_tool_calls(const json::object& msg, std::vector<ToolCall>& calls, bool merge, const std::string& path) {
  auto arr = array_field(msg, "tool_calls", path + ".tool_calls");
  if (!arr) return arr.error();
  if (!*arr) return {};
  const auto& a = (*arr)->get_array();
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto r = read_tool_call(a[i], calls, i, merge, path + ".tool_calls[" + std::to_string(i) + "]");
    if (!r) return r.error();
  }
  return {};
}

// The first choice of a response or chunk, nullptr when `choices` is empty (the usage chunk).
Result<const json::object*> first_choice(const json::object& o, const std::string& path) {
  auto arr = array_field(o, "choices", path + ".choices");
  if (!arr) return arr.error();
  if (!*arr || (*arr)->get_array().empty()) return static_cast<const json::object*>(nullptr);
  const auto& c = (*arr)->get_array()[0];
  if (!c.is_object()) return fail(Errc::ProtocolError, path + ".choices[0]: expected an object");
  return &c.get_object();
}

Result<ChatResponse> parse_completion(std::string_view body) {
  auto o = parse_answer(body, "openai response");
  if (!o) return o.error();
  const std::string path = "openai response";
  ChatResponse out;
  auto model = string_field(*o, "model", path + ".model");
  if (!model) return model.error();
  out.model = *model;
  if (auto u = read_usage(*o, out, path); !u) return u.error();
  auto choice = first_choice(*o, path);
  if (!choice) return choice.error();
  if (!*choice) return fail(Errc::ProtocolError, path + ".choices: missing or empty");
  auto finish = string_field(**choice, "finish_reason", path + ".choices[0].finish_reason");
  if (!finish) return finish.error();
  out.stop_reason = *finish;
  auto msg = object_field(**choice, "message", path + ".choices[0].message");
  if (!msg) return msg.error();
  if (!*msg) return fail(Errc::ProtocolError, path + ".choices[0].message: missing");
  auto content = string_field(**msg, "content", path + ".choices[0].message.content");
  if (!content) return content.error();
  out.content = *content;
  auto refusal = string_field(**msg, "refusal", path + ".choices[0].message.refusal");
  if (!refusal) return refusal.error();
  if (!refusal->empty()) {
    out.refused = true;
    if (out.content.empty()) out.content = *refusal;
  }
  if (auto t = read_tool_calls(**msg, out.tool_calls, false, path + ".choices[0].message"); !t) return t.error();
  return out;
}

Result<ChatResponse> parse_stream(std::string_view body) {
  auto events = parse_sse(body);
  if (!events) return fail(Errc::ProtocolError, "openai stream: " + events.error().message);
  if (events->empty()) return fail(Errc::ProtocolError, "openai stream: no server-sent events in the answer");
  ChatResponse out;
  std::string refusal;
  bool done = false;
  for (std::size_t n = 0; n < events->size() && !done; ++n) {
    const auto& ev = (*events)[n];
    if (ev.data == "[DONE]") {
      done = true;
      break;
    }
    const std::string path = "openai stream event " + std::to_string(n);
    auto o = parse_answer(ev.data, path);
    if (!o) return o.error();
    if (o->contains("error")) return fail(Errc::ProtocolError, path + ": error: " + provider_error(ev.data));
    if (auto m = string_field(*o, "model", path + ".model"); !m) return m.error();
    else if (!m->empty()) out.model = *m;
    if (auto u = read_usage(*o, out, path); !u) return u.error();
    auto choice = first_choice(*o, path);
    if (!choice) return choice.error();
    if (!*choice) continue;
    auto finish = string_field(**choice, "finish_reason", path + ".choices[0].finish_reason");
    if (!finish) return finish.error();
    if (!finish->empty()) out.stop_reason = *finish;
    auto delta = object_field(**choice, "delta", path + ".choices[0].delta");
    if (!delta) return delta.error();
    if (!*delta) continue;
    auto text = string_field(**delta, "content", path + ".choices[0].delta.content");
    if (!text) return text.error();
    if (!text->empty()) {
      out.content += *text;
      if (out.content.size() > kMaxStringBytes) return fail(Errc::ProtocolError, "openai stream: content too long");
    }
    auto ref = string_field(**delta, "refusal", path + ".choices[0].delta.refusal");
    if (!ref) return ref.error();
    refusal += *ref;
    if (refusal.size() > kMaxStringBytes) return fail(Errc::ProtocolError, "openai stream: refusal too long");
    if (auto t = read_tool_calls(**delta, out.tool_calls, true, path + ".choices[0].delta"); !t) return t.error();
  }
  if (!done) return fail(Errc::ProtocolError, "openai stream: ended without \"data: [DONE]\"");
  if (!refusal.empty()) {
    out.refused = true;
    if (out.content.empty()) out.content = refusal;
  }
  return out;
}

// The text a chunk carries (choices[0].delta.content), "" when none or unreadable.
std::string chunk_text(const SseEvent& ev) {
  if (ev.data.empty() || ev.data.front() != '{') return {};
  json::error_code ec;
  json::value v = json::parse(ev.data, ec);
  if (ec || !v.is_object()) return {};
  const json::value* choices = v.get_object().if_contains("choices");
  if (!choices || !choices->is_array() || choices->get_array().empty() || !choices->get_array()[0].is_object()) return {};
  const json::value* delta = choices->get_array()[0].get_object().if_contains("delta");
  if (!delta || !delta->is_object()) return {};
  const json::value* content = delta->get_object().if_contains("content");
  if (!content || !content->is_string()) return {};
  return std::string(content->get_string());
}

class OpenAiClient final : public LlmClient {
 public:
  OpenAiClient(HttpClient& http, Clock& clock, LlmSettings settings)
      : http_(http), clock_(clock), settings_(std::move(settings)) {
    while (!settings_.base_url.empty() && settings_.base_url.back() == '/') settings_.base_url.pop_back();
  }

  awaitable<Result<ChatResponse>> chat(ChatRequest request, TextDelta on_text) override {
    const auto deadline = clock_.steady_now() + settings_.timeout;
    bool json_object = false;
    for (;;) {
      HttpRequest req;
      req.url = settings_.base_url + "/chat/completions";
      req.headers.emplace_back("Content-Type", "application/json");
      if (!settings_.api_key.empty()) req.headers.emplace_back("Authorization", "Bearer " + settings_.api_key);
      add_extra_headers(req.headers, settings_);
      req.body = request_body(request, settings_, json_object);
      LiveText live(on_text, &chunk_text, request.stream);
      live.attach(req);
      auto r = co_await post_with_retries(http_, clock_, std::move(req), deadline, "openai", &live);
      if (!r) co_return r.error();
      if (r->status == 400 && !json_object && !request.json_schema.empty() &&
          r->body.find("response_format") != std::string::npos) {
        json_object = true;  // the server lacks json_schema: ask for a JSON object instead, once
        continue;
      }
      if (!r->ok()) {
        co_return fail(Errc::HttpStatus, "openai: HTTP " + std::to_string(r->status) + ": " +
                                             scrub(provider_error(r->body), settings_.api_key));
      }
      auto parsed = request.stream ? parse_stream(r->body) : parse_completion(r->body);
      if (!parsed) co_return fail(parsed.error().code, scrub(parsed.error().message, settings_.api_key));
      live.finish(parsed->content);
      co_return parsed;
    }
  }

 private:
  HttpClient& http_;
  Clock& clock_;
  LlmSettings settings_;
};

}  // namespace

std::unique_ptr<LlmClient> make_openai_client(HttpClient& http, Clock& clock, LlmSettings settings) {
  return std::make_unique<OpenAiClient>(http, clock, std::move(settings));
}

}  // namespace alertbot::llm
