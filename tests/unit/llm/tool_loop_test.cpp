// run_tool_loop against FakeOpenAi over loopback: a question answered after two tool calls, tool
// answers redacted before the model sees them, the last call forbidding tools when the step or
// call budget runs out, the time budget, refusals and failures.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "llm/tool_loop.hpp"
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

class ToolLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = FakeOpenAi::start(io_.get_executor(), fake_clock_);
    ASSERT_TRUE(f) << f.error().describe();
    fake_ = std::move(*f);
    http_ = make_curl_http_client(io_.get_executor(), clock_);
    settings_.provider = LlmProvider::OpenAi;
    settings_.base_url = fake_->url();
    settings_.model = "gpt-test";
    settings_.timeout = 5000ms;
    settings_.input_usd_per_mtok = 1;
    settings_.output_usd_per_mtok = 1;
    client_ = make_llm_client(*http_, clock_, settings_);
    auto r = Redactor::create(RedactionRules{});
    ASSERT_TRUE(r);
    redactor_.emplace(std::move(*r));
  }
  void TearDown() override {
    if (fake_clock_.sleepers()) fake_clock_.advance(fake_clock_.next_wake_in());
    alertbot::testing::run_coro(io_, fake_->stop());
  }

  ToolLoopResult loop(ToolLoopLimits limits = {}, bool advance_fake = false) {
    std::vector<ChatMessage> messages{{"system", "You answer questions about an investigation."},
                                      {"user", "Did the deploy at 14:00 cause it?"}};
    std::vector<ToolSpec> tools{{"list_deploys", "Deploys of a service", R"({"type":"object"})"},
                                {"query_metrics", "PromQL", R"({"type":"object"})"}};
    ToolRunner run = [this](ToolCall c) -> awaitable<std::string> {
      ran_.push_back(c.name + " " + c.arguments_json);
      if (c.name == "list_deploys") co_return R"({"deploys":[{"id":"deploy-4121","author":"ana@example.com","at":"14:00"}]})";
      co_return R"({"series":[{"max_ms":910,"dsn":"postgres://app:hunter2pw@db:5432/x"}]})";
    };
    std::optional<ToolLoopResult> out;
    asio::co_spawn(io_, run_tool_loop(*client_, clock_, settings_, messages, tools, run, *redactor_, limits),
                   [&](std::exception_ptr e, ToolLoopResult r) {
                     if (e) std::rethrow_exception(e);
                     out.emplace(std::move(r));
                   });
    bool done = alertbot::testing::run_until(io_, [&] {
      if (advance_fake && fake_clock_.sleepers()) fake_clock_.advance(fake_clock_.next_wake_in());
      if (!advance_fake && clock_.sleepers() && fake_clock_.sleepers()) clock_.advance(clock_.next_wake_in());
      return out.has_value();
    });
    if (!done) throw std::runtime_error("loop did not finish");
    return std::move(*out);
  }

  json::object body(std::size_t i) const { return json::parse(fake_->requests().at(i).body).as_object(); }

  asio::io_context io_;
  alertbot::testing::FakeClock clock_;
  alertbot::testing::FakeClock fake_clock_;
  std::unique_ptr<FakeOpenAi> fake_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<LlmClient> client_;
  std::optional<Redactor> redactor_;
  LlmSettings settings_;
  std::vector<std::string> ran_;
};

TEST_F(ToolLoopTest, AnswersAfterTwoToolCallsWithRedactedResults) {
  fake_->push(FakeLlmReply::tools({{"call_1", "list_deploys", R"({"service":"checkout","hours":2})"}}));
  fake_->push(FakeLlmReply::tools({{"call_2", "query_metrics", R"({"service":"checkout","minutes":60})"}}));
  fake_->push(FakeLlmReply::answer("Yes: deploy-4121 at 14:00, p99 reached 910 ms right after."));
  auto r = loop();
  ASSERT_TRUE(r.answered) << r.stopped;
  EXPECT_EQ(r.answer, "Yes: deploy-4121 at 14:00, p99 reached 910 ms right after.");
  EXPECT_EQ(r.steps, 3);
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].name, "list_deploys");
  EXPECT_EQ(r.calls[1].name, "query_metrics");
  EXPECT_EQ(ran_, (std::vector<std::string>{R"(list_deploys {"service":"checkout","hours":2})",
                                            R"(query_metrics {"service":"checkout","minutes":60})"}));
  EXPECT_EQ(r.usage.prompt_tokens, 36);
  EXPECT_EQ(r.usage.completion_tokens, 15);
  EXPECT_NEAR(r.cost_usd, 51e-6, 1e-12);
  ASSERT_EQ(fake_->requests().size(), 3u);
  // The third request carries both calls and both (redacted) answers.
  auto msgs = body(2).at("messages").as_array();
  ASSERT_EQ(msgs.size(), 6u);
  EXPECT_EQ(msgs[2].at("tool_calls").as_array()[0].at("id"), "call_1");
  EXPECT_EQ(msgs[3].at("role"), "tool");
  EXPECT_EQ(msgs[3].at("tool_call_id"), "call_1");
  EXPECT_NE(json::value_to<std::string>(msgs[3].at("content")).find("deploy-4121"), std::string::npos);
  EXPECT_EQ(msgs[5].at("tool_call_id"), "call_2");
  for (const auto& req : fake_->requests()) {
    EXPECT_EQ(req.body.find("ana@example.com"), std::string::npos);
    EXPECT_EQ(req.body.find("hunter2pw"), std::string::npos);
  }
  EXPECT_EQ(body(2).at("tool_choice"), "auto");
}

TEST_F(ToolLoopTest, TheLastStepForbidsToolsAndAsksForAnAnswer) {
  fake_->push(FakeLlmReply::tools({{"c1", "list_deploys", "{}"}}));
  fake_->push(FakeLlmReply::answer("Not enough data: only the deploy list was read."));
  ToolLoopLimits limits;
  limits.max_steps = 2;
  auto r = loop(limits);
  ASSERT_TRUE(r.answered) << r.stopped;
  EXPECT_EQ(r.steps, 2);
  EXPECT_EQ(body(0).at("tool_choice"), "auto");
  EXPECT_EQ(body(1).at("tool_choice"), "none");
  auto msgs = body(1).at("messages").as_array();
  EXPECT_EQ(msgs.back().at("role"), "user");
  EXPECT_NE(json::value_to<std::string>(msgs.back().at("content")).find("budget is spent"), std::string::npos);
}

TEST_F(ToolLoopTest, ToolCallBudgetStopsRunningTools) {
  fake_->push(FakeLlmReply::tools({{"a", "list_deploys", "{}"}, {"b", "query_metrics", "{}"}, {"c", "list_deploys", "{}"}}));
  fake_->push(FakeLlmReply::answer("Answered with two tools."));
  ToolLoopLimits limits;
  limits.max_tool_calls = 2;
  auto r = loop(limits);
  ASSERT_TRUE(r.answered);
  EXPECT_EQ(ran_.size(), 2u);
  auto msgs = body(1).at("messages").as_array();
  // system, user, assistant, 3 tool answers (the third says it was not run), the last-call note
  ASSERT_EQ(msgs.size(), 7u);
  EXPECT_NE(json::value_to<std::string>(msgs[5].at("content")).find("not run"), std::string::npos);
  EXPECT_EQ(body(1).at("tool_choice"), "none");
}

TEST_F(ToolLoopTest, AModelThatKeepsCallingToolsEndsWithoutAnAnswer) {
  for (int i = 0; i < 3; ++i) fake_->push(FakeLlmReply::tools({{"x" + std::to_string(i), "list_deploys", "{}"}}));
  ToolLoopLimits limits;
  limits.max_steps = 2;
  auto r = loop(limits);
  EXPECT_FALSE(r.answered);
  EXPECT_EQ(r.stopped, "the model kept calling tools");
}

TEST_F(ToolLoopTest, ATightTokenBudgetMakesTheNextCallTheLast) {
  fake_->push(FakeLlmReply::tools({{"c1", "list_deploys", "{}"}}));
  fake_->push(FakeLlmReply::answer("From the deploy list only."));
  ToolLoopLimits limits;
  limits.max_tokens = 1600;  // one more call of up to 1500 output tokens fits, two do not
  auto r = loop(limits);
  ASSERT_TRUE(r.answered) << r.stopped;
  EXPECT_EQ(ran_.size(), 1u);
  EXPECT_EQ(body(1).at("tool_choice"), "none");
}

TEST_F(ToolLoopTest, NoToolRunsWhenNoFurtherCallFitsTheTokenBudget) {
  fake_->push(FakeLlmReply::tools({{"c1", "list_deploys", "{}"}}));
  ToolLoopLimits limits;
  limits.max_tokens = 1520;
  auto r = loop(limits);
  EXPECT_FALSE(r.answered);
  EXPECT_EQ(r.stopped, "token budget");
  EXPECT_TRUE(ran_.empty());
  EXPECT_EQ(fake_->requests().size(), 1u);
}

TEST_F(ToolLoopTest, OneStepMeansNoTools) {
  fake_->push(FakeLlmReply::answer("Straight answer."));
  ToolLoopLimits limits;
  limits.max_steps = 1;
  auto r = loop(limits);
  ASSERT_TRUE(r.answered);
  EXPECT_EQ(body(0).at("tool_choice"), "none");
}

TEST_F(ToolLoopTest, TimeBudgetEndsASlowModel) {
  auto slow = FakeLlmReply::answer("too late");
  slow.delay = 60s;
  fake_->push(slow);
  ToolLoopLimits limits;
  limits.time = 5s;
  auto r = loop(limits);
  EXPECT_FALSE(r.answered);
  EXPECT_EQ(r.stopped, "time budget");
  EXPECT_EQ(r.latency, 5000ms);
}

TEST_F(ToolLoopTest, RefusalAndProviderErrorsAreReasons) {
  fake_->push(FakeLlmReply::refusal("I can't help with that."));
  auto r = loop();
  EXPECT_FALSE(r.answered);
  EXPECT_EQ(r.stopped, "refused");
  fake_->push(FakeLlmReply::error(400, "bad request: context too long"));
  auto e = loop();
  EXPECT_FALSE(e.answered);
  EXPECT_NE(e.stopped.find("context too long"), std::string::npos) << e.stopped;
}

}  // namespace
}  // namespace alertbot::llm
