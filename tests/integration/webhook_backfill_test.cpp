// Alertmanager's webhook into the bot, investigated against real history: a real Prometheus 2.42
// whose TSDB was backfilled with `promtool tsdb create-blocks-from openmetrics` (two hours of a
// p99 latency series that steps from 180 ms to 900 ms twenty minutes ago, and a flat error ratio),
// a deploy recorded on POST /hooks/deploy two minutes before the step, and a real Alertmanager
// 0.25 whose webhook_configs receiver (with a Bearer token) POSTs to /hooks/alertmanager. The bot
// stores the body, answers 200, posts the alert to the hooks channel of the Slack emulator and
// investigates in that thread: the report must find the step in the backfilled data and name the
// deploy as the suspect.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/report.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/time_format.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/real_peers.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/test_certs.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using alertbot::testing::run_coro;
using alertbot::testing::run_until;
using namespace std::chrono_literals;

constexpr const char* kHooksChannel = "C0HOOKS";
constexpr const char* kToken = "hook-token-for-test";
constexpr std::chrono::milliseconds kStepLimit{20000};

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// Two hours of samples every 15 s up to a minute ago: latency steps up at `step`.
std::string openmetrics(SystemTime now, SystemTime step) {
  std::string out = "# TYPE checkout_latency_p99_seconds gauge\n# TYPE checkout_error_ratio gauge\n";
  std::string latency, errors;
  for (auto t = now - 2h; t <= now - 1min; t += 15s) {
    const double secs = std::floor(to_unix_seconds(t));
    const double jitter = 0.01 * std::sin(secs * 0.7913);
    char line[160];
    std::snprintf(line, sizeof line, "checkout_latency_p99_seconds{service=\"checkout\"} %.4f %.0f\n",
                  (t < step ? 0.18 : 0.9) + jitter, secs);
    latency += line;
    std::snprintf(line, sizeof line, "checkout_error_ratio{service=\"checkout\"} %.5f %.0f\n", 0.002 + jitter / 100, secs);
    errors += line;
  }
  return out + latency + errors + "# EOF\n";
}

class WebhookBackfill : public ::testing::Test {
 protected:
  void SetUp() override {
    now_ = clock_->system_now();
    step_ = now_ - 20min;
    auto ws = fakes::SlackWorkspace::start(io_.get_executor(), *clock_);
    ASSERT_TRUE(ws) << ws.error().describe();
    ws_ = std::move(*ws);
    alertbot::testing::PrometheusOptions po;
    po.backfill_openmetrics = openmetrics(now_, step_);
    prometheus_ = alertbot::testing::start_prometheus(po);

    config_ = bot_config();
    auto app = App::create(io_.get_executor(), config_, *clock_);
    ASSERT_TRUE(app) << app.error().describe();
    app_ = std::move(*app);
    app_->on_report([this](const Report& r) { report_ = r; });
    running_ = true;
    asio::co_spawn(io_, app_->run(), [this](std::exception_ptr e, const Result<void>& r) {
      running_ = false;
      run_error_ = e ? "exception" : r ? "" : r.error().describe();
    });
    ASSERT_TRUE(run_until(io_, [&] { return (app_->open_sockets() > 0 && app_->http_port() > 0) || !running_; }, kStepLimit));
    ASSERT_GT(app_->http_port(), 0) << "the bot's server did not start: " << run_error_;

    alertbot::testing::AlertmanagerOptions am;
    am.webhook_url = bot_url() + "/hooks/alertmanager";
    am.webhook_bearer = kToken;
    alertmanager_ = alertbot::testing::start_alertmanager(am);
  }

  void TearDown() override {
    if (app_) {
      app_->stop();
      EXPECT_TRUE(run_until(io_, [&] { return !running_; }, kStepLimit)) << "the bot did not stop";
      EXPECT_EQ(run_error_, "") << "the bot's run() ended with an error";
    }
    if (ws_) run_coro(io_, ws_->stop());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string bot_url() const { return "http://127.0.0.1:" + std::to_string(app_->http_port()); }

  Config bot_config() const {
    Config c;
    c.path = "(integration test)";
    c.has_slack = true;
    c.slack.app_token = ws_->settings().app_token;
    c.slack.bot_token = ws_->settings().bot_token;
    c.slack.api_url = ws_->api_url();
    c.slack.connections = 1;
    c.has_server = true;
    c.server.listen = "127.0.0.1:0";
    c.has_hooks = true;
    c.hooks.token = kToken;
    c.hooks.channel = kHooksChannel;
    c.store.url = "sqlite://" + dir_ + "/alertbot.db";
    investigators::ServiceSettings svc;
    svc.name = "checkout";
    svc.match = {{"service", "checkout"}};
    investigators::PrometheusSettings prom;
    prom.url = prometheus_->url();
    prom.latency = "checkout_latency_p99_seconds{service=\"checkout\"}";
    prom.errors = "checkout_error_ratio{service=\"checkout\"}";
    svc.prometheus = prom;
    svc.deploys.source = investigators::DeploySource::Webhook;
    c.services.push_back(std::move(svc));
    return c;
  }

  Result<HttpResponse> post(const std::string& url, const std::string& body, const std::string& token) {
    HttpRequest req;
    req.method = "POST";
    req.url = url;
    req.headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    req.body = body;
    return run_coro(io_, http_->send(std::move(req)));
  }

  std::string diagnostics() const {
    std::string out = "\nC0HOOKS history:\n";
    for (const auto& m : ws_->channel_history(kHooksChannel)) {
      out += "  ts=" + m.ts + " thread=" + m.thread_ts + " bot=" + m.bot_id + " edits=" + std::to_string(m.edits) +
             " text=" + m.text.substr(0, 160) + "\n";
    }
    return out + "alertmanager log:\n" + alertmanager_->log_tail(15) + "\nprometheus log:\n" + prometheus_->log_tail(10);
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_);
  std::string dir_ = alertbot::testing::make_temp_dir("alertbot-webhook");
  SystemTime now_, step_;
  std::unique_ptr<fakes::SlackWorkspace> ws_;
  std::unique_ptr<alertbot::testing::RealPeer> prometheus_;
  std::unique_ptr<alertbot::testing::RealPeer> alertmanager_;
  Config config_;  // the App keeps a reference: declared before it, so it outlives it
  std::unique_ptr<App> app_;
  bool running_ = false;
  std::string run_error_;
  std::optional<Report> report_;
};

TEST_F(WebhookBackfill, AlertmanagerWebhookIsInvestigatedAgainstBackfilledHistoryAndNamesTheDeploy) {
  // Hooks refuse a request without the token, and store nothing.
  auto refused = post(bot_url() + "/hooks/deploy", "{}", "");
  ASSERT_TRUE(refused) << refused.error().describe();
  EXPECT_EQ(refused->status, 401);

  json::object deploy{{"service", "checkout"},          {"version", "v2.14.0"}, {"previous_version", "v2.13.4"},
                      {"id", "deploy-4121"},            {"author", "dana"},     {"description", "pricing cache"},
                      {"deployed_at", format_rfc3339(step_ - 2min)}};
  auto recorded = post(bot_url() + "/hooks/deploy", json::serialize(deploy), kToken);
  ASSERT_TRUE(recorded) << recorded.error().describe();
  ASSERT_EQ(recorded->status, 201) << recorded->body;
  auto again = post(bot_url() + "/hooks/deploy", json::serialize(deploy), kToken);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;
  auto bad = post(bot_url() + "/hooks/deploy", R"({"service":"checkout"})", kToken);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(contains(bad->body, "version")) << bad->body;

  // The alert goes into Alertmanager's API; Alertmanager calls the bot's webhook.
  json::object alert{{"labels", {{"alertname", "CheckoutLatencyHigh"}, {"service", "checkout"}, {"severity", "page"}}},
                     {"annotations", {{"summary", "p99 above 500 ms"}, {"runbook_url", "https://runbooks.example/latency"}}},
                     {"generatorURL", prometheus_->url() + "/graph?g0.expr=checkout_latency_p99_seconds&g0.tab=1"}};
  auto injected = post(alertmanager_->url() + "/api/v2/alerts", json::serialize(json::array{alert}), "");
  ASSERT_TRUE(injected) << injected.error().describe();
  ASSERT_EQ(injected->status, 200) << injected->body;

  auto top_level = [&] {
    std::vector<fakes::SlackMessage> out;
    for (const auto& m : ws_->channel_history(kHooksChannel)) {
      if (m.thread_ts.empty() || m.thread_ts == m.ts) out.push_back(m);
    }
    return out;
  };
  auto reported = [&] {
    auto history = top_level();
    if (history.empty() || !report_) return false;
    auto thread = ws_->thread(kHooksChannel, history.front().ts);
    return thread.size() >= 2 && thread[1].edits >= 1;
  };
  ASSERT_TRUE(run_until(io_, reported, kStepLimit)) << "no report in the hook alert's thread" << diagnostics();

  // The bot posted the alert itself (one card), and reported in its thread.
  auto history = top_level();
  ASSERT_EQ(history.size(), 1u) << diagnostics();
  const auto& card = history.front();
  EXPECT_EQ(card.bot_id, ws_->settings().bot_id);
  EXPECT_TRUE(contains(card.text, "[FIRING:1] CheckoutLatencyHigh")) << card.text;
  EXPECT_TRUE(contains(card.blocks_json, "runbooks.example/latency")) << card.blocks_json;

  ASSERT_TRUE(report_);
  const auto& res = report_->result;
  ASSERT_TRUE(res.alert);
  EXPECT_EQ(res.alert->source, "alertmanager");
  EXPECT_EQ(res.alert->name, "CheckoutLatencyHigh");
  EXPECT_EQ(res.service, "checkout");
  // The step in the backfilled history, within a sample or two.
  ASSERT_TRUE(res.onset) << diagnostics();
  EXPECT_LE(std::chrono::abs(*res.onset - step_), 30s) << format_rfc3339(*res.onset) << " vs " << format_rfc3339(step_);
  ASSERT_FALSE(res.causes.empty()) << res.abstain_reason;
  EXPECT_EQ(res.causes.front().suspect.kind, "deploy");
  EXPECT_EQ(res.causes.front().suspect.ref, "deploy-4121");
  auto thread = ws_->thread(kHooksChannel, card.ts);
  EXPECT_TRUE(contains(thread[1].blocks_json, "v2.14.0")) << thread[1].blocks_json;
}

}  // namespace
}  // namespace alertbot::bot
