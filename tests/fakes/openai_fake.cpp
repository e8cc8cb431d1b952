#include "tests/fakes/openai_fake.hpp"

#include <boost/json.hpp>

#include "net/clock.hpp"
#include "net/http_server.hpp"

namespace alertbot::fakes {
namespace {

namespace json = boost::json;

std::string sse(const json::value& v) { return "data: " + json::serialize(v) + "\n\n"; }

json::array tool_calls_json(const std::vector<FakeToolCall>& calls) {
  json::array out;
  for (const auto& c : calls) {
    out.push_back(json::object{{"id", c.id}, {"type", "function"},
                               {"function", {{"name", c.name}, {"arguments", c.arguments_json}}}});
  }
  return out;
}

const char* finish_reason(const FakeLlmReply& r) { return r.kind == FakeLlmReply::Kind::ToolCalls ? "tool_calls" : "stop"; }

json::object usage_json(const FakeLlmReply& r) {
  return {{"prompt_tokens", r.prompt_tokens}, {"completion_tokens", r.completion_tokens},
          {"total_tokens", r.prompt_tokens + r.completion_tokens}};
}

std::string whole(const FakeLlmReply& r, const std::string& model) {
  json::object msg{{"role", "assistant"}, {"content", nullptr}, {"refusal", nullptr}};
  if (r.kind == FakeLlmReply::Kind::Refusal) {
    msg["refusal"] = r.text;
  } else if (!r.text.empty()) {
    msg["content"] = r.text;
  }
  if (!r.tool_calls.empty()) msg["tool_calls"] = tool_calls_json(r.tool_calls);
  json::object choice{{"index", 0}, {"message", msg}, {"finish_reason", finish_reason(r)}};
  return json::serialize(json::object{{"id", "chatcmpl-fake"}, {"object", "chat.completion"}, {"created", 1795578000},
                                      {"model", model}, {"choices", json::array{choice}}, {"usage", usage_json(r)}});
}

std::string streamed(const FakeLlmReply& r, const std::string& model, bool include_usage) {
  auto chunk = [&](json::object delta, json::value finish = nullptr) {
    json::object c{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", std::move(finish)}};
    return sse(json::object{{"id", "chatcmpl-fake"}, {"object", "chat.completion.chunk"}, {"model", model},
                            {"choices", json::array{c}}});
  };
  std::string out = chunk({{"role", "assistant"}, {"content", ""}});
  const char* field = r.kind == FakeLlmReply::Kind::Refusal ? "refusal" : "content";
  const std::size_t step = r.chunk_bytes ? r.chunk_bytes : 1;
  for (std::size_t i = 0; i < r.text.size(); i += step) out += chunk({{field, r.text.substr(i, step)}});
  for (std::size_t i = 0; i < r.tool_calls.size(); ++i) {
    const auto& c = r.tool_calls[i];
    const auto idx = static_cast<std::int64_t>(i);
    out += chunk({{"tool_calls", json::array{json::object{{"index", idx}, {"id", c.id}, {"type", "function"},
                                                          {"function", {{"name", c.name}, {"arguments", ""}}}}}}});
    const std::size_t half = c.arguments_json.size() / 2;
    for (const auto& part : {c.arguments_json.substr(0, half), c.arguments_json.substr(half)}) {
      out += chunk({{"tool_calls", json::array{json::object{{"index", idx}, {"function", {{"arguments", part}}}}}}});
    }
  }
  out += chunk({}, json::string(finish_reason(r)));
  if (include_usage) {
    out += sse(json::object{{"id", "chatcmpl-fake"}, {"object", "chat.completion.chunk"}, {"model", model},
                            {"choices", json::array{}}, {"usage", usage_json(r)}});
  }
  return out + "data: [DONE]\n\n";
}

ServerResponse reply_for(const FakeLlmReply& r, const ServerRequest& req) {
  if (r.kind == FakeLlmReply::Kind::Raw) {
    ServerResponse raw;
    raw.status = r.status;
    raw.content_type = r.content_type;
    raw.body = r.text;
    return raw;
  }
  if (r.kind == FakeLlmReply::Kind::Error) {
    const char* type = r.status == 429 ? "rate_limit_exceeded" : r.status >= 500 ? "server_error" : "invalid_request_error";
    auto resp = ServerResponse::json(r.status, json::serialize(json::object{
                                                   {"error", {{"message", r.text}, {"type", type}, {"code", nullptr}}}}));
    if (!r.retry_after.empty()) resp.headers.emplace_back("Retry-After", r.retry_after);
    return resp;
  }
  json::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object()) {
    return ServerResponse::json(400, R"({"error":{"message":"We could not parse the JSON body of your request.","type":"invalid_request_error"}})");
  }
  const auto& o = body.get_object();
  std::string model = o.contains("model") && o.at("model").is_string() ? std::string(o.at("model").get_string()) : "";
  const bool stream = o.contains("stream") && o.at("stream") == true;
  if (!stream) {
    if (r.kind == FakeLlmReply::Kind::Malformed) return ServerResponse::json(200, R"({"id":"chatcmpl-fake","choices":[{"mess)");
    return ServerResponse::json(200, whole(r, model));
  }
  ServerResponse resp;
  resp.content_type = "text/event-stream";
  if (r.kind == FakeLlmReply::Kind::Malformed) {
    resp.body = "data: {\"choices\":[{\"delta\":{\"content\":\"par\n\ndata: [DONE]\n\n";
    return resp;
  }
  const json::value* opts = o.if_contains("stream_options");
  const bool usage = opts && opts->is_object() && opts->get_object().contains("include_usage") &&
                     opts->get_object().at("include_usage") == true;
  resp.body = streamed(r, model, usage);
  return resp;
}

}  // namespace

void pace_events(ServerResponse& resp, std::chrono::milliseconds pause, Clock& clock) {
  auto events = std::make_shared<std::deque<std::string>>();
  std::string_view body = resp.body;
  while (!body.empty()) {
    auto end = body.find("\n\n");
    std::size_t n = end == std::string_view::npos ? body.size() : end + 2;
    events->emplace_back(body.substr(0, n));
    body.remove_prefix(n);
  }
  resp.body.clear();
  resp.next_piece = [events, pause, &clock]() -> awaitable<std::optional<std::string>> {
    if (events->empty()) co_return std::nullopt;
    co_await clock.sleep_for(pause);
    std::string piece = std::move(events->front());
    events->pop_front();
    co_return piece;
  };
}

namespace {

class Fake final : public FakeOpenAi {
 public:
  Fake(std::shared_ptr<FakeLlmScript> script, std::unique_ptr<HttpServer> server)
      : script_(std::move(script)), server_(std::move(server)) {}
  std::string url() const override { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/v1"; }
  void push(FakeLlmReply reply) override { script_->push(std::move(reply)); }
  std::vector<FakeLlmRequest> requests() const override { return script_->requests(); }
  awaitable<void> stop() override { co_await server_->stop(); }

 private:
  std::shared_ptr<FakeLlmScript> script_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

Result<std::unique_ptr<FakeOpenAi>> FakeOpenAi::start(asio::any_io_executor executor, Clock& clock, std::string listen) {
  auto script = std::make_shared<FakeLlmScript>();
  Router r;
  r.add("POST", "/v1/chat/completions", [script, &clock](ServerRequest req) -> awaitable<ServerResponse> {
    FakeLlmRequest rec{req.path, req.headers, req.body};
    FakeLlmReply reply = script->next(std::move(rec));
    if (reply.delay.count() > 0) co_await clock.sleep_for(reply.delay);
    ServerResponse resp = reply_for(reply, req);
    if (reply.stream_pause.count() > 0 && resp.content_type == "text/event-stream") pace_events(resp, reply.stream_pause, clock);
    co_return resp;
  });
  HttpServerSettings hs;
  hs.listen = std::move(listen);
  hs.shutdown_grace = std::chrono::milliseconds(200);
  auto server = start_http_server(executor, hs, std::move(r));
  if (!server) return server.error();
  return std::unique_ptr<FakeOpenAi>(std::make_unique<Fake>(script, std::move(*server)));
}

}  // namespace alertbot::fakes
