// The OpenAI-compatible client against FakeOpenAi over loopback HTTP: answers, streaming, tool
// calls, structured output, retries on an injected FakeClock, timeouts, refusals, malformed
// answers, cost, headers, and that the API key never leaks into an error message.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "llm/llm_client.hpp"
#include "net/http_client.hpp"
#include "tests/fakes/openai_fake.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::llm {
namespace {

namespace json = boost::json;
using alertbot::fakes::FakeLlmReply;
using alertbot::fakes::FakeOpenAi;
using namespace std::chrono_literals;

constexpr const char* kKey = "sk-test-SECRET-key-0123456789";

class OpenAiClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = FakeOpenAi::start(io_.get_executor(), fake_clock_);
    ASSERT_TRUE(f) << f.error().describe();
    fake_ = std::move(*f);
    http_ = make_curl_http_client(io_.get_executor(), clock_);
    settings_.provider = LlmProvider::OpenAi;
    settings_.base_url = fake_->url() + "/";
    settings_.model = "gpt-test";
    settings_.api_key = kKey;
    settings_.timeout = 5000ms;
    settings_.headers = {{"OpenAI-Organization", "org-alertbot"}};
  }
  void TearDown() override {
    if (fake_clock_.sleepers()) fake_clock_.advance(fake_clock_.next_wake_in());
    alertbot::testing::run_coro(io_, fake_->stop());
  }

  // Runs chat() to completion; whenever the client sleeps on the clock, time jumps to its wake-up.
  Result<ChatResponse> chat(ChatRequest req, TextDelta on_text = {}) {
    auto client = make_llm_client(*http_, clock_, settings_);
    std::optional<Result<ChatResponse>> out;
    asio::co_spawn(io_, client->chat(std::move(req), std::move(on_text)),
                   [&](std::exception_ptr e, Result<ChatResponse> r) {
                     if (e) std::rethrow_exception(e);
                     out.emplace(std::move(r));
                   });
    bool done = alertbot::testing::run_until(io_, [&] {
      if (clock_.sleepers()) {
        slept_ += clock_.next_wake_in();
        clock_.advance(clock_.next_wake_in());
      }
      return out.has_value();
    });
    if (!done) throw std::runtime_error("chat did not finish");
    if (!*out) {
      EXPECT_EQ(out->error().message.find(kKey), std::string::npos) << out->error().message;
    }
    return std::move(*out);
  }

  static ChatRequest ask(std::string text, bool stream = false) {
    ChatRequest r;
    r.messages = {ChatMessage{"system", "You are an SRE."}, ChatMessage{"user", std::move(text)}};
    r.stream = stream;
    return r;
  }

  json::object last_body() const {
    auto reqs = fake_->requests();
    EXPECT_FALSE(reqs.empty());
    return json::parse(reqs.back().body).as_object();
  }

  asio::io_context io_;
  alertbot::testing::FakeClock clock_;       // the client's: backoff and Retry-After
  alertbot::testing::FakeClock fake_clock_;  // the fake's: reply delays
  std::unique_ptr<FakeOpenAi> fake_;
  std::unique_ptr<HttpClient> http_;
  LlmSettings settings_;
  Clock::Duration slept_{0};
};

TEST_F(OpenAiClientTest, PlainAnswerWithUsage) {
  fake_->push(FakeLlmReply::answer("The database is out of connections."));
  std::vector<std::string> pieces;
  auto r = chat(ask("why?"), [&](std::string_view s) { pieces.emplace_back(s); });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->content, "The database is out of connections.");
  EXPECT_EQ(r->usage.prompt_tokens, 12);
  EXPECT_EQ(r->usage.completion_tokens, 5);
  EXPECT_EQ(r->model, "gpt-test");
  EXPECT_EQ(r->stop_reason, "stop");
  EXPECT_FALSE(r->refused);
  EXPECT_EQ(pieces, std::vector<std::string>{"The database is out of connections."});
  auto reqs = fake_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/v1/chat/completions");
  auto body = last_body();
  EXPECT_EQ(body.at("model"), "gpt-test");
  EXPECT_EQ(body.at("max_tokens"), 1500);
  ASSERT_EQ(body.at("messages").as_array().size(), 2u);
  EXPECT_EQ(body.at("messages").as_array()[1].at("content"), "why?");
  EXPECT_FALSE(body.contains("stream"));
  EXPECT_FALSE(body.contains("tools"));
}

TEST_F(OpenAiClientTest, StreamingDeliversDeltasInOrder) {
  const std::string text = "Checkout latency rose after deploy 4f2a.";
  fake_->push(FakeLlmReply::answer(text));
  std::vector<std::string> pieces;
  auto r = chat(ask("why?", true), [&](std::string_view s) { pieces.emplace_back(s); });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->content, text);
  EXPECT_GE(pieces.size(), 10u);
  std::string joined;
  for (const auto& p : pieces) joined += p;
  EXPECT_EQ(joined, text);
  EXPECT_EQ(pieces.front(), "Chec");
  EXPECT_EQ(r->usage.prompt_tokens, 12);
  EXPECT_EQ(r->usage.completion_tokens, 5);
  EXPECT_EQ(r->stop_reason, "stop");
  auto body = last_body();
  EXPECT_EQ(body.at("stream"), true);
  EXPECT_EQ(body.at("stream_options").at("include_usage"), true);
}

TEST_F(OpenAiClientTest, ToolCallsParsedPlainAndStreamed) {
  for (bool stream : {false, true}) {
    fake_->push(FakeLlmReply::tools({{"call_1", "query_prometheus", R"({"query":"up{job=\"api\"}"})"}}));
    fake_->push(FakeLlmReply::tools({{"call_a", "get_logs", R"({"service":"api","limit":20})"},
                                     {"call_b", "get_deploys", R"({"since":"1h"})"}}));
    ChatRequest req = ask("investigate", stream);
    req.tools = {ToolSpec{"query_prometheus", "Run PromQL", R"({"type":"object","properties":{"query":{"type":"string"}}})"}};
    auto one = chat(req);
    ASSERT_TRUE(one) << one.error().describe();
    ASSERT_EQ(one->tool_calls.size(), 1u);
    EXPECT_EQ(one->tool_calls[0].id, "call_1");
    EXPECT_EQ(one->tool_calls[0].name, "query_prometheus");
    EXPECT_EQ(one->tool_calls[0].arguments_json, R"({"query":"up{job=\"api\"}"})");
    EXPECT_EQ(one->stop_reason, "tool_calls");
    auto body = last_body();
    EXPECT_EQ(body.at("tool_choice"), "auto");
    EXPECT_EQ(body.at("tools").as_array()[0].at("function").at("name"), "query_prometheus");
    EXPECT_EQ(body.at("tools").as_array()[0].at("function").at("parameters").at("type"), "object");
    auto two = chat(req);
    ASSERT_TRUE(two) << two.error().describe();
    ASSERT_EQ(two->tool_calls.size(), 2u);
    EXPECT_EQ(two->tool_calls[0].name, "get_logs");
    EXPECT_EQ(two->tool_calls[0].arguments_json, R"({"service":"api","limit":20})");
    EXPECT_EQ(two->tool_calls[1].id, "call_b");
    EXPECT_EQ(two->tool_calls[1].arguments_json, R"({"since":"1h"})");
  }
}

TEST_F(OpenAiClientTest, ToolResultsSentBack) {
  ChatRequest req = ask("investigate");
  req.messages.push_back(ChatMessage{"assistant", "", {{"call_1", "get_logs", R"({"service":"api"})"}}, ""});
  req.messages.push_back(ChatMessage{"tool", "3 errors", {}, "call_1"});
  ASSERT_TRUE(chat(req));
  const auto body = last_body();
  const auto& msgs = body.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_TRUE(msgs[2].at("content").is_null());
  EXPECT_EQ(msgs[2].at("tool_calls").as_array()[0].at("function").at("arguments"), R"({"service":"api"})");
  EXPECT_EQ(msgs[3].at("role"), "tool");
  EXPECT_EQ(msgs[3].at("tool_call_id"), "call_1");
}

TEST_F(OpenAiClientTest, JsonSchemaSent) {
  fake_->push(FakeLlmReply::answer(R"({"cause":"deploy"})"));
  ChatRequest req = ask("summarise");
  req.json_schema = R"({"type":"object","properties":{"cause":{"type":"string"}},"required":["cause"]})";
  auto r = chat(req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->content, R"({"cause":"deploy"})");
  const auto body = last_body();
  const auto& rf = body.at("response_format");
  EXPECT_EQ(rf.at("type"), "json_schema");
  EXPECT_EQ(rf.at("json_schema").at("strict"), true);
  EXPECT_EQ(rf.at("json_schema").at("schema").at("required").as_array()[0], "cause");
}

TEST_F(OpenAiClientTest, JsonSchemaFallsBackToJsonObjectOnce) {
  fake_->push(FakeLlmReply::error(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported"));
  fake_->push(FakeLlmReply::answer(R"({"cause":"deploy"})"));
  ChatRequest req = ask("summarise");
  req.json_schema = R"({"type":"object"})";
  auto r = chat(req);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(fake_->requests().size(), 2u);
  auto body = last_body();
  EXPECT_EQ(body.at("response_format").at("type"), "json_object");
  EXPECT_NE(json::serialize(body.at("messages").as_array()[0]).find("JSON Schema"), std::string::npos);
  // A second refusal of json_object is final.
  fake_->push(FakeLlmReply::error(400, "response_format is not supported"));
  fake_->push(FakeLlmReply::error(400, "response_format is not supported"));
  auto again = chat(req);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::HttpStatus);
  EXPECT_EQ(fake_->requests().size(), 4u);
}

TEST_F(OpenAiClientTest, RateLimitHonoursRetryAfter) {
  fake_->push(FakeLlmReply::error(429, "Rate limit reached", "2"));
  fake_->push(FakeLlmReply::answer("fine"));
  auto r = chat(ask("why?"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->content, "fine");
  EXPECT_EQ(fake_->requests().size(), 2u);
  EXPECT_EQ(slept_, 2s);
}

TEST_F(OpenAiClientTest, RateLimitedAfterRetries) {
  for (int i = 0; i < 4; ++i) fake_->push(FakeLlmReply::error(429, "Rate limit reached", "1"));
  auto r = chat(ask("why?"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::RateLimited);
  EXPECT_EQ(fake_->requests().size(), 4u);
  EXPECT_EQ(slept_, 3s);
  // A Retry-After beyond the whole-step timeout is not waited for.
  fake_->push(FakeLlmReply::error(429, "Rate limit reached", "60"));
  auto r2 = chat(ask("why?"));
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, Errc::RateLimited);
  EXPECT_EQ(fake_->requests().size(), 5u);
}

TEST_F(OpenAiClientTest, ServerErrorRetriedWithBackoff) {
  fake_->push(FakeLlmReply::error(500, "The server had an error"));
  fake_->push(FakeLlmReply::error(503, "overloaded"));
  fake_->push(FakeLlmReply::answer("recovered"));
  auto r = chat(ask("why?"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->content, "recovered");
  EXPECT_EQ(fake_->requests().size(), 3u);
  EXPECT_EQ(slept_, 1500ms);  // 500 ms then 1 s
}

TEST_F(OpenAiClientTest, TimeoutWhenTheServerIsSlow) {
  settings_.timeout = 300ms;
  FakeLlmReply slow = FakeLlmReply::answer("late");
  slow.delay = 60s;  // on the fake's clock, which does not move during the call
  fake_->push(slow);
  auto r = chat(ask("why?"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Timeout);
  EXPECT_NE(r.error().message.find("openai"), std::string::npos);
}

TEST_F(OpenAiClientTest, RefusalFlagged) {
  for (bool stream : {false, true}) {
    fake_->push(FakeLlmReply::refusal("I can't help with that."));
    auto r = chat(ask("something", stream));
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_TRUE(r->refused);
    EXPECT_EQ(r->content, "I can't help with that.");
  }
}

TEST_F(OpenAiClientTest, MalformedAnswersAreProtocolErrors) {
  for (bool stream : {false, true}) {
    fake_->push(FakeLlmReply::malformed());
    auto r = chat(ask("why?", stream));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::ProtocolError) << r.error().describe();
    EXPECT_NE(r.error().message.find(stream ? "openai stream event 0: not JSON" : "openai response: not JSON"),
              std::string::npos)
        << r.error().message;
  }
}

TEST_F(OpenAiClientTest, HostileAnswersGiveClearErrors) {
  struct Case {
    FakeLlmReply reply;
    bool stream;
    Errc code;
    std::string message;
  };
  const std::string sse = "text/event-stream";
  std::vector<Case> cases = {
      {FakeLlmReply::raw(200, sse, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n"), true,
       Errc::ProtocolError, "openai stream: ended without \"data: [DONE]\""},
      {FakeLlmReply::raw(200, "application/json", R"({"choices":[{"message":{"content":42}}]})"), false,
       Errc::ProtocolError, "openai response.choices[0].message.content: expected a string"},
      {FakeLlmReply::raw(200, "application/json", R"({"choices":[]})"), false, Errc::ProtocolError,
       "openai response.choices: missing or empty"},
      {FakeLlmReply::raw(200, sse, R"(data: {"choices":[{"delta":{"tool_calls":[{"index":5000}]}}]})" "\n\n"), true,
       Errc::ProtocolError, "tool_calls[0]: more than 64 tool calls"},
      {FakeLlmReply::raw(200, "application/json", R"({"id":"x","choices":[]})"), true, Errc::ProtocolError,
       "openai stream: no server-sent events in the answer"},
      {FakeLlmReply::raw(200, sse, "hello\n"), true, Errc::ProtocolError,
       "openai stream: event stream line 1: not an SSE field (\"hello\")"},
      {FakeLlmReply::raw(404, "text/plain", "404 page not found"), false, Errc::HttpStatus,
       "openai: HTTP 404: 404 page not found"},
  };
  for (const auto& c : cases) {
    fake_->push(c.reply);
    auto r = chat(ask("why?", c.stream));
    ASSERT_FALSE(r) << c.message;
    EXPECT_EQ(r.error().code, c.code) << r.error().describe();
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().message << " // wanted: " << c.message;
  }
  // A proxy's HTML 502 is retried like any 5xx, then reported.
  for (int i = 0; i < 4; ++i) fake_->push(FakeLlmReply::raw(502, "text/html", "<html>Bad Gateway</html>"));
  auto r = chat(ask("why?"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "openai: HTTP 502 after 4 attempts");
}

TEST_F(OpenAiClientTest, HeadersSent) {
  ASSERT_TRUE(chat(ask("hi")));
  auto reqs = fake_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header("authorization").value_or(""), std::string("Bearer ") + kKey);
  EXPECT_EQ(reqs[0].header("openai-organization").value_or(""), "org-alertbot");
  EXPECT_EQ(reqs[0].header("content-type").value_or(""), "application/json");
}

TEST_F(OpenAiClientTest, KeyNeverInErrorMessages) {
  fake_->push(FakeLlmReply::error(401, std::string("Incorrect API key provided: ") + kKey + "."));
  auto r = chat(ask("hi"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::HttpStatus);
  EXPECT_NE(r.error().message.find("HTTP 401"), std::string::npos);
  EXPECT_NE(r.error().message.find("Incorrect API key provided: ***"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().describe().find(kKey), std::string::npos);
}

TEST(LlmClientFactory, NoneGivesNullAndCostUsesPrices) {
  asio::io_context io;
  alertbot::testing::FakeClock clock;
  auto http = make_curl_http_client(io.get_executor(), clock);
  LlmSettings s;
  EXPECT_EQ(make_llm_client(*http, clock, s), nullptr);
  s.provider = LlmProvider::OpenAi;
  EXPECT_NE(make_llm_client(*http, clock, s), nullptr);
  s.input_usd_per_mtok = 2.5;
  s.output_usd_per_mtok = 10;
  EXPECT_DOUBLE_EQ(cost_usd(ChatUsage{200000, 10000}, s), 0.5 + 0.1);
  EXPECT_DOUBLE_EQ(cost_usd(ChatUsage{}, s), 0.0);
}

// The pieces reach on_text while the answer is still coming: the fake writes one event per
// step of its own clock, and the first pieces are seen before the rest was sent.
TEST_F(OpenAiClientTest, StreamedPiecesArriveBeforeTheAnswerEnds) {
  const std::string text = "The pool of checkout-db connections is exhausted since 14:02.";
  auto reply = FakeLlmReply::answer(text);
  reply.chunk_bytes = 8;
  reply.stream_pause = 10ms;
  fake_->push(reply);
  auto client = make_llm_client(*http_, clock_, settings_);
  std::string seen;
  std::optional<Result<ChatResponse>> out;
  asio::co_spawn(io_, client->chat(ask("why?", true), [&](std::string_view s) { seen.append(s); }),
                 [&](std::exception_ptr e, Result<ChatResponse> r) {
                   if (e) std::rethrow_exception(e);
                   out.emplace(std::move(r));
                 });
  // Let the fake send a few events, one per 10 ms of its clock.
  for (int step = 0; step < 4; ++step) {
    ASSERT_TRUE(alertbot::testing::run_until(io_, [&] { return fake_clock_.sleepers() > 0; }));
    fake_clock_.advance(10ms);
  }
  ASSERT_TRUE(alertbot::testing::run_until(io_, [&] { return !seen.empty(); }));
  EXPECT_FALSE(out.has_value());
  EXPECT_LT(seen.size(), text.size());
  EXPECT_EQ(text.substr(0, seen.size()), seen);
  ASSERT_TRUE(alertbot::testing::run_until(io_, [&] {
    if (fake_clock_.sleepers()) fake_clock_.advance(10ms);
    return out.has_value();
  }));
  ASSERT_TRUE(*out) << out->error().describe();
  EXPECT_EQ((*out)->content, text);
  EXPECT_EQ(seen, text);  // every piece once, in order
}

TEST_F(OpenAiClientTest, ToolChoiceNoneWhenToolsAreNotAllowed) {
  ChatRequest req = ask("answer now");
  req.tools = {ToolSpec{"list_deploys", "Deploys", R"({"type":"object"})"}};
  req.tools_allowed = false;
  auto r = chat(req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(last_body().at("tool_choice"), "none");
}

}  // namespace
}  // namespace alertbot::llm
