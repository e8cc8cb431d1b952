// BotMetrics: count_report turns a delivered report into the alertbot_* metrics, and the running
// bot (hooks on, on the harness' world) counts a hook alert received, acked, investigated and
// reported, and serves all of it on GET /metrics in the text format.
#include "bot/bot_metrics.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "bot/report.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

bool has(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(BotMetrics, CountReportRecordsOutcomeDurationSourcesAndLlmUsage) {
  MetricsRegistry registry;
  BotMetrics m = register_bot_metrics(registry);
  Report r;
  r.total = 2500ms;
  r.llm.prompt_tokens = 1200;
  r.llm.completion_tokens = 300;
  r.llm.cost_usd = 0.0125;
  r.result.sources.push_back({"prometheus", investigators::SourceStatus::Ok, "", 400ms});
  r.result.sources.push_back({"loki", investigators::SourceStatus::TimedOut, "deadline", 10000ms});
  r.result.sources.push_back({"tempo", investigators::SourceStatus::Skipped, "not configured", 0ms});
  m.count_report(r);

  const std::string text = registry.render();
  EXPECT_TRUE(has(text, "alertbot_investigations_total{outcome=\"done\"} 1\n")) << text;
  EXPECT_TRUE(has(text, "alertbot_investigations_total{outcome=\"failed\"} 0\n")) << text;
  EXPECT_TRUE(has(text, "alertbot_investigation_seconds_bucket{le=\"2.5\"} 1\n")) << text;
  EXPECT_TRUE(has(text, "alertbot_investigation_seconds_bucket{le=\"1\"} 0\n")) << text;
  EXPECT_TRUE(has(text, "alertbot_investigation_seconds_sum 2.5\n")) << text;
  EXPECT_TRUE(has(text, "alertbot_source_seconds_count{source=\"prometheus\"} 1\n")) << text;
  EXPECT_TRUE(has(text, "alertbot_source_seconds_sum{source=\"loki\"} 10\n")) << text;
  EXPECT_FALSE(has(text, "source=\"tempo\"")) << "a skipped source took no time: " << text;
  EXPECT_TRUE(has(text, "alertbot_source_errors_total{source=\"loki\"} 1\n")) << text;
  EXPECT_FALSE(has(text, "alertbot_source_errors_total{source=\"prometheus\"}")) << text;
  EXPECT_TRUE(has(text, "alertbot_llm_tokens_total{kind=\"prompt\"} 1200\n")) << text;
  EXPECT_TRUE(has(text, "alertbot_llm_tokens_total{kind=\"completion\"} 300\n")) << text;
  EXPECT_TRUE(has(text, "alertbot_llm_cost_usd_total 0.0125\n")) << text;
}

TEST(BotMetrics, RegistersOncePerRegistry) {
  MetricsRegistry registry;
  (void)register_bot_metrics(registry);
  EXPECT_THROW((void)register_bot_metrics(registry), std::invalid_argument);
}

class BotMetricsEndpoint : public testing::SocketBotHarness {
 protected:
  void SetUp() override {
    SocketBotHarness::SetUp();
    config_.has_server = true;
    config_.server.listen = "127.0.0.1:0";
    config_.has_hooks = true;
    config_.hooks.token = "metrics-hook-token";
    config_.hooks.channel = "C0HOOKS";
    launch_app();
    ASSERT_TRUE(run_until(io_, [&] { return (app_->open_sockets() == 1 && app_->http_port() > 0) || !running_; }));
    ASSERT_TRUE(running_);
    http_ = make_curl_http_client(io_.get_executor(), clock_);
  }

  HttpResponse request(std::string method, const std::string& path, std::string body = "") {
    HttpRequest req;
    req.method = std::move(method);
    req.url = "http://127.0.0.1:" + std::to_string(app_->http_port()) + path;
    req.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer metrics-hook-token"}};
    req.body = std::move(body);
    req.max_attempts = 1;
    auto r = run_coro(io_, http_->send(std::move(req)));
    EXPECT_TRUE(r) << r.error().describe();
    return r ? *r : HttpResponse{};
  }

  std::unique_ptr<HttpClient> http_;
};

TEST_F(BotMetricsEndpoint, CountsAHookAlertFromReceiptToReport) {
  auto before = request("GET", "/metrics");
  ASSERT_EQ(before.status, 200);
  EXPECT_EQ(find_header(before.headers, "content-type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
  // A labelled family shows once it has a child; the unlabelled ones show 0 from the start.
  EXPECT_FALSE(has(before.body, "alertbot_events_received_total")) << before.body;
  EXPECT_TRUE(has(before.body, "# TYPE alertbot_events_acked_total counter\nalertbot_events_acked_total 0\n")) << before.body;
  EXPECT_TRUE(has(before.body, "alertbot_investigations_total{outcome=\"done\"} 0\n")) << before.body;

  json::object a{{"name", "QueueBacklog"}, {"service", "checkout"}, {"severity", "warning"}, {"fingerprint", "m1"}};
  json::object body{{"alerts", json::array{a}}};
  ASSERT_EQ(request("POST", "/hooks/generic", json::serialize(body)).status, 200);
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));

  auto after = request("GET", "/metrics");
  ASSERT_EQ(after.status, 200);
  const std::string& t = after.body;
  EXPECT_TRUE(has(t, "alertbot_events_received_total{kind=\"hook:generic\"} 1\n")) << t;
  EXPECT_TRUE(has(t, "alertbot_ack_seconds_count ")) << t;
  EXPECT_TRUE(has(t, "alertbot_investigations_total{outcome=\"done\"} 1\n")) << t;
  EXPECT_TRUE(has(t, "alertbot_investigation_seconds_count 1\n")) << t;
  EXPECT_TRUE(has(t, "alertbot_source_seconds_count{source=\"prometheus\"} 1\n")) << t;
  EXPECT_TRUE(has(t, "alertbot_slack_calls_total{method=\"chat.postMessage\"} ")) << t;
  EXPECT_TRUE(has(t, "alertbot_queue_depth 0\n")) << t;
  EXPECT_TRUE(has(t, "alertbot_socket_reconnects_total 0\n")) << t;
}

}  // namespace
}  // namespace alertbot::bot
