#include "tests/fakes/anthropic_fake.hpp"

#include <boost/json.hpp>

#include "net/clock.hpp"
#include "net/http_server.hpp"

namespace alertbot::fakes {
namespace {

namespace json = boost::json;

std::string event(const char* name, const json::object& data) {
  return std::string("event: ") + name + "\ndata: " + json::serialize(data) + "\n\n";
}

const char* stop_reason(const FakeLlmReply& r) {
  if (r.kind == FakeLlmReply::Kind::Refusal) return "refusal";
  return r.tool_calls.empty() ? "end_turn" : "tool_use";
}

json::value input_of(const FakeToolCall& c) {
  json::error_code ec;
  json::value v = json::parse(c.arguments_json, ec);
  return ec ? json::value(json::object{}) : v;
}

std::string whole(const FakeLlmReply& r, const std::string& model) {
  json::array content;
  if (!r.text.empty()) content.push_back(json::object{{"type", "text"}, {"text", r.text}});
  for (const auto& c : r.tool_calls) {
    content.push_back(json::object{{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", input_of(c)}});
  }
  return json::serialize(json::object{{"id", "msg_fake"}, {"type", "message"}, {"role", "assistant"}, {"model", model},
                                      {"content", content}, {"stop_reason", stop_reason(r)}, {"stop_sequence", nullptr},
                                      {"usage", {{"input_tokens", r.prompt_tokens}, {"output_tokens", r.completion_tokens}}}});
}

std::string streamed(const FakeLlmReply& r, const std::string& model) {
  json::object message{{"id", "msg_fake"}, {"type", "message"}, {"role", "assistant"}, {"model", model},
                       {"content", json::array{}}, {"stop_reason", nullptr}, {"stop_sequence", nullptr},
                       {"usage", {{"input_tokens", r.prompt_tokens}, {"output_tokens", 1}}}};
  std::string out = event("message_start", {{"type", "message_start"}, {"message", message}});
  std::int64_t index = 0;
  if (!r.text.empty()) {
    out += event("content_block_start", {{"type", "content_block_start"}, {"index", index},
                                         {"content_block", {{"type", "text"}, {"text", ""}}}});
    out += event("ping", {{"type", "ping"}});
    const std::size_t step = r.chunk_bytes ? r.chunk_bytes : 1;
    for (std::size_t i = 0; i < r.text.size(); i += step) {
      out += event("content_block_delta", {{"type", "content_block_delta"}, {"index", index},
                                           {"delta", {{"type", "text_delta"}, {"text", r.text.substr(i, step)}}}});
    }
    out += event("content_block_stop", {{"type", "content_block_stop"}, {"index", index}});
    ++index;
  }
  for (const auto& c : r.tool_calls) {
    out += event("content_block_start", {{"type", "content_block_start"}, {"index", index},
                                         {"content_block", {{"type", "tool_use"}, {"id", c.id}, {"name", c.name},
                                                            {"input", json::object{}}}}});
    const std::size_t half = c.arguments_json.size() / 2;
    for (const auto& part : {c.arguments_json.substr(0, half), c.arguments_json.substr(half)}) {
      out += event("content_block_delta", {{"type", "content_block_delta"}, {"index", index},
                                           {"delta", {{"type", "input_json_delta"}, {"partial_json", part}}}});
    }
    out += event("content_block_stop", {{"type", "content_block_stop"}, {"index", index}});
    ++index;
  }
  out += event("message_delta", {{"type", "message_delta"},
                                 {"delta", {{"stop_reason", stop_reason(r)}, {"stop_sequence", nullptr}}},
                                 {"usage", {{"output_tokens", r.completion_tokens}}}});
  return out + event("message_stop", {{"type", "message_stop"}});
}

ServerResponse error_response(int status, const std::string& message) {
  const char* type = status == 429   ? "rate_limit_error"
                     : status == 529 ? "overloaded_error"
                     : status >= 500 ? "api_error"
                                     : "invalid_request_error";
  return ServerResponse::json(status, json::serialize(json::object{{"type", "error"},
                                                                   {"error", {{"type", type}, {"message", message}}}}));
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
    auto resp = error_response(r.status, r.text);
    if (!r.retry_after.empty()) resp.headers.emplace_back("retry-after", r.retry_after);
    return resp;
  }
  json::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object()) return error_response(400, "messages: request body is not valid JSON");
  const auto& o = body.get_object();
  if (!o.contains("max_tokens")) return error_response(400, "max_tokens: Field required");
  std::string model = o.contains("model") && o.at("model").is_string() ? std::string(o.at("model").get_string()) : "";
  const bool stream = o.contains("stream") && o.at("stream") == true;
  if (!stream) {
    if (r.kind == FakeLlmReply::Kind::Malformed) return ServerResponse::json(200, R"({"id":"msg_fake","content":[{"ty)");
    return ServerResponse::json(200, whole(r, model));
  }
  ServerResponse resp;
  resp.content_type = "text/event-stream";
  resp.body = r.kind == FakeLlmReply::Kind::Malformed
                  ? "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"mod\n\n"
                  : streamed(r, model);
  return resp;
}

class Fake final : public FakeAnthropic {
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

Result<std::unique_ptr<FakeAnthropic>> FakeAnthropic::start(asio::any_io_executor executor, Clock& clock,
                                                            std::string listen) {
  auto script = std::make_shared<FakeLlmScript>();
  Router r;
  r.add("POST", "/v1/messages", [script, &clock](ServerRequest req) -> awaitable<ServerResponse> {
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
  return std::unique_ptr<FakeAnthropic>(std::make_unique<Fake>(script, std::move(*server)));
}

}  // namespace alertbot::fakes
