// The Anthropic Messages client against FakeAnthropic over loopback HTTP: answers, streaming
// events, tool_use/tool_result blocks, JSON instructions, retries on an injected FakeClock,
// timeouts, refusals, malformed answers, cost, headers, and that the key never leaks.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "llm/llm_client.hpp"
#include "net/http_client.hpp"
#include "tests/fakes/anthropic_fake.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::llm {
namespace {

namespace json = boost::json;
using alertbot::fakes::FakeAnthropic;
using alertbot::fakes::FakeLlmReply;
using namespace std::chrono_literals;

constexpr const char* kKey = "sk-ant-api03-SECRET-key-0123456789";

class AnthropicClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = FakeAnthropic::start(io_.get_executor(), fake_clock_);
    ASSERT_TRUE(f) << f.error().describe();
    fake_ = std::move(*f);
    http_ = make_curl_http_client(io_.get_executor(), clock_);
    settings_.provider = LlmProvider::Anthropic;
    settings_.base_url = fake_->url();
    settings_.model = "claude-test";
    settings_.api_key = kKey;
    settings_.timeout = 5000ms;
    settings_.headers = {{"X-Gateway-Team", "sre"}};
    settings_.input_usd_per_mtok = 3;
    settings_.output_usd_per_mtok = 15;
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
  std::unique_ptr<FakeAnthropic> fake_;
  std::unique_ptr<HttpClient> http_;
  LlmSettings settings_;
  Clock::Duration slept_{0};
};

TEST_F(AnthropicClientTest, PlainAnswerWithUsageAndCost) {
  FakeLlmReply reply = FakeLlmReply::answer("Connection pool exhausted on orders-db.");
  reply.prompt_tokens = 100000;
  reply.completion_tokens = 2000;
  fake_->push(reply);
  auto r = chat(ask("why?"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->content, "Connection pool exhausted on orders-db.");
  EXPECT_EQ(r->usage.prompt_tokens, 100000);
  EXPECT_EQ(r->usage.completion_tokens, 2000);
  EXPECT_EQ(r->model, "claude-test");
  EXPECT_EQ(r->stop_reason, "end_turn");
  EXPECT_FALSE(r->refused);
  EXPECT_DOUBLE_EQ(cost_usd(r->usage, settings_), 0.3 + 0.03);
  auto reqs = fake_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/v1/messages");
  const auto body = last_body();
  EXPECT_EQ(body.at("system"), "You are an SRE.");
  EXPECT_EQ(body.at("max_tokens"), 1500);
  ASSERT_EQ(body.at("messages").as_array().size(), 1u);
  EXPECT_EQ(body.at("messages").as_array()[0].at("role"), "user");
  EXPECT_FALSE(body.contains("stream"));
}

TEST_F(AnthropicClientTest, StreamingDeliversDeltasInOrder) {
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
  EXPECT_EQ(r->usage.completion_tokens, 5);  // from message_delta, not message_start's 1
  EXPECT_EQ(r->stop_reason, "end_turn");
  EXPECT_EQ(last_body().at("stream"), true);
}

TEST_F(AnthropicClientTest, ToolUseParsedPlainAndStreamed) {
  for (bool stream : {false, true}) {
    fake_->push(FakeLlmReply::tools({{"toolu_1", "query_prometheus", R"({"query":"up"})"}}));
    FakeLlmReply two = FakeLlmReply::tools({{"toolu_a", "get_logs", R"({"limit":20,"service":"api"})"},
                                            {"toolu_b", "get_deploys", R"({"since":"1h"})"}});
    two.text = "Let me look.";
    fake_->push(two);
    ChatRequest req = ask("investigate", stream);
    req.tools = {ToolSpec{"query_prometheus", "Run PromQL", R"({"type":"object","properties":{"query":{"type":"string"}}})"}};
    auto one = chat(req);
    ASSERT_TRUE(one) << one.error().describe();
    ASSERT_EQ(one->tool_calls.size(), 1u);
    EXPECT_EQ(one->tool_calls[0].id, "toolu_1");
    EXPECT_EQ(one->tool_calls[0].name, "query_prometheus");
    EXPECT_EQ(json::parse(one->tool_calls[0].arguments_json), json::parse(R"({"query":"up"})"));
    EXPECT_EQ(one->stop_reason, "tool_use");
    const auto body = last_body();
    EXPECT_EQ(body.at("tools").as_array()[0].at("name"), "query_prometheus");
    EXPECT_EQ(body.at("tools").as_array()[0].at("input_schema").at("type"), "object");
    auto r2 = chat(req);
    ASSERT_TRUE(r2) << r2.error().describe();
    EXPECT_EQ(r2->content, "Let me look.");
    ASSERT_EQ(r2->tool_calls.size(), 2u);
    EXPECT_EQ(r2->tool_calls[0].name, "get_logs");
    EXPECT_EQ(json::parse(r2->tool_calls[0].arguments_json), json::parse(R"({"limit":20,"service":"api"})"));
    EXPECT_EQ(r2->tool_calls[1].id, "toolu_b");
    EXPECT_EQ(json::parse(r2->tool_calls[1].arguments_json), json::parse(R"({"since":"1h"})"));
  }
}

TEST_F(AnthropicClientTest, ToolResultsSentAsBlocks) {
  ChatRequest req = ask("investigate");
  req.messages.push_back(ChatMessage{"assistant", "Checking.", {{"toolu_1", "get_logs", R"({"service":"api"})"},
                                                               {"toolu_2", "get_deploys", "{}"}}, ""});
  req.messages.push_back(ChatMessage{"tool", "3 errors", {}, "toolu_1"});
  req.messages.push_back(ChatMessage{"tool", "no deploys", {}, "toolu_2"});
  ASSERT_TRUE(chat(req));
  const auto body = last_body();
  const auto& msgs = body.at("messages").as_array();
  ASSERT_EQ(msgs.size(), 3u);  // user, assistant, one user turn with both results
  const auto& calls = msgs[1].at("content").as_array();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].at("type"), "tool_use");
  EXPECT_EQ(calls[1].at("input").at("service"), "api");
  const auto& results = msgs[2].at("content").as_array();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].at("type"), "tool_result");
  EXPECT_EQ(results[0].at("tool_use_id"), "toolu_1");
  EXPECT_EQ(results[1].at("content"), "no deploys");
}

TEST_F(AnthropicClientTest, JsonSchemaAskedInSystemPrompt) {
  fake_->push(FakeLlmReply::answer(R"({"cause":"deploy"})"));
  ChatRequest req = ask("summarise");
  req.json_schema = R"({"type":"object","required":["cause"]})";
  auto r = chat(req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->content, R"({"cause":"deploy"})");
  const auto body = last_body();
  const std::string system(body.at("system").as_string());
  EXPECT_NE(system.find("You are an SRE."), std::string::npos);
  EXPECT_NE(system.find(R"({"type":"object","required":["cause"]})"), std::string::npos);
  EXPECT_FALSE(body.contains("response_format"));
}

TEST_F(AnthropicClientTest, RateLimitHonoursRetryAfter) {
  fake_->push(FakeLlmReply::error(429, "Number of request tokens has exceeded your rate limit", "3"));
  fake_->push(FakeLlmReply::answer("fine"));
  auto r = chat(ask("why?"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->content, "fine");
  EXPECT_EQ(fake_->requests().size(), 2u);
  EXPECT_EQ(slept_, 3s);
}

TEST_F(AnthropicClientTest, OverloadedRetriedThenFinal) {
  fake_->push(FakeLlmReply::error(529, "Overloaded"));
  fake_->push(FakeLlmReply::answer("ok now"));
  auto r = chat(ask("why?"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(slept_, 500ms);
  for (int i = 0; i < 4; ++i) fake_->push(FakeLlmReply::error(500, "Internal server error"));
  auto bad = chat(ask("why?"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::HttpStatus);
  EXPECT_NE(bad.error().message.find("HTTP 500 after 4 attempts"), std::string::npos) << bad.error().message;
  EXPECT_EQ(fake_->requests().size(), 6u);
}

TEST_F(AnthropicClientTest, TimeoutWhenTheServerIsSlow) {
  settings_.timeout = 300ms;
  FakeLlmReply slow = FakeLlmReply::answer("late");
  slow.delay = 60s;  // on the fake's clock, which does not move during the call
  fake_->push(slow);
  auto r = chat(ask("why?"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Timeout);
}

TEST_F(AnthropicClientTest, RefusalFlagged) {
  for (bool stream : {false, true}) {
    fake_->push(FakeLlmReply::refusal("I can't help with that."));
    auto r = chat(ask("something", stream));
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_TRUE(r->refused);
    EXPECT_EQ(r->stop_reason, "refusal");
  }
}

TEST_F(AnthropicClientTest, MalformedAnswersAreProtocolErrors) {
  for (bool stream : {false, true}) {
    fake_->push(FakeLlmReply::malformed());
    auto r = chat(ask("why?", stream));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::ProtocolError) << r.error().describe();
    EXPECT_NE(r.error().message.find(stream ? "anthropic stream event 0: not JSON" : "anthropic response: not JSON"),
              std::string::npos)
        << r.error().message;
  }
}

TEST_F(AnthropicClientTest, HostileAnswersGiveClearErrors) {
  struct Case {
    FakeLlmReply reply;
    bool stream;
    std::string message;
  };
  const std::string sse = "text/event-stream";
  const std::string start = R"(data: {"type":"message_start","message":{"model":"m","usage":{"input_tokens":1}}})" "\n\n";
  std::vector<Case> cases = {
      {FakeLlmReply::raw(200, sse, start + R"(data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})" "\n\n"),
       true, "anthropic stream: error: Overloaded"},
      {FakeLlmReply::raw(200, sse, start), true, "anthropic stream: ended without message_stop"},
      {FakeLlmReply::raw(200, sse, start + R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})" "\n\n" +
                                       R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}})" "\n\n"),
       true, "input_json_delta for block 0, not a tool_use"},
      {FakeLlmReply::raw(200, sse, start + R"(data: {"type":"content_block_delta","index":99999,"delta":{}})" "\n\n"), true,
       "anthropic stream event 1.index: expected an integer in [0, 1024)"},
      {FakeLlmReply::raw(200, "application/json", R"({"content":[{"type":"tool_use","id":"t","name":"n","input":"x"}]})"), false,
       "anthropic response.content[0].input: expected an object"},
      {FakeLlmReply::raw(200, "application/json", R"({"content":"hello"})"), false,
       "anthropic response.content: expected an array"},
      {FakeLlmReply::raw(200, "application/json", R"({"content":[],"usage":{"input_tokens":-5}})"), false,
       "anthropic response.usage.input_tokens: expected a non-negative integer"},
  };
  for (const auto& c : cases) {
    fake_->push(c.reply);
    auto r = chat(ask("why?", c.stream));
    ASSERT_FALSE(r) << c.message;
    EXPECT_EQ(r.error().code, Errc::ProtocolError) << r.error().describe();
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().message;
  }
}

TEST_F(AnthropicClientTest, HeadersSent) {
  ASSERT_TRUE(chat(ask("hi")));
  auto reqs = fake_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header("x-api-key").value_or(""), kKey);
  EXPECT_EQ(reqs[0].header("anthropic-version").value_or(""), "2023-06-01");
  EXPECT_EQ(reqs[0].header("x-gateway-team").value_or(""), "sre");
  EXPECT_FALSE(reqs[0].header("authorization"));
}

TEST_F(AnthropicClientTest, KeyNeverInErrorMessages) {
  fake_->push(FakeLlmReply::error(401, std::string("invalid x-api-key: ") + kKey));
  auto r = chat(ask("hi"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::HttpStatus);
  EXPECT_NE(r.error().message.find("anthropic: HTTP 401: invalid x-api-key: ***"), std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace alertbot::llm
