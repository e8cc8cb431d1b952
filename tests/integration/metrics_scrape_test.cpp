// The bot's own /metrics scraped by a real Prometheus 2.42 (Debian package) on 127.0.0.1: the bot
// (Socket Mode against the Slack workspace emulator, its HTTP server on a free port, alert hooks
// on) takes a few alerts on /hooks/alertmanager, and Prometheus, told by a config reload (SIGHUP)
// to scrape the bot every second, must come to hold alertbot_events_received_total with exactly
// that count. Real time throughout: Prometheus hands new targets to its scraper within ~5 s.
#include <gtest/gtest.h>
#include <csignal>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "bot/app.hpp"
#include "bot/config.hpp"
#include "net/clock.hpp"
#include "net/form.hpp"
#include "net/http_client.hpp"
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
constexpr const char* kHookToken = "metrics-scrape-hook-token";
constexpr std::chrono::milliseconds kStepLimit{15000};
constexpr std::chrono::seconds kScrapeLimit{20};

class MetricsScrape : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = fakes::SlackWorkspace::start(io_.get_executor(), *clock_);
    ASSERT_TRUE(ws) << ws.error().describe();
    ws_ = std::move(*ws);
    config_.path = "(integration test)";
    config_.has_slack = true;
    config_.slack.app_token = ws_->settings().app_token;
    config_.slack.bot_token = ws_->settings().bot_token;
    config_.slack.api_url = ws_->api_url();
    config_.slack.connections = 1;
    config_.store.url = "sqlite://" + dir_ + "/alertbot.db";
    config_.has_server = true;
    config_.server.listen = "127.0.0.1:0";
    config_.has_hooks = true;
    config_.hooks.token = kHookToken;
    config_.hooks.channel = kHooksChannel;
    auto app = App::create(io_.get_executor(), config_, *clock_);
    ASSERT_TRUE(app) << app.error().describe();
    app_ = std::move(*app);
    running_ = true;
    asio::co_spawn(io_, app_->run(), [this](std::exception_ptr e, const Result<void>& r) {
      running_ = false;
      run_error_ = e ? "exception" : r ? "" : r.error().describe();
    });
    ASSERT_TRUE(run_until(io_, [&] { return (app_->open_sockets() > 0 && app_->http_port() > 0) || !running_; }, kStepLimit));
    ASSERT_TRUE(running_) << run_error_;
    // Blocks this thread briefly (~0.1 s): the bot has nothing to do yet.
    prometheus_ = alertbot::testing::start_prometheus();
    scrape_the_bot();
  }

  void TearDown() override {
    if (app_) {
      app_->stop();
      EXPECT_TRUE(run_until(io_, [&] { return !running_; }, kStepLimit)) << "the bot did not stop";
      EXPECT_EQ(run_error_, "");
    }
    if (ws_) run_coro(io_, ws_->stop());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Rewrites the running Prometheus' config with a second job for the bot and reloads it.
  void scrape_the_bot() {
    std::ofstream out(prometheus_->dir() + "/prometheus.yml", std::ios::trunc);
    out << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
           "rule_files: [rules.yml]\n"
           "scrape_configs:\n"
           "  - {job_name: prometheus, static_configs: [{targets: ['127.0.0.1:"
        << prometheus_->port()
        << "']}]}\n"
           "  - {job_name: alertbot, metrics_path: /metrics, static_configs: [{targets: ['127.0.0.1:"
        << app_->http_port() << "']}]}\n";
    out.close();
    ASSERT_TRUE(out) << "cannot write the Prometheus config";
    ASSERT_EQ(::kill(prometheus_->pid(), SIGHUP), 0);
  }

  HttpResponse send(HttpRequest req) {
    req.max_attempts = 1;
    auto r = run_coro(io_, http_->send(std::move(req)));
    EXPECT_TRUE(r) << r.error().describe();
    return r ? *r : HttpResponse{};
  }

  // One Alertmanager webhook body per alert name (distinct bodies: no dedupe between them).
  int post_alert(const std::string& name) {
    json::object alert{{"status", "firing"},
                       {"labels", {{"alertname", name}, {"severity", "warning"}}},
                       {"annotations", {{"summary", name + " is firing"}}},
                       {"startsAt", "2026-11-25T03:46:34.993Z"},
                       {"endsAt", "0001-01-01T00:00:00Z"},
                       {"generatorURL", "http://127.0.0.1:9090/graph"},
                       {"fingerprint", "f" + std::to_string(name.size())}};
    json::object body{{"receiver", "hook"}, {"status", "firing"}, {"alerts", json::array{alert}},
                      {"groupLabels", {{"alertname", name}}}, {"commonLabels", {{"alertname", name}}},
                      {"commonAnnotations", json::object{}}, {"externalURL", "http://127.0.0.1:9093"},
                      {"version", "4"}, {"groupKey", "{}:{alertname=\"" + name + "\"}"}, {"truncatedAlerts", 0}};
    HttpRequest req;
    req.method = "POST";
    req.url = "http://127.0.0.1:" + std::to_string(app_->http_port()) + "/hooks/alertmanager";
    req.headers = {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + kHookToken}};
    req.body = json::serialize(body);
    return send(std::move(req)).status;
  }

  // The value of the first sample `query` returns in Prometheus now, if any.
  std::optional<double> prometheus_value(const std::string& query) {
    HttpRequest req;
    req.method = "GET";
    req.url = prometheus_->url() + "/api/v1/query?" + form_encode({{"query", query}});
    auto resp = send(std::move(req));
    last_answer_ = std::to_string(resp.status) + " " + resp.body.substr(0, 300);
    boost::system::error_code ec;
    json::value v = json::parse(resp.body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto* data = v.as_object().if_contains("data");
    const auto* result = data && data->is_object() ? data->as_object().if_contains("result") : nullptr;
    if (!result || !result->is_array() || result->as_array().empty()) return std::nullopt;
    const auto& item = result->as_array()[0];
    const auto* sample = item.is_object() ? item.as_object().if_contains("value") : nullptr;
    if (!sample || !sample->is_array() || sample->as_array().size() != 2 || !sample->as_array()[1].is_string()) {
      return std::nullopt;
    }
    return std::strtod(sample->as_array()[1].get_string().c_str(), nullptr);
  }

  // Asks Prometheus every 250 ms (the bot keeps serving its scrapes meanwhile: the io_context runs
  // between the questions) until `query` gives `want` (or, with `at_least`, anything above it) or
  // kScrapeLimit passes.
  bool prometheus_reaches(const std::string& query, double want, bool at_least = false) {
    const auto deadline = std::chrono::steady_clock::now() + kScrapeLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto v = prometheus_value(query); v && (*v == want || (at_least && *v > want))) return true;
      const auto next = std::chrono::steady_clock::now() + 250ms;
      run_until(io_, [&] { return std::chrono::steady_clock::now() >= next; });
    }
    return false;
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_);
  std::string dir_ = alertbot::testing::make_temp_dir("alertbot-metrics");
  std::unique_ptr<fakes::SlackWorkspace> ws_;
  std::unique_ptr<alertbot::testing::RealPeer> prometheus_;
  Config config_;  // the App keeps a reference: declared before it, so it outlives it
  std::unique_ptr<App> app_;
  bool running_ = false;
  std::string run_error_;
  std::string last_answer_;
};

TEST_F(MetricsScrape, PrometheusScrapesEventsReceivedFromTheBot) {
  // The endpoint itself, as Prometheus will see it.
  HttpRequest get;
  get.method = "GET";
  get.url = "http://127.0.0.1:" + std::to_string(app_->http_port()) + "/metrics";
  auto page = send(std::move(get));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("# TYPE alertbot_events_acked_total counter\nalertbot_events_acked_total 0\n"), std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("alertbot_queue_depth 0\n"), std::string::npos) << page.body;

  for (const char* name : {"MetricsScrapeOne", "MetricsScrapeTwo", "MetricsScrapeThree"}) {
    const int status = post_alert(name);
    EXPECT_GE(status, 200) << name;
    EXPECT_LT(status, 300) << name;
  }

  const std::string query = "alertbot_events_received_total{job=\"alertbot\",kind=\"hook:alertmanager\"}";
  EXPECT_TRUE(prometheus_reaches(query, 3)) << "last answer: " << last_answer_ << "\nprometheus log:\n"
                                            << prometheus_->log_tail();
  // Acks count every kind: the emulator also delivers the bot's own messages over Socket Mode.
  EXPECT_TRUE(prometheus_reaches("alertbot_events_acked_total{job=\"alertbot\"}", 3, true)) << "last answer: " << last_answer_;
  EXPECT_TRUE(prometheus_reaches("up{job=\"alertbot\"}", 1)) << "last answer: " << last_answer_;
}

}  // namespace
}  // namespace alertbot::bot
